package dev.curvature.optimizers.arbiter;

import org.apache.commons.math3.distribution.RealDistribution;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.BooleanSpace;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Build-time validation of hyperparameter spaces: every value a space can produce is checked with the same rule
 * ({@link dev.curvature.optimizers.internal.Checks}) the optimizer's constructor applies, so a bad range fails when
 * the space is built, not in the middle of a search.
 *
 * <p>What a space can produce is known exactly for Arbiter's {@link FixedValue}, {@link IntegerParameterSpace}
 * (its min and max), {@link ContinuousParameterSpace} (the closed support of its distribution, which is what its
 * inverse CDF maps {@code [0, 1]} onto: a normal distribution reaches -Infinity), {@link DiscreteParameterSpace}
 * (each value) and {@link BooleanSpace}. For any other space (Arbiter's {@code MathOp}, user spaces) the range is
 * unknown; its values are checked when a candidate is sampled, by the optimizer's constructor, and a bad value fails
 * that candidate with the same message.
 */
final class SpaceChecks {
    private SpaceChecks() {
    }

    /**
     * Checks every value {@code space} can produce with {@code rule}, which throws {@link IllegalArgumentException}
     * naming the hyperparameter, the value and the allowed range (the {@code Checks} messages do).
     *
     * @throws IllegalArgumentException naming {@code owner}, the hyperparameter, the space, the offending value and
     *                                  the allowed range
     */
    static void check(String owner, String name, ParameterSpace<?> space, Consumer<Object> rule) {
        if (space == null) {
            return;
        }
        List<Object> values = reachableValues(space);
        if (values == null) {
            return;
        }
        for (Object v : values) {
            try {
                rule.accept(v);
            } catch (IllegalArgumentException | ClassCastException e) {
                throw new IllegalArgumentException(owner + ": " + name + " = " + space + " can produce " + v
                        + ", outside the allowed range (" + e.getMessage() + ")", e);
            }
        }
    }

    /** The values {@code space} can produce (extremes for continuous spaces), or null when that is unknown. */
    static List<Object> reachableValues(ParameterSpace<?> space) {
        if (space instanceof FixedValue<?> fixed) {
            List<Object> one = new ArrayList<>(1);
            one.add(fixed.getValue());
            return one;
        }
        if (space instanceof IntegerParameterSpace ints) {
            return List.of(ints.getMin(), ints.getMax());
        }
        if (space instanceof BooleanSpace) {
            return List.of(Boolean.TRUE, Boolean.FALSE);
        }
        if (space instanceof ContinuousParameterSpace) {
            Object d = privateField(space, ContinuousParameterSpace.class, "distribution");
            if (d instanceof RealDistribution dist) {
                return List.of(dist.getSupportLowerBound(), dist.getSupportUpperBound());
            }
            return null;
        }
        if (space instanceof DiscreteParameterSpace) {
            Object values = privateField(space, DiscreteParameterSpace.class, "values");
            return values instanceof List<?> list ? new ArrayList<>(list) : null;
        }
        return null;
    }

    /**
     * Arbiter 1.0.0-beta7 (its last release) has no getters for a continuous space's distribution or a discrete
     * space's values; read the private field, or return null (range unknown) if a different Arbiter lacks it.
     */
    private static Object privateField(Object target, Class<?> owner, String name) {
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f.get(target);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** A rule for {@code double} hyperparameters: the value must be a number, then {@code check} applies. */
    static Consumer<Object> doubles(java.util.function.DoubleConsumer check) {
        return v -> {
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException("must be a number, got " + (v == null ? "null" : v.getClass().getName()));
            }
            check.accept(n.doubleValue());
        };
    }

    /** A rule for {@code int} hyperparameters: the value must be an integer, then {@code check} applies. */
    static Consumer<Object> ints(java.util.function.IntConsumer check) {
        return v -> {
            if (!(v instanceof Integer i)) {
                throw new IllegalArgumentException("must be an Integer, got " + (v == null ? "null" : v.getClass().getName()));
            }
            check.accept(i);
        };
    }
}
