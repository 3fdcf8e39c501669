package dev.curvature.testing;

import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.fail;

/** Array comparisons with stated tolerances: |a - b| <= abs + rel * |b| element-wise. */
public final class Assertions2 {
    private Assertions2() {
    }

    public static void assertClose(double[] expected, double[] actual, double rel, double abs, String what) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + " != expected " + expected.length);
        }
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            double tol = abs + rel * Math.abs(expected[i]);
            if (!(err <= tol)) {
                double excess = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err / tol;
                if (excess > worst || worstAt < 0) {
                    worst = excess;
                    worstAt = i;
                }
            }
        }
        if (worstAt >= 0) {
            fail(what + ": element " + worstAt + " expected " + expected[worstAt] + " got " + actual[worstAt]
                    + " (rel tol " + rel + ", abs tol " + abs + ")");
        }
    }

    public static void assertClose(double[] expected, INDArray actual, double rel, double abs, String what) {
        assertClose(expected, toDoubles(actual), rel, abs, what);
    }

    /** Flat copy in storage order of a contiguous array (or 'c' order otherwise). */
    public static double[] toDoubles(INDArray a) {
        return a.dup(a.ordering()).data().asDouble();
    }
}
