package dev.curvature.hessian;

import dev.curvature.hessian.math.RatioEstimate;
import dev.curvature.hessian.math.ScalarEstimate;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One measurement of the block structure of the loss Hessian (Dong, Zhang, Luo, Yao, Sun 2025, "Towards
 * Quantifying the Hessian Structure of Neural Networks", arXiv 2505.02809), at one point of training on one
 * batch. Immutable.
 *
 * <p>With blocks {@code 1..B} of a {@link BlockPartition} and {@code H_ij} the sub-matrix of the Hessian of the
 * mean loss for blocks {@code i} and {@code j} (docs/ALGORITHMS.md, section 3 "Hessian block structure"):
 * <ul>
 *   <li>{@link #pairwiseRatio()} = RMS over {@code i != j} of {@code ||H_ij||_F} / RMS over {@code i} of
 *       {@code ||H_ii||_F}: the paper's quantity, about {@code 1/C} at initialisation for {@code C} classes;</li>
 *   <li>{@link #offDiagonalMassRatio()} = {@code ||H_off||_F / ||H_diag||_F}, all off-diagonal blocks together
 *       against all diagonal blocks together, about {@code 1/sqrt(C)}; over the same blocks it equals
 *       {@code sqrt(B - 1) * pairwiseRatio}.</li>
 * </ul>
 * For softmax regression without bias at {@code W = 0} with the mean cross-entropy loss,
 * {@code H = (I/C - 11^T/C^2) (x) Sigma}, so {@code pairwiseRatio = 1/(C-1)} and
 * {@code offDiagonalMassRatio = 1/sqrt(C-1)} exactly.
 *
 * <p>Block norms are known for the <em>probed</em> blocks {@code j} (all blocks unless the estimator's
 * {@code maxBlocks} is smaller than {@code B}): probing block {@code j} measures {@code ||H_ij||_F} for every
 * {@code i}, and symmetry ({@code ||H_ij|| = ||H_ji||}) fills in row {@code j}. Pairs of two unprobed blocks are
 * NaN. When only some blocks are probed, the ratios and traces are estimated from a stratified random sample of
 * blocks (an equal share per layer, each layer weighted by its share of all blocks), and their standard errors
 * include that sampling (stratified two-stage sampling, docs/ALGORITHMS.md section 4). In exact mode with all blocks
 * probed, standard errors are 0.
 */
public final class BlockHessianReport {
    private final long iteration;
    private final int epoch;
    private final Instant timestamp;
    private final Duration elapsed;
    private final Duration recording;
    private final String partition;
    private final HessianBlockEstimator.Method method;
    private final int probesPerBlock;
    private final long parameters;
    private final long hessianVectorProducts;
    private final long gradientEvaluations;
    private final boolean kinksFrozen;
    private final List<String> notExact;
    private final List<BlockLabel> labels;
    private final int[] probedBlocks;
    private final double[][] squaredNormColumns;
    private final double[][] squaredNormErrors;
    private final RatioEstimate ratios;
    private final double topEigenvalue;
    private final double bottomEigenvalue;
    private final int lanczosSteps;
    private final ScalarEstimate trace;
    private final ScalarEstimate[] blockTraces;
    private final double[] blockTopEigenvalues;
    private final List<LayerSummary> layers;

    private BlockHessianReport(Builder b) {
        this.iteration = b.iteration;
        this.epoch = b.epoch;
        this.timestamp = require(b.timestamp, "timestamp");
        this.elapsed = require(b.elapsed, "elapsed");
        this.recording = require(b.recording, "recording");
        this.partition = require(b.partition, "partition");
        this.method = require(b.method, "method");
        this.probesPerBlock = b.probesPerBlock;
        this.parameters = b.parameters;
        this.hessianVectorProducts = b.hessianVectorProducts;
        this.gradientEvaluations = b.gradientEvaluations;
        this.kinksFrozen = b.kinksFrozen;
        this.notExact = List.copyOf(b.notExact);
        this.labels = List.copyOf(require(b.labels, "labels"));
        this.probedBlocks = require(b.probedBlocks, "probedBlocks").clone();
        this.squaredNormColumns = require(b.squaredNormColumns, "squaredNormColumns");
        this.squaredNormErrors = require(b.squaredNormErrors, "squaredNormErrors");
        this.ratios = require(b.ratios, "ratios");
        this.topEigenvalue = b.topEigenvalue;
        this.bottomEigenvalue = b.bottomEigenvalue;
        this.lanczosSteps = b.lanczosSteps;
        this.trace = require(b.trace, "trace");
        this.blockTraces = require(b.blockTraces, "blockTraces").clone();
        this.blockTopEigenvalues = require(b.blockTopEigenvalues, "blockTopEigenvalues").clone();
        this.layers = List.copyOf(require(b.layers, "layers"));
    }

    private static <T> T require(T value, String name) {
        if (value == null) {
            throw new IllegalStateException("report field " + name + " was not set");
        }
        return value;
    }

    static Builder builder() {
        return new Builder();
    }

    /** Assembles a report; the estimator fills it in the order it measures. */
    static final class Builder {
        private long iteration;
        private int epoch;
        private Instant timestamp;
        private Duration elapsed;
        private Duration recording = Duration.ZERO;
        private String partition;
        private HessianBlockEstimator.Method method;
        private int probesPerBlock;
        private long parameters;
        private long hessianVectorProducts;
        private long gradientEvaluations;
        private boolean kinksFrozen;
        private List<String> notExact = List.of();
        private List<BlockLabel> labels;
        private int[] probedBlocks;
        private double[][] squaredNormColumns;
        private double[][] squaredNormErrors;
        private RatioEstimate ratios;
        private double topEigenvalue = Double.NaN;
        private double bottomEigenvalue = Double.NaN;
        private int lanczosSteps;
        private ScalarEstimate trace;
        private ScalarEstimate[] blockTraces;
        private double[] blockTopEigenvalues;
        private List<LayerSummary> layers;

        Builder when(long iteration, int epoch, Instant timestamp) {
            this.iteration = iteration;
            this.epoch = epoch;
            this.timestamp = timestamp;
            return this;
        }

        Builder setup(String partition, HessianBlockEstimator.Method method, int probesPerBlock, long parameters) {
            this.partition = partition;
            this.method = method;
            this.probesPerBlock = probesPerBlock;
            this.parameters = parameters;
            return this;
        }

        Builder products(boolean kinksFrozen, List<String> notExact, Duration recording) {
            this.kinksFrozen = kinksFrozen;
            this.notExact = notExact;
            this.recording = recording;
            return this;
        }

        Builder blocks(List<BlockLabel> labels, int[] probedBlocks, double[][] squaredNormColumns,
                       double[][] squaredNormErrors, RatioEstimate ratios) {
            this.labels = labels;
            this.probedBlocks = probedBlocks;
            this.squaredNormColumns = squaredNormColumns;
            this.squaredNormErrors = squaredNormErrors;
            this.ratios = ratios;
            return this;
        }

        Builder spectrum(double topEigenvalue, double bottomEigenvalue, int lanczosSteps, double[] blockTopEigenvalues) {
            this.topEigenvalue = topEigenvalue;
            this.bottomEigenvalue = bottomEigenvalue;
            this.lanczosSteps = lanczosSteps;
            this.blockTopEigenvalues = blockTopEigenvalues;
            return this;
        }

        Builder traces(ScalarEstimate trace, ScalarEstimate[] blockTraces) {
            this.trace = trace;
            this.blockTraces = blockTraces;
            return this;
        }

        Builder layers(List<LayerSummary> layers) {
            this.layers = layers;
            return this;
        }

        Builder cost(Duration elapsed, long hessianVectorProducts, long gradientEvaluations) {
            this.elapsed = elapsed;
            this.hessianVectorProducts = hessianVectorProducts;
            this.gradientEvaluations = gradientEvaluations;
            return this;
        }

        BlockHessianReport build() {
            return new BlockHessianReport(this);
        }
    }

    /** Training iteration at which the Hessian was probed (the model's iteration count outside training). */
    public long iteration() {
        return iteration;
    }

    public int epoch() {
        return epoch;
    }

    /** When the probe started. */
    public Instant timestamp() {
        return timestamp;
    }

    /** Wall-clock time the probe took (copy, products and summaries). */
    public Duration elapsed() {
        return elapsed;
    }

    /** {@link BlockPartition#describe()} of the partition used. */
    public String partition() {
        return partition;
    }

    public HessianBlockEstimator.Method method() {
        return method;
    }

    /** Rademacher probes per probed block (1 in exact mode, where each block takes one product per parameter). */
    public int probesPerBlock() {
        return probesPerBlock;
    }

    /** Number of parameters in the partition (the dimension of the restricted Hessian). */
    public long parameters() {
        return parameters;
    }

    /**
     * True if the products ran on a copy with its kinks frozen (exact Hessian-vector products, the default); false
     * for plain central differences, which are biased where an activation or pooling window switches within the step.
     */
    public boolean kinksFrozen() {
        return kinksFrozen;
    }

    /**
     * The parts of the network whose products are not exact, as {@code "layer (what)"} entries: kinks that could not
     * be frozen (kinked losses such as L1 or hinge, kinks inside SameDiff layers), or every kink when
     * {@link #kinksFrozen()} is false. Empty when every product is exact.
     */
    public List<String> notExact() {
        return notExact;
    }

    /** Wall-clock time spent recording the kinked units' pieces at the probe point (part of {@link #elapsed()}). */
    public Duration recording() {
        return recording;
    }

    /** Hessian-vector products computed for this report. */
    public long hessianVectorProducts() {
        return hessianVectorProducts;
    }

    /** Gradient evaluations (two per product, plus one that records the kinks). */
    public long gradientEvaluations() {
        return gradientEvaluations;
    }

    /** Number of blocks {@code B}. */
    public int blockCount() {
        return labels.size();
    }

    /** Label of every block, indexed by block. */
    public List<BlockLabel> labels() {
        return labels;
    }

    /** The probed blocks, increasing. */
    public int[] probedBlocks() {
        return probedBlocks.clone();
    }

    /** True if block {@code j}'s column of norms was measured. */
    public boolean isProbed(int j) {
        return Arrays.binarySearch(probedBlocks, j) >= 0;
    }

    /** The paper's ratio: RMS off-diagonal block norm over RMS diagonal block norm. */
    public double pairwiseRatio() {
        return ratios.pairwiseRatio();
    }

    /** Standard error of {@link #pairwiseRatio()} (0 if exact, NaN if it cannot be estimated). */
    public double pairwiseRatioStandardError() {
        return ratios.pairwiseRatioStandardError();
    }

    /** {@code ||H_off||_F / ||H_diag||_F}. */
    public double offDiagonalMassRatio() {
        return ratios.offDiagonalMassRatio();
    }

    /** Standard error of {@link #offDiagonalMassRatio()}. */
    public double offDiagonalMassRatioStandardError() {
        return ratios.offDiagonalMassRatioStandardError();
    }

    /** RMS over {@code i != j} of {@code ||H_ij||_F}. */
    public double offDiagonalRms() {
        return ratios.offDiagonalRms();
    }

    /** RMS over {@code i} of {@code ||H_ii||_F}. */
    public double diagonalRms() {
        return ratios.diagonalRms();
    }

    /** {@code ||H_ij||_F^2} (unbiased in stochastic mode), NaN if neither block was probed. */
    public double squaredNorm(int i, int j) {
        int p = Arrays.binarySearch(probedBlocks, j);
        if (p >= 0) {
            return squaredNormColumns[p][i];
        }
        int q = Arrays.binarySearch(probedBlocks, i);
        return q >= 0 ? squaredNormColumns[q][j] : Double.NaN;
    }

    /** Standard error of {@link #squaredNorm(int, int)}. */
    public double squaredNormStandardError(int i, int j) {
        int p = Arrays.binarySearch(probedBlocks, j);
        if (p >= 0) {
            return squaredNormErrors[p][i];
        }
        int q = Arrays.binarySearch(probedBlocks, i);
        return q >= 0 ? squaredNormErrors[q][j] : Double.NaN;
    }

    /** {@code ||H_ij||_F}, NaN if neither block was probed. */
    public double blockNorm(int i, int j) {
        return Math.sqrt(squaredNorm(i, j));
    }

    /**
     * The matrix of block norms {@code ||H_ij||_F}, {@code B x B} (rows and columns labelled by {@link #labels()}),
     * with NaN where neither block was probed. A new array on every call: {@code 8 B^2} bytes.
     */
    public double[][] blockNorms() {
        int b = blockCount();
        double[][] m = new double[b][b];
        for (double[] row : m) {
            Arrays.fill(row, Double.NaN);
        }
        for (int p = 0; p < probedBlocks.length; p++) {
            int j = probedBlocks[p];
            for (int i = 0; i < b; i++) {
                double v = Math.sqrt(squaredNormColumns[p][i]);
                m[i][j] = v;
                if (!isProbed(i)) {
                    m[j][i] = v;
                }
            }
        }
        return m;
    }

    /** Largest Ritz value of the (restricted) Hessian: its top eigenvalue (NaN if Lanczos was off). */
    public double topEigenvalue() {
        return topEigenvalue;
    }

    /** Smallest Ritz value (negative curvature shows here). */
    public double bottomEigenvalue() {
        return bottomEigenvalue;
    }

    /** Lanczos steps taken for {@link #topEigenvalue()} (0 if off). */
    public int lanczosSteps() {
        return lanczosSteps;
    }

    /** Trace of the (restricted) Hessian: exact, or Hutchinson's estimate. */
    public double trace() {
        return trace.value();
    }

    /** Standard error of {@link #trace()}. */
    public double traceStandardError() {
        return trace.standardError();
    }

    /** {@code tr(H_jj)} of block {@code j}, NaN if it was not probed. */
    public double blockTrace(int j) {
        int p = Arrays.binarySearch(probedBlocks, j);
        return p >= 0 ? blockTraces[p].value() : Double.NaN;
    }

    /** Standard error of {@link #blockTrace(int)}. */
    public double blockTraceStandardError(int j) {
        int p = Arrays.binarySearch(probedBlocks, j);
        return p >= 0 ? blockTraces[p].standardError() : Double.NaN;
    }

    /** Top eigenvalue of {@code H_jj}, NaN if not computed (see the estimator's {@code blockEigenvalues}). */
    public double blockTopEigenvalue(int j) {
        int p = Arrays.binarySearch(probedBlocks, j);
        return p >= 0 ? blockTopEigenvalues[p] : Double.NaN;
    }

    /** Per-layer summaries, in parameter order. */
    public List<LayerSummary> layers() {
        return layers;
    }

    /** One line: the ratios with standard errors, spectrum, trace and cost. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "iteration %d (epoch %d): pairwiseRatio %.4g ± %.2g, offDiagonalMassRatio "
                        + "%.4g ± %.2g, top eigenvalue %.4g, bottom eigenvalue %.4g, trace %.4g ± %.2g "
                        + "[%s, %s, %d blocks (%d probed), %d parameters, %d Hessian-vector products, %d ms%s]",
                iteration, epoch, pairwiseRatio(), pairwiseRatioStandardError(), offDiagonalMassRatio(),
                offDiagonalMassRatioStandardError(), topEigenvalue, bottomEigenvalue, trace(), traceStandardError(),
                method, partition, blockCount(), probedBlocks.length, parameters, hessianVectorProducts,
                elapsed.toMillis(), notExact.isEmpty() ? "" : "; not exact: " + String.join(", ", notExact));
    }
}
