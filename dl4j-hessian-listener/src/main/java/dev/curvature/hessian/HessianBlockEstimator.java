package dev.curvature.hessian;

import dev.curvature.hessian.internal.ProbeBatches;
import dev.curvature.hessian.internal.ProbeCopy;
import dev.curvature.hessian.math.BlockNormEstimate;
import dev.curvature.optimizers.internal.Checks;
import dev.curvature.hessian.math.BlockNormEstimator;
import dev.curvature.hessian.math.BlockSample;
import dev.curvature.hessian.math.BlockStructure;
import dev.curvature.hessian.math.FiniteDifferenceHvp;
import dev.curvature.hessian.math.LinearOperator;
import dev.curvature.hessian.math.RatioEstimate;
import dev.curvature.hessian.math.ScalarEstimate;
import dev.curvature.hessian.math.SpectralEstimator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Measures the block structure of the loss Hessian of a {@link MultiLayerNetwork} or {@link ComputationGraph} on
 * one batch, after Dong, Zhang, Luo, Yao, Sun 2025, "Towards Quantifying the Hessian Structure of Neural
 * Networks" (arXiv 2505.02809). See {@link BlockHessianReport} for the quantities and their definitions.
 *
 * <p>How, in three steps. <em>Plan</em>: the network is copied (a probe copy: DOUBLE, no dropout, no listeners; the
 * training network, its parameters, gradients, updater state and the global random stream are never touched), the
 * blocks of the {@link BlockPartition} are laid out and the probed ones chosen. <em>Operator</em>: the copy records the
 * piece every kinked unit is on at the current parameters (ReLU-family and hard activations, max pooling, PReLU,
 * element-wise max) and freezes it, so Hessian-vector products of the mean loss from central differences of its
 * gradients ({@link FiniteDifferenceHvp}) are exact where the network has kinks (docs/ALGORITHMS.md, section 5 "Exact
 * Hessian-vector products"), restricted to the partition's parameters. <em>Measure</em>:
 * <ul>
 *   <li>{@link Method#EXACT}: one product per parameter of each probed block gives exact block norms, diagonal
 *       blocks, block traces and block top eigenvalues. For small models: the parameters of the probed blocks are
 *       limited by {@code maxExactParameters}.</li>
 *   <li>{@link Method#STOCHASTIC}: {@code probesPerBlock} Rademacher probes supported on each probed block give
 *       unbiased squared block norms, {@code E ||(H z)_i||^2 = ||H_ij||_F^2}, and block traces, with standard
 *       errors.</li>
 *   <li>Both: the top and bottom eigenvalues of the restricted Hessian by {@code lanczosSteps} Lanczos steps, and
 *       its trace (exact in EXACT mode when every block is probed, otherwise Hutchinson's estimate from
 *       {@code traceProbes} Rademacher probes).</li>
 * </ul>
 *
 * <p>When fewer blocks are probed than there are ({@code maxBlocks < B}), they are drawn as a stratified sample,
 * an equal share from each layer, and estimates over all blocks weight each layer by its share of the blocks;
 * their standard errors include this block sampling.
 *
 * <p>Cost in Hessian-vector products (two gradient evaluations each on the probe batch): EXACT
 * {@code sum over probed blocks of their sizes}; STOCHASTIC {@code probesPerBlock * min(B, maxBlocks)}
 * (plus {@code lanczosSteps} per probed block with {@code blockEigenvalues}); plus {@code lanczosSteps} and
 * {@code traceProbes}. With the defaults: {@code 2 * 24 + 10 + 8 = 66} products per probe, plus one gradient
 * evaluation that records the kinks. Memory: the DOUBLE copy, a few vectors of the parameter count, the Lanczos basis
 * ({@code lanczosSteps} vectors), and the recorded pieces (about two activation-sized arrays per kinked layer).
 *
 * <p>Probes are seeded: the same estimator gives the same probe vectors and blocks at every call (common random
 * numbers), so changes between reports during training are changes of the Hessian, not of the probes.
 * Thread-safe: {@code estimate} keeps no state between calls apart from what it has warned about.
 */
public final class HessianBlockEstimator {
    private static final Logger LOG = LoggerFactory.getLogger(HessianBlockEstimator.class);

    /** How block norms are obtained. */
    public enum Method {
        /** One Hessian-vector product per parameter of the probed blocks: exact up to finite-difference error. */
        EXACT,
        /** Rademacher probes supported on one block: unbiased, with standard errors. */
        STOCHASTIC
    }

    public static final int DEFAULT_PROBES_PER_BLOCK = 2;
    /** Default {@code maxBlocks} in STOCHASTIC mode (EXACT probes every block by default). */
    public static final int DEFAULT_STOCHASTIC_MAX_BLOCKS = 24;
    public static final int DEFAULT_LANCZOS_STEPS = 10;
    public static final int DEFAULT_TRACE_PROBES = 8;
    public static final int DEFAULT_MAX_EXACT_PARAMETERS = 4096;
    public static final long DEFAULT_SEED = 2505_02809L;
    /** EXACT mode: Lanczos on an assembled diagonal block runs to its full size up to this many steps. */
    static final int EXACT_BLOCK_LANCZOS_CAP = 256;

    private final BlockPartition partition;
    private final Method method;
    private final int probesPerBlock;
    private final int maxBlocks;
    private final long seed;
    private final int lanczosSteps;
    private final int traceProbes;
    private final boolean blockEigenvalues;
    private final double relativeStep;
    private final int maxExactParameters;
    private final boolean freezeKinks;
    private final Set<Class<?>> warnedLayerTypes = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean warnedNotExact = new AtomicBoolean();

    private HessianBlockEstimator(Builder b) {
        this.partition = b.partition;
        this.method = b.method;
        this.probesPerBlock = b.probesPerBlock;
        this.maxBlocks = b.maxBlocks != null ? b.maxBlocks
                : (b.method == Method.EXACT ? Integer.MAX_VALUE : DEFAULT_STOCHASTIC_MAX_BLOCKS);
        this.seed = b.seed;
        this.lanczosSteps = b.lanczosSteps;
        this.traceProbes = b.traceProbes;
        this.blockEigenvalues = b.blockEigenvalues != null ? b.blockEigenvalues : b.method == Method.EXACT;
        this.relativeStep = b.relativeStep;
        this.maxExactParameters = b.maxExactParameters;
        this.freezeKinks = b.freezeKinks;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Probes the Hessian of {@code model}'s mean loss on {@code batch} at its current parameters.
     *
     * @throws IllegalArgumentException if the model type or batch is not supported, or the partition names unknown
     *                                  layers
     * @throws IllegalStateException    if EXACT mode would exceed {@code maxExactParameters}, or nothing is left to
     *                                  probe
     * @throws ArithmeticException      if the products are not finite (NaN or infinite loss or gradients)
     */
    public BlockHessianReport estimate(Model model, DataSet batch) {
        return estimate(model, ProbeBatches.toMulti(batch));
    }

    /** As {@link #estimate(Model, DataSet)}, for graphs with several inputs or outputs. */
    public BlockHessianReport estimate(Model model, MultiDataSet batch) {
        long iteration = model instanceof MultiLayerNetwork n ? n.getIterationCount()
                : model instanceof ComputationGraph g ? g.getIterationCount() : 0;
        int epoch = model instanceof MultiLayerNetwork n ? n.getEpochCount()
                : model instanceof ComputationGraph g ? g.getEpochCount() : 0;
        return estimate(model, batch, iteration, epoch);
    }

    BlockHessianReport estimate(Model model, MultiDataSet batch, long iteration, int epoch) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
             ProbeCopy copy = ProbeCopy.of(model, batch, freezeKinks)) {
            return estimate(copy, iteration, epoch);
        }
    }

    /**
     * Probes the Hessian of {@code copy}'s mean loss at its current parameters. The copy's kinks are recorded here,
     * so a copy refreshed in place ({@link ProbeCopy#refresh}) is measured as it is now.
     */
    BlockHessianReport estimate(ProbeCopy copy, long iteration, int epoch) {
        Instant timestamp = Instant.now();
        long start = System.nanoTime();
        warnNotExact(copy.kinks().notExact());
        Plan plan = plan(copy);
        long evaluationsBefore = copy.gradientEvaluations();
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
             ProbeRandom probeRandom = new ProbeRandom(seed);
             HessianOperator operator = HessianOperator.on(copy, relativeStep)) {
            LinearOperator hessian = plan.blocks().subspace().restrict(operator);
            BlockHessianReport.Builder report = BlockHessianReport.builder()
                    .when(iteration, epoch, timestamp)
                    .setup(partition.describe(), method, method == Method.EXACT ? 1 : probesPerBlock,
                            plan.blocks().structure().dimension())
                    .products(freezeKinks, copy.kinks().notExact(), operator.recording());
            measure(plan, hessian, operator.parameters().dataType(), probeRandom.rng, report);
            return report.cost(Duration.ofNanos(System.nanoTime() - start), operator.products(),
                    copy.gradientEvaluations() - evaluationsBefore).build();
        }
    }

    /** What to probe: the blocks, the sample of probed blocks, and the cost guard of EXACT mode. */
    private record Plan(ModelBlocks blocks, BlockSample sample) {
        int[] probed() {
            return sample.probed();
        }
    }

    private Plan plan(ProbeCopy copy) {
        ModelBlocks blocks = ModelBlocks.select(copy, partition, this::warnSkipped);
        BlockSample sample = BlockSample.stratified(blocks.groupBounds(), maxBlocks, seed);
        if (method == Method.EXACT) {
            long needed = 0;
            for (int j : sample.probed()) {
                needed += blocks.structure().blockSize(j);
            }
            if (needed > maxExactParameters) {
                throw new IllegalStateException("EXACT mode needs one Hessian-vector product per parameter of the "
                        + "probed blocks: " + needed + " > maxExactParameters " + maxExactParameters
                        + ". Use Method.STOCHASTIC, restrict the partition (BlockPartition.onlyLayers), lower "
                        + "maxBlocks, or raise maxExactParameters");
            }
        }
        return new Plan(blocks, sample);
    }

    /** Block norms, block and model spectra, traces and per-layer summaries, into {@code report}. */
    private void measure(Plan plan, LinearOperator hessian, DataType type, Random rng,
                         BlockHessianReport.Builder report) {
        BlockStructure structure = plan.blocks().structure();
        int[] groupBounds = plan.blocks().groupBounds();
        int[] probed = plan.probed();
        double[] blockTop = new double[probed.length];
        Arrays.fill(blockTop, Double.NaN);
        BlockNormEstimate norms;
        if (method == Method.EXACT) {
            BlockNormEstimator.DiagonalBlockConsumer eigen = !blockEigenvalues ? null : (j, hjj) -> {
                INDArray symmetric = hjj.add(hjj.transpose()).muli(0.5);
                int steps = (int) Math.min(hjj.rows(), EXACT_BLOCK_LANCZOS_CAP);
                blockTop[Arrays.binarySearch(probed, j)] =
                        SpectralEstimator.lanczos(LinearOperator.dense(symmetric), type, steps, rng).topEigenvalue();
                symmetric.close();
            };
            norms = BlockNormEstimator.exact(hessian, type, structure, plan.sample(), groupBounds, eigen);
        } else {
            norms = BlockNormEstimator.stochastic(hessian, type, structure, plan.sample(), groupBounds, probesPerBlock,
                    rng);
        }
        // fail before spending more products when the loss or gradient is not finite
        requireFinite(norms.allFinite());
        if (method == Method.STOCHASTIC && blockEigenvalues && lanczosSteps > 0) {
            for (int p = 0; p < probed.length; p++) {
                blockTop[p] = SpectralEstimator.lanczos(structure.diagonalBlock(hessian, probed[p]), type,
                        lanczosSteps, rng).topEigenvalue();
            }
        }

        double top = Double.NaN;
        double bottom = Double.NaN;
        int steps = 0;
        if (lanczosSteps > 0) {
            SpectralEstimator.LanczosResult l = SpectralEstimator.lanczos(hessian, type, lanczosSteps, rng);
            top = l.topEigenvalue();
            bottom = l.bottomEigenvalue();
            steps = l.steps();
            requireFinite(Double.isFinite(top) && Double.isFinite(bottom));
        }
        ScalarEstimate trace;
        if (method == Method.EXACT && plan.sample().complete()) {
            trace = norms.totalTrace();
        } else if (traceProbes > 0) {
            trace = SpectralEstimator.hutchinsonTrace(hessian, type, traceProbes, rng);
        } else {
            trace = norms.totalTrace();
        }
        requireFinite(Double.isFinite(trace.value()));

        ScalarEstimate[] blockTraces = new ScalarEstimate[probed.length];
        for (int p = 0; p < probed.length; p++) {
            blockTraces[p] = norms.blockTrace(p);
        }
        List<LayerSummary> layers = new ArrayList<>();
        for (int g = 0; g < norms.numGroups(); g++) {
            RatioEstimate r = norms.groupRatios(g);
            ScalarEstimate t = norms.groupTrace(g);
            layers.add(new LayerSummary(plan.blocks().groupNames().get(g), norms.groupSize(g), norms.probedInGroup(g),
                    plan.blocks().groupParameters(g), r.diagonalRms(), r.offDiagonalRms(), r.pairwiseRatio(),
                    r.pairwiseRatioStandardError(), r.offDiagonalMassRatio(), r.offDiagonalMassRatioStandardError(),
                    t.value(), t.standardError()));
        }
        report.blocks(plan.blocks().labels(), probed, norms.squaredNormColumns(), norms.squaredNormStandardErrors(),
                        norms.ratios())
                .spectrum(top, bottom, steps, blockTop)
                .traces(trace, blockTraces)
                .layers(layers);
    }

    private void warnNotExact(List<String> notExact) {
        if (!notExact.isEmpty() && warnedNotExact.compareAndSet(false, true)) {
            LOG.warn("Hessian probes are not exact for these parts of the network: {}. {} Other parts are exact. "
                    + "Reports list them in notExact(). Warned once per estimator.", notExact, freezeKinks
                    ? "Their gradient jumps where they switch branch, and they cannot be frozen at the probe point, "
                    + "so central differences that step across such a switch are biased."
                    : "freezeKinks(false) was chosen: central differences step across activation and pooling switches "
                    + "and are biased there (a negative trace is the visible symptom).");
        }
    }

    private static void requireFinite(boolean finite) {
        if (!finite) {
            throw new ArithmeticException("the Hessian probe produced non-finite values: the loss or its gradient is "
                    + "NaN or infinite at the current parameters on the probe batch");
        }
    }

    private void warnSkipped(Class<?> layerType, String layerName, String reason) {
        if (warnedLayerTypes.add(layerType)) {
            LOG.warn("Hessian block probes skip layer '{}' ({}): {}. Warned once per layer type.", layerName,
                    layerType.getSimpleName(), reason);
        }
    }

    public BlockPartition partition() {
        return partition;
    }

    public Method method() {
        return method;
    }

    public int probesPerBlock() {
        return probesPerBlock;
    }

    /** Maximum number of probed blocks (Integer.MAX_VALUE: all). */
    public int maxBlocks() {
        return maxBlocks;
    }

    public long seed() {
        return seed;
    }

    public int lanczosSteps() {
        return lanczosSteps;
    }

    public int traceProbes() {
        return traceProbes;
    }

    public boolean blockEigenvalues() {
        return blockEigenvalues;
    }

    public double relativeStep() {
        return relativeStep;
    }

    public int maxExactParameters() {
        return maxExactParameters;
    }

    /** Whether probe copies freeze their kinks (exact products). */
    public boolean freezeKinks() {
        return freezeKinks;
    }

    @Override
    public String toString() {
        return "HessianBlockEstimator[" + method + ", " + partition.describe() + ", probesPerBlock " + probesPerBlock
                + ", maxBlocks " + (maxBlocks == Integer.MAX_VALUE ? "all" : maxBlocks) + ", lanczosSteps "
                + lanczosSteps + ", traceProbes " + traceProbes + ", seed " + seed + (freezeKinks ? "" : ", kinks not frozen")
                + "]";
    }

    /** A private ND4J generator, closed after the probe; the global {@code Nd4j.getRandom()} is never used. */
    private static final class ProbeRandom implements AutoCloseable {
        final Random rng;

        ProbeRandom(long seed) {
            this.rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        }

        @Override
        public void close() {
            try {
                rng.close();
            } catch (Exception e) {
                LOG.debug("closing the probe random generator failed", e);
            }
        }
    }

    /** Builder; every setter validates its value and names the allowed range when it rejects one. */
    public static final class Builder {
        private BlockPartition partition = BlockPartition.perOutputNeuron();
        private Method method = Method.STOCHASTIC;
        private int probesPerBlock = DEFAULT_PROBES_PER_BLOCK;
        private Integer maxBlocks;
        private long seed = DEFAULT_SEED;
        private int lanczosSteps = DEFAULT_LANCZOS_STEPS;
        private int traceProbes = DEFAULT_TRACE_PROBES;
        private Boolean blockEigenvalues;
        private double relativeStep = FiniteDifferenceHvp.DEFAULT_RELATIVE_STEP;
        private int maxExactParameters = DEFAULT_MAX_EXACT_PARAMETERS;
        private boolean freezeKinks = true;

        private Builder() {
        }

        /** The block partition (default {@link BlockPartition#perOutputNeuron()}). */
        public Builder partition(BlockPartition partition) {
            this.partition = Checks.notNull("partition", partition);
            return this;
        }

        /** EXACT or STOCHASTIC (default STOCHASTIC). */
        public Builder method(Method method) {
            this.method = Checks.notNull("method", method, "EXACT or STOCHASTIC");
            return this;
        }

        /** Rademacher probes per probed block in STOCHASTIC mode, >= 1 (default 2; >= 2 for standard errors). */
        public Builder probesPerBlock(int probesPerBlock) {
            this.probesPerBlock = Checks.atLeast("probesPerBlock", probesPerBlock, 1);
            return this;
        }

        /**
         * At most this many blocks are probed, >= 1: an equal share from each layer, drawn at random with the seed
         * ({@link BlockSample#stratified}; give at least two per layer for standard errors). Default: all blocks in
         * EXACT mode, {@value HessianBlockEstimator#DEFAULT_STOCHASTIC_MAX_BLOCKS} in STOCHASTIC mode.
         */
        public Builder maxBlocks(int maxBlocks) {
            this.maxBlocks = Checks.atLeast("maxBlocks", maxBlocks, 1);
            return this;
        }

        /** Seed of the probe vectors and of the block sample. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Lanczos steps for the top/bottom eigenvalue, >= 0 (0: not computed; default 10). */
        public Builder lanczosSteps(int lanczosSteps) {
            this.lanczosSteps = Checks.atLeast("lanczosSteps", lanczosSteps, 0);
            return this;
        }

        /**
         * Hutchinson probes for the model trace when it is not known exactly, >= 0 (default 8; 0: estimate it from
         * the block probes instead).
         */
        public Builder traceProbes(int traceProbes) {
            this.traceProbes = Checks.atLeast("traceProbes", traceProbes, 0);
            return this;
        }

        /**
         * Whether to compute each probed block's top eigenvalue. Default: true in EXACT mode (from the assembled
         * block, no extra products), false in STOCHASTIC mode (it costs {@code lanczosSteps} products per block).
         */
        public Builder blockEigenvalues(boolean blockEigenvalues) {
            this.blockEigenvalues = blockEigenvalues;
            return this;
        }

        /** Finite-difference step relative to {@code max(1, ||theta||)}, in (0, 0.1] (default 1e-5). */
        public Builder relativeStep(double relativeStep) {
            this.relativeStep = FiniteDifferenceHvp.checkRelativeStep(relativeStep);
            return this;
        }

        /** EXACT mode refuses to probe more parameters than this, >= 1 (default 4096). */
        public Builder maxExactParameters(int maxExactParameters) {
            this.maxExactParameters = Checks.atLeast("maxExactParameters", maxExactParameters, 1);
            return this;
        }

        /**
         * Whether the probe copy freezes its kinks at the probe point (default true: exact Hessian-vector products on
         * ReLU-family and hard activations, max pooling, PReLU and element-wise max). False gives plain central
         * differences of the network's gradients, which are biased by {@code O(1/step)} terms wherever a unit switches
         * branch within the step; it is there to measure that bias and the cost of freezing.
         */
        public Builder freezeKinks(boolean freezeKinks) {
            this.freezeKinks = freezeKinks;
            return this;
        }

        public HessianBlockEstimator build() {
            return new HessianBlockEstimator(this);
        }
    }
}
