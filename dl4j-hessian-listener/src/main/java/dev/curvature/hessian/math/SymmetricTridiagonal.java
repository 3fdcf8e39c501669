package dev.curvature.hessian.math;

/**
 * Eigenvalues of a small symmetric tridiagonal matrix (the Lanczos matrix) by bisection on Sturm sequence counts:
 * the number of eigenvalues below {@code x} is the number of negative pivots of {@code T - x I}. Each eigenvalue is
 * bracketed to machine precision; cost {@code O(k^2)} per call with about 100 halvings, trivial for the
 * {@code k <= few hundred} Lanczos steps used here.
 */
final class SymmetricTridiagonal {
    private SymmetricTridiagonal() {
    }

    /**
     * @param diagonal    {@code d[0..k-1]}
     * @param offDiagonal {@code e[0..k-2]} ({@code e[i]} couples {@code i} and {@code i+1}); extra entries are ignored
     * @return the {@code k} eigenvalues in increasing order
     */
    public static double[] eigenvalues(double[] diagonal, double[] offDiagonal) {
        int k = diagonal.length;
        if (k == 0 || offDiagonal.length < k - 1) {
            throw new IllegalArgumentException("need k >= 1 diagonal and k - 1 off-diagonal entries, got "
                    + diagonal.length + " and " + offDiagonal.length);
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        double maxE2 = 0;
        for (int i = 0; i < k; i++) {
            double r = (i > 0 ? Math.abs(offDiagonal[i - 1]) : 0) + (i < k - 1 ? Math.abs(offDiagonal[i]) : 0);
            lo = Math.min(lo, diagonal[i] - r);
            hi = Math.max(hi, diagonal[i] + r);
            if (i < k - 1) {
                maxE2 = Math.max(maxE2, offDiagonal[i] * offDiagonal[i]);
            }
        }
        double span = Math.max(Math.abs(lo), Math.abs(hi));
        lo -= 1e-12 * span + Double.MIN_NORMAL;
        hi += 1e-12 * span + Double.MIN_NORMAL;
        double pivmin = Double.MIN_NORMAL * Math.max(1.0, maxE2);
        double[] values = new double[k];
        for (int idx = 0; idx < k; idx++) {
            double a = lo;
            double b = hi;
            for (int it = 0; it < 200 && b - a > 2 * Math.ulp(Math.max(Math.abs(a), Math.abs(b))); it++) {
                double mid = 0.5 * (a + b);
                if (countBelow(diagonal, offDiagonal, mid, pivmin) > idx) {
                    b = mid;
                } else {
                    a = mid;
                }
            }
            values[idx] = 0.5 * (a + b);
        }
        return values;
    }

    /** Number of eigenvalues strictly below {@code x}. */
    static int countBelow(double[] d, double[] e, double x, double pivmin) {
        int count = 0;
        double q = 1;
        for (int i = 0; i < d.length; i++) {
            q = d[i] - x - (i > 0 ? e[i - 1] * e[i - 1] / q : 0);
            if (Math.abs(q) < pivmin) {
                q = -pivmin;
            }
            if (q < 0) {
                count++;
            }
        }
        return count;
    }
}
