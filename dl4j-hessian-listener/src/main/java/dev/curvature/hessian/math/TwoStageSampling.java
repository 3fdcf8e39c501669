package dev.curvature.hessian.math;

/**
 * Estimates from two-stage sampling: {@code n} units (blocks) drawn without replacement from a population of
 * {@code N}, and {@code m} independent probes within each drawn unit. The mean over the population is estimated by
 * the mean of the unit means; its (co)variance by the classical unbiased estimator (Cochran, Sampling Techniques,
 * 3rd ed., section 10.3) with an infinite second stage:
 *
 * <pre>
 *   v(xbar, ybar) = (1 - n/N) S_between / n  +  (n/N) s_within / (n m)
 * </pre>
 *
 * where {@code S_between} is the sample covariance of the unit means and {@code s_within} the mean of the
 * within-unit sample covariances. With every unit drawn ({@code n = N}) only the probe noise remains; with exact
 * values (no probe noise) only the unit-sampling term remains. Samples are {@code double[unit][probe]} arrays, one
 * row per drawn unit, every row of the same length.
 */
final class TwoStageSampling {
    private TwoStageSampling() {
    }

    /** Mean of the unit means. */
    public static double mean(double[][] samples) {
        double sum = 0;
        for (double[] unit : samples) {
            sum += unitMean(unit);
        }
        return sum / samples.length;
    }

    /**
     * Estimated covariance of {@code mean(x)} and {@code mean(y)}.
     *
     * @param population number of units in the population ({@code N >= n})
     * @param exact      true when the samples are exact values (no probe noise)
     * @return the covariance; NaN when it cannot be estimated (one unit drawn from a larger population, or one
     * probe per unit in noisy mode)
     */
    public static double covarianceOfMeans(double[][] x, double[][] y, int population, boolean exact) {
        int n = x.length;
        if (n == 0 || y.length != n || population < n) {
            throw new IllegalArgumentException("need the same n >= 1 units in x and y and population >= n, got "
                    + x.length + ", " + y.length + ", population " + population);
        }
        double f = (double) n / population;
        double between = 0;
        if (f < 1) {
            if (n < 2) {
                return Double.NaN;
            }
            double mx = mean(x);
            double my = mean(y);
            for (int u = 0; u < n; u++) {
                between += (unitMean(x[u]) - mx) * (unitMean(y[u]) - my);
            }
            between = (1 - f) * between / (n - 1) / n;
        }
        if (exact) {
            return between;
        }
        int m = x[0].length;
        if (m < 2) {
            return Double.NaN;
        }
        double within = 0;
        for (int u = 0; u < n; u++) {
            within += withinCovariance(x[u], y[u]);
        }
        within /= n;
        return between + f * within / (n * (double) m);
    }

    /** Standard error of {@code mean(x)}. */
    public static double standardError(double[][] x, int population, boolean exact) {
        return Math.sqrt(Math.max(0.0, covarianceOfMeans(x, x, population, exact)));
    }

    static double unitMean(double[] unit) {
        double s = 0;
        for (double v : unit) {
            s += v;
        }
        return s / unit.length;
    }

    /** Sample covariance within one unit ({@code m - 1} denominator). */
    static double withinCovariance(double[] x, double[] y) {
        double mx = unitMean(x);
        double my = unitMean(y);
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (x[i] - mx) * (y[i] - my);
        }
        return s / (x.length - 1);
    }
}
