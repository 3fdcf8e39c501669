package dev.curvature.hessian.math;

/**
 * The two block-structure ratios of Dong, Zhang, Luo, Yao, Sun 2025 (arXiv 2505.02809), with standard errors.
 *
 * <ul>
 *   <li>{@code pairwiseRatio} = RMS over {@code i != j} of {@code ||H_ij||_F} / RMS over {@code i} of
 *       {@code ||H_ii||_F} (the paper's quantity, about {@code 1/C} at initialisation for {@code C} classes);</li>
 *   <li>{@code offDiagonalMassRatio} = {@code ||H_off||_F / ||H_diag||_F}, all off-diagonal blocks together against
 *       all diagonal blocks together (about {@code 1/sqrt(C)}).</li>
 * </ul>
 *
 * Over the same {@code B} blocks, {@code offDiagonalMassRatio = sqrt(B - 1) * pairwiseRatio} exactly, since
 * {@code ||H_off||^2 = B (B - 1) MS_off} and {@code ||H_diag||^2 = B MS_diag}.
 *
 * @param pairwiseRatio                     RMS off-diagonal block norm over RMS diagonal block norm
 * @param pairwiseRatioStandardError        its standard error (0 if exact, NaN if unknown)
 * @param offDiagonalMassRatio              Frobenius norm of all off-diagonal blocks over that of all diagonal blocks
 * @param offDiagonalMassRatioStandardError its standard error
 * @param offDiagonalRms                    RMS over {@code i != j} of {@code ||H_ij||_F}
 * @param diagonalRms                       RMS over {@code i} of {@code ||H_ii||_F}
 */
public record RatioEstimate(double pairwiseRatio, double pairwiseRatioStandardError, double offDiagonalMassRatio,
                            double offDiagonalMassRatioStandardError, double offDiagonalRms, double diagonalRms) {

    /** Undefined (fewer than two blocks). */
    public static final RatioEstimate UNDEFINED = new RatioEstimate(Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN);

    /**
     * The ratios from per-block samples: for each probed block {@code j} (a row of the arrays) and probe, the mean
     * over the other blocks {@code i != j} of the squared norm of {@code (H z)_i} ({@code offDiagonal}) and the
     * squared norm of {@code (H z)_j} ({@code diagonal}); both are unbiased for the squared block norms.
     * {@code MS_off} and {@code MS_diag} are the means of these over probed blocks and probes, the ratios are
     * {@code sqrt(MS_off / MS_diag)} and {@code sqrt((B - 1) MS_off / MS_diag)}, and their standard errors follow by
     * the delta method from the two-stage (co)variances of {@link TwoStageSampling}.
     *
     * @param population the number of blocks {@code B} the probed blocks were drawn from
     * @param exact      true when the samples are exact (one "probe" per block, no probe noise)
     */
    public static RatioEstimate fromSamples(double[][] offDiagonal, double[][] diagonal, int population, boolean exact) {
        return fromStrata(new double[][][] {offDiagonal}, new double[][][] {diagonal}, new int[] {population}, exact);
    }

    /**
     * As {@link #fromSamples} for a stratified sample: stratum {@code s} holds {@code populations[s]} blocks, of
     * which the rows of {@code offDiagonal[s]} and {@code diagonal[s]} were probed. Means are weighted by
     * {@code w_s = N_s / N} and variances by {@code w_s^2} (stratified two-stage sampling).
     */
    public static RatioEstimate fromStrata(double[][][] offDiagonal, double[][][] diagonal, int[] populations,
                                           boolean exact) {
        int population = java.util.Arrays.stream(populations).sum();
        if (population < 2) {
            return UNDEFINED;
        }
        double a = 0;
        double d = 0;
        double va = 0;
        double vd = 0;
        double cad = 0;
        for (int s = 0; s < populations.length; s++) {
            if (offDiagonal[s].length == 0) {
                return UNDEFINED;
            }
            double w = (double) populations[s] / population;
            a += w * TwoStageSampling.mean(offDiagonal[s]);
            d += w * TwoStageSampling.mean(diagonal[s]);
            va += w * w * TwoStageSampling.covarianceOfMeans(offDiagonal[s], offDiagonal[s], populations[s], exact);
            vd += w * w * TwoStageSampling.covarianceOfMeans(diagonal[s], diagonal[s], populations[s], exact);
            cad += w * w * TwoStageSampling.covarianceOfMeans(offDiagonal[s], diagonal[s], populations[s], exact);
        }
        double r = Math.sqrt(a / d);
        double se;
        if (va == 0 && vd == 0 && cad == 0) {
            se = 0;
        } else {
            // R = sqrt(A / D): dR/dA = R / (2A), dR/dD = -R / (2D)
            double var = r * r / 4 * (va / (a * a) + vd / (d * d) - 2 * cad / (a * d));
            se = Math.sqrt(Math.max(0.0, var));
        }
        double scale = Math.sqrt(population - 1.0);
        return new RatioEstimate(r, se, scale * r, scale * se, Math.sqrt(a), Math.sqrt(d));
    }
}
