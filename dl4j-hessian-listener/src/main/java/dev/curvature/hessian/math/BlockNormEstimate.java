package dev.curvature.hessian.math;

import java.util.Arrays;

/**
 * What {@link BlockNormEstimator} measured: for every probed block {@code j} (a "column" of the block matrix) the
 * squared Frobenius norms {@code ||H_ij||_F^2} against every block {@code i}, with standard errors, and the
 * per-probe samples from which the ratios, traces and their standard errors are computed. Blocks are grouped into
 * contiguous ranges (layers) by {@code groupBounds}.
 */
public final class BlockNormEstimate {
    private final BlockSample sample;
    private final int numBlocks;
    private final int[] probed;
    private final int[] groupBounds;
    private final boolean exact;
    private final double[][] meanSquaredNorms;
    private final double[][] squaredNormErrors;
    private final double[][] offDiagonal;
    private final double[][] groupOffDiagonal;
    private final double[][] diagonal;
    private final double[][] traces;
    private final long products;

    BlockNormEstimate(BlockSample sample, int[] groupBounds, boolean exact, double[][] meanSquaredNorms,
                      double[][] squaredNormErrors, double[][] offDiagonal, double[][] groupOffDiagonal,
                      double[][] diagonal, double[][] traces, long products) {
        this.sample = sample;
        this.numBlocks = sample.numBlocks();
        this.probed = sample.probed();
        this.groupBounds = groupBounds.clone();
        this.exact = exact;
        this.meanSquaredNorms = meanSquaredNorms;
        this.squaredNormErrors = squaredNormErrors;
        this.offDiagonal = offDiagonal;
        this.groupOffDiagonal = groupOffDiagonal;
        this.diagonal = diagonal;
        this.traces = traces;
        this.products = products;
    }

    /** Number of blocks {@code B}. */
    public int numBlocks() {
        return numBlocks;
    }

    /** The probed blocks, increasing. */
    public int[] probed() {
        return probed.clone();
    }

    /** The probed blocks and the strata they were drawn from. */
    public BlockSample sample() {
        return sample;
    }

    /** True when the norms are exact (one product per parameter of the probed blocks). */
    public boolean exact() {
        return exact;
    }

    /** Hessian-vector products used. */
    public long products() {
        return products;
    }

    /** Position of block {@code j} among the probed blocks, or -1. */
    public int probedIndex(int j) {
        int p = Arrays.binarySearch(probed, j);
        return p >= 0 ? p : -1;
    }

    /**
     * {@code ||H_ij||_F^2} for probed block {@code j = probed()[p]} and every block {@code i}: row {@code p} of the
     * returned array (a copy), indexed by {@code i}.
     */
    public double[][] squaredNormColumns() {
        return deepCopy(meanSquaredNorms);
    }

    /** Standard errors of {@link #squaredNormColumns()} (all 0 when exact). */
    public double[][] squaredNormStandardErrors() {
        return deepCopy(squaredNormErrors);
    }

    /** The ratios over all blocks, weighting the sample's strata ({@link RatioEstimate#fromStrata}). */
    public RatioEstimate ratios() {
        int[] strata = sample.strata();
        int n = strata.length - 1;
        double[][][] off = new double[n][][];
        double[][][] diag = new double[n][][];
        int[] populations = new int[n];
        for (int s = 0; s < n; s++) {
            int[] rows = probedRowsIn(strata[s], strata[s + 1]);
            off[s] = select(offDiagonal, rows);
            diag[s] = select(diagonal, rows);
            populations[s] = strata[s + 1] - strata[s];
        }
        return RatioEstimate.fromStrata(off, diag, populations, exact);
    }

    /** Number of groups. */
    public int numGroups() {
        return groupBounds.length - 1;
    }

    /** Blocks {@code [groupBounds[g], groupBounds[g + 1])} form group {@code g}. */
    public int[] groupBounds() {
        return groupBounds.clone();
    }

    /** The ratios over the blocks of group {@code g} only (pairs within the group). */
    public RatioEstimate groupRatios(int g) {
        int[] rows = probedRowsOfGroup(g);
        return RatioEstimate.fromSamples(select(groupOffDiagonal, rows), select(diagonal, rows), groupSize(g), exact);
    }

    /** {@code tr(H_jj)} of probed block {@code j = probed()[p]} (Hutchinson with block-supported probes, or exact). */
    public ScalarEstimate blockTrace(int p) {
        double[][] one = {traces[p]};
        return new ScalarEstimate(TwoStageSampling.mean(one), TwoStageSampling.standardError(one, 1, exact));
    }

    /** Trace of the diagonal blocks of group {@code g} together, extrapolated from its probed blocks. */
    public ScalarEstimate groupTrace(int g) {
        int[] rows = probedRowsOfGroup(g);
        if (rows.length == 0) {
            return ScalarEstimate.NOT_COMPUTED;
        }
        double[][] t = select(traces, rows);
        int size = groupSize(g);
        return new ScalarEstimate(TwoStageSampling.mean(t), TwoStageSampling.standardError(t, size, exact)).times(size);
    }

    /**
     * Trace of the whole (restricted) Hessian, {@code sum_j tr(H_jj)}: in each stratum, its number of blocks times
     * the mean probed diagonal-block trace; the variance adds over strata.
     */
    public ScalarEstimate totalTrace() {
        int[] strata = sample.strata();
        double value = 0;
        double variance = 0;
        for (int s = 0; s + 1 < strata.length; s++) {
            double[][] t = select(traces, probedRowsIn(strata[s], strata[s + 1]));
            int size = strata[s + 1] - strata[s];
            value += size * TwoStageSampling.mean(t);
            variance += (double) size * size * TwoStageSampling.covarianceOfMeans(t, t, size, exact);
        }
        return new ScalarEstimate(value, Math.sqrt(Math.max(0.0, variance)));
    }

    /** Number of probed blocks in group {@code g}. */
    public int probedInGroup(int g) {
        return probedRowsOfGroup(g).length;
    }

    public int groupSize(int g) {
        return groupBounds[g + 1] - groupBounds[g];
    }

    /** True when every value measured is finite (a non-finite one means the products were not). */
    public boolean allFinite() {
        for (double[][] a : new double[][][] {meanSquaredNorms, traces}) {
            for (double[] row : a) {
                for (double v : row) {
                    if (!Double.isFinite(v)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private int[] probedRowsOfGroup(int g) {
        return probedRowsIn(groupBounds[g], groupBounds[g + 1]);
    }

    private int[] probedRowsIn(int lo, int hi) {
        return java.util.stream.IntStream.range(0, probed.length).filter(p -> probed[p] >= lo && probed[p] < hi).toArray();
    }

    private static double[][] select(double[][] a, int[] rows) {
        double[][] out = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = a[rows[r]];
        }
        return out;
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }
}
