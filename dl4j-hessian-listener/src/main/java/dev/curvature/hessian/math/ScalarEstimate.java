package dev.curvature.hessian.math;

/**
 * An estimated quantity with its standard error (0 when computed exactly, NaN when the sample is too small to tell).
 *
 * @param value         the estimate
 * @param standardError its standard error
 */
public record ScalarEstimate(double value, double standardError) {

    /** An exactly known value. */
    public static ScalarEstimate exact(double value) {
        return new ScalarEstimate(value, 0.0);
    }

    /** Not computed. */
    public static final ScalarEstimate NOT_COMPUTED = new ScalarEstimate(Double.NaN, Double.NaN);

    /** This estimate multiplied by {@code c}. */
    public ScalarEstimate times(double c) {
        return new ScalarEstimate(value * c, standardError * Math.abs(c));
    }
}
