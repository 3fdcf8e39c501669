package dev.curvature.optimizers.arbiter;

import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.util.LeafUtils;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tree plumbing shared by this package's composite spaces (nested spaces, leaves, indices, fixed values). */
final class Spaces {
    private Spaces() {
    }

    /** A fixed value as a space, for builder methods that take a plain value. */
    static <T> ParameterSpace<T> fixed(T value) {
        if (value == null) {
            throw new IllegalArgumentException("a fixed hyperparameter value must not be null");
        }
        return new FixedValue<>(value);
    }

    /**
     * The value of {@code space} at {@code values}, or {@code fallback} when the hyperparameter is not set. Any number
     * is accepted: a space read back from JSON may hold integers where doubles were written.
     */
    static double valueOr(ParameterSpace<Double> space, double[] values, double fallback) {
        return space == null ? fallback : ((Number) ((ParameterSpace<?>) space).getValue(values)).doubleValue();
    }

    /** The non-null spaces among {@code nameSpacePairs} ({@code name, space, name, space, ...}), in that order. */
    static Map<String, ParameterSpace> nested(Object... nameSpacePairs) {
        Map<String, ParameterSpace> m = new LinkedHashMap<>();
        for (int i = 0; i < nameSpacePairs.length; i += 2) {
            ParameterSpace<?> s = (ParameterSpace<?>) nameSpacePairs[i + 1];
            if (s != null) {
                m.put((String) nameSpacePairs[i], s);
            }
        }
        return m;
    }

    /** The leaves under {@code nested}, each leaf object once (Arbiter identifies leaves by identity). */
    static List<ParameterSpace> leaves(Map<String, ParameterSpace> nested) {
        List<ParameterSpace> out = new ArrayList<>();
        for (ParameterSpace p : nested.values()) {
            out.addAll(p.collectLeaves());
        }
        return LeafUtils.getUniqueObjects(out);
    }

    /** Number of search dimensions of the unique leaves. */
    static int numParameters(List<ParameterSpace> leaves) {
        int n = 0;
        for (ParameterSpace p : leaves) {
            n += p.numParameters();
        }
        return n;
    }

    /**
     * Hands consecutive slices of {@code indices} to the leaves. Arbiter's candidate generators set indices on leaves
     * directly and never call this on a composite; it exists because {@code BaseUpdaterSpace.setIndices} would give
     * every leaf the first slice.
     */
    static void setIndices(List<ParameterSpace> leaves, int[] indices) {
        int expected = numParameters(leaves);
        if (indices == null || indices.length != expected) {
            throw new IllegalArgumentException("expected " + expected + " indices, got "
                    + (indices == null ? "null" : Arrays.toString(indices)));
        }
        int soFar = 0;
        for (ParameterSpace p : leaves) {
            int n = p.numParameters();
            if (n > 0) {
                p.setIndices(Arrays.copyOfRange(indices, soFar, soFar + n));
                soFar += n;
            }
        }
    }
}
