package dev.curvature.optimizers.internal;

/**
 * Validation of hyperparameters at construction: each check names the parameter, the value it got and
 * the range it allows, so a bad value fails loudly where it was written.
 */
public final class Checks {
    private Checks() {
    }

    /** {@code value} must be finite and in {@code [0, 1)}. */
    public static double unitInterval(String name, double value) {
        if (!(value >= 0.0 && value < 1.0)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
        }
        return value;
    }

    /** {@code value} must be finite and {@code > 0}. */
    public static double positive(String name, double value) {
        if (!(value > 0.0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
        }
        return value;
    }

    /** {@code value} must be finite and {@code >= 0}. */
    public static double nonNegative(String name, double value) {
        if (!(value >= 0.0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
        }
        return value;
    }

    /** {@code value} must be {@code >= min}. */
    public static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    /**
     * A builder's learning rate: either a fixed rate or a schedule, never both (a schedule would silently override
     * the rate).
     *
     * @return the fixed rate to store ({@code fallback} when only a schedule or nothing was given)
     */
    public static double rateOrSchedule(Double learningRate, Object schedule, double fallback) {
        if (learningRate != null && schedule != null) {
            throw new IllegalArgumentException("set either learningRate or learningRateSchedule, not both (got "
                    + learningRate + " and " + schedule + ")");
        }
        return learningRate != null ? learningRate : fallback;
    }

    /**
     * The fixed learning rate after DL4J's {@code IUpdater.setLrAndSchedule(lr, schedule)}: DL4J passes NaN as the
     * rate together with a schedule, which keeps the current rate; any other rate is validated.
     */
    public static double rateAfterSetLrAndSchedule(double current, double lr, Object schedule) {
        return schedule != null && Double.isNaN(lr) ? current : nonNegative("learningRate", lr);
    }

    /** {@code value} must be in {@code (low, high]}. */
    public static double inLeftOpen(String name, double value, double low, double high) {
        if (!(value > low && value <= high)) {
            throw new IllegalArgumentException(name + " must be in (" + format(low) + ", " + format(high) + "], got "
                    + value);
        }
        return value;
    }

    private static String format(double bound) {
        return bound == Math.rint(bound) && Math.abs(bound) < 1e15 ? Long.toString((long) bound) : Double.toString(bound);
    }

    /** {@code value} must not be null. */
    public static <T> T notNull(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }

    /** {@code value} must not be null; {@code allowed} says what it may be. */
    public static <T> T notNull(String name, T value, String allowed) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null (" + allowed + ")");
        }
        return value;
    }
}
