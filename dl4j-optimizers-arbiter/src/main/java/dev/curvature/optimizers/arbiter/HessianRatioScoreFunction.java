package dev.curvature.optimizers.arbiter;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.BlockPartition;
import dev.curvature.hessian.HessianBlockEstimator;
import org.deeplearning4j.arbiter.scoring.impl.BaseNetScoreFunction;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Locale;
import java.util.Objects;

/**
 * Arbiter {@link org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction} that scores a trained candidate by how
 * block-diagonal its loss Hessian is (Dong, Zhang, Luo, Yao, Sun 2025, arXiv 2505.02809), measured by
 * {@link HessianBlockEstimator} from {@code dl4j-hessian-listener}. Lower is more block-diagonal, so
 * {@link #minimize()} is true: a search with this score function answers "which configuration keeps the Hessian most
 * block-diagonal".
 *
 * <p><b>Which batch:</b> the <em>first minibatch</em> of the data source's test data ({@code DataSource.testData()},
 * or {@code DataProvider.testData(dataParameters)}): the iterator is reset if it supports reset, then {@code next()}
 * is called once (so the iterator's pre-processor applies). {@link DataSetIterator} and {@link MultiDataSetIterator}
 * test data (and their factories, via {@link BaseNetScoreFunction}) are supported, for {@link MultiLayerNetwork} and
 * {@link ComputationGraph} candidates.
 *
 * <p><b>What is returned:</b> {@link BlockHessianReport#pairwiseRatio()} ({@link Ratio#PAIRWISE}, the paper's
 * quantity, about {@code 1/C} for {@code C} classes at initialisation) or {@link BlockHessianReport#offDiagonalMassRatio()}
 * ({@link Ratio#OFF_DIAGONAL_MASS}) of {@code HessianBlockEstimator.estimate(model, firstTestBatch)}, with the estimator
 * built by {@link #estimator()}: the configured partition, method, probes per block, maximum number of probed blocks
 * and seed, and {@code lanczosSteps(0)}, {@code traceProbes(0)} (eigenvalues and trace are not needed for the ratios).
 * The estimator works on a DOUBLE copy of the network: the candidate, its parameters, updater state and the global
 * random stream are untouched. Probes are seeded, so all candidates are measured with the same probe vectors on the
 * same batch (common random numbers). A non-finite loss or gradient makes the estimator throw, which Arbiter records
 * as a failed candidate.
 *
 * <p><b>Defaults</b> (cheap): {@link Ratio#PAIRWISE}, {@link BlockPartition.Kind#PER_OUTPUT_NEURON},
 * {@link HessianBlockEstimator.Method#STOCHASTIC}, {@value HessianBlockEstimator#DEFAULT_PROBES_PER_BLOCK} probes per
 * block, at most {@value HessianBlockEstimator#DEFAULT_STOCHASTIC_MAX_BLOCKS} probed blocks (STOCHASTIC) or every block
 * (EXACT), seed {@value HessianBlockEstimator#DEFAULT_SEED}: {@code 2 * 24 = 48} Hessian-vector products, i.e. 96
 * gradient evaluations on one batch, per candidate. In STOCHASTIC mode with fewer probed blocks than blocks the result
 * is an estimate (its standard error is in the report, not in the score).
 *
 * <p>Serialisable with Arbiter's JSON mapper ({@code JsonMapper.getMapper()}), as Arbiter writes the optimisation
 * configuration (including the score function) to JSON; the fields are validated again when read.
 */
public final class HessianRatioScoreFunction extends BaseNetScoreFunction {
    private static final long serialVersionUID = 1L;

    /** Which ratio of {@link BlockHessianReport} is the score. */
    public enum Ratio {
        /** {@link BlockHessianReport#pairwiseRatio()}: RMS off-diagonal over RMS diagonal block norm. */
        PAIRWISE,
        /** {@link BlockHessianReport#offDiagonalMassRatio()}: {@code ||H_off||_F / ||H_diag||_F}. */
        OFF_DIAGONAL_MASS
    }

    /** Sentinel for {@code maxBlocks}: the estimator's default (all blocks in EXACT mode, 24 in STOCHASTIC mode). */
    public static final int DEFAULT_MAX_BLOCKS = 0;

    @JsonProperty("ratio")
    private final Ratio ratio;
    @JsonProperty("partition")
    private final BlockPartition.Kind partition;
    @JsonProperty("method")
    private final HessianBlockEstimator.Method method;
    @JsonProperty("probesPerBlock")
    private final int probesPerBlock;
    @JsonProperty("maxBlocks")
    private final int maxBlocks;
    @JsonProperty("seed")
    private final long seed;

    /** All defaults: pairwise ratio, per-output-neuron blocks, STOCHASTIC, 2 probes, 24 blocks, default seed. */
    public HessianRatioScoreFunction() {
        this(Ratio.PAIRWISE);
    }

    /** Defaults apart from the ratio. */
    public HessianRatioScoreFunction(Ratio ratio) {
        this(ratio, BlockPartition.Kind.PER_OUTPUT_NEURON, HessianBlockEstimator.Method.STOCHASTIC,
                HessianBlockEstimator.DEFAULT_PROBES_PER_BLOCK, DEFAULT_MAX_BLOCKS, HessianBlockEstimator.DEFAULT_SEED);
    }

    /**
     * @param ratio          which ratio is the score, not null
     * @param partition      the block partition rule, not null
     * @param method         EXACT or STOCHASTIC, not null
     * @param probesPerBlock Rademacher probes per probed block (STOCHASTIC), &gt;= 1
     * @param maxBlocks      at most this many blocks are probed, &gt;= 1, or {@link #DEFAULT_MAX_BLOCKS} (0) for the
     *                       estimator's default
     * @param seed           seed of the probe vectors and of the block sample
     * @throws IllegalArgumentException naming the parameter, its value and the allowed values
     */
    @JsonCreator
    public HessianRatioScoreFunction(@JsonProperty("ratio") Ratio ratio,
                                     @JsonProperty("partition") BlockPartition.Kind partition,
                                     @JsonProperty("method") HessianBlockEstimator.Method method,
                                     @JsonProperty("probesPerBlock") int probesPerBlock,
                                     @JsonProperty("maxBlocks") int maxBlocks,
                                     @JsonProperty("seed") long seed) {
        if (ratio == null) {
            throw new IllegalArgumentException("HessianRatioScoreFunction: ratio must not be null (PAIRWISE or "
                    + "OFF_DIAGONAL_MASS)");
        }
        if (partition == null) {
            throw new IllegalArgumentException("HessianRatioScoreFunction: partition must not be null (PER_TENSOR, "
                    + "PER_OUTPUT_NEURON or ADAM_MINI)");
        }
        if (method == null) {
            throw new IllegalArgumentException("HessianRatioScoreFunction: method must not be null (EXACT or "
                    + "STOCHASTIC)");
        }
        if (probesPerBlock < 1) {
            throw new IllegalArgumentException("HessianRatioScoreFunction: probesPerBlock must be >= 1, got "
                    + probesPerBlock);
        }
        if (maxBlocks < 0) {
            throw new IllegalArgumentException("HessianRatioScoreFunction: maxBlocks must be >= 1, or 0 for the "
                    + "estimator's default, got " + maxBlocks);
        }
        this.ratio = ratio;
        this.partition = partition;
        this.method = method;
        this.probesPerBlock = probesPerBlock;
        this.maxBlocks = maxBlocks;
        this.seed = seed;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The estimator this score function runs: exactly this, so callers can reproduce or inspect a score. */
    public HessianBlockEstimator estimator() {
        BlockPartition p = switch (partition) {
            case PER_TENSOR -> BlockPartition.perTensor();
            case PER_OUTPUT_NEURON -> BlockPartition.perOutputNeuron();
            case ADAM_MINI -> BlockPartition.adamMini();
        };
        HessianBlockEstimator.Builder b = HessianBlockEstimator.builder()
                .partition(p)
                .method(method)
                .probesPerBlock(probesPerBlock)
                .seed(seed)
                .lanczosSteps(0)
                .traceProbes(0);
        if (maxBlocks != DEFAULT_MAX_BLOCKS) {
            b.maxBlocks(maxBlocks);
        }
        return b.build();
    }

    /** The configured ratio of {@code report}. */
    public double ratioOf(BlockHessianReport report) {
        return ratio == Ratio.PAIRWISE ? report.pairwiseRatio() : report.offDiagonalMassRatio();
    }

    @Override
    public boolean minimize() {
        return true;
    }

    @Override
    public double score(MultiLayerNetwork net, DataSetIterator iterator) {
        return scoreModel(net, firstBatch(iterator));
    }

    @Override
    public double score(MultiLayerNetwork net, MultiDataSetIterator iterator) {
        return scoreModel(net, firstBatch(iterator));
    }

    @Override
    public double score(ComputationGraph graph, DataSetIterator iterator) {
        return scoreModel(graph, firstBatch(iterator));
    }

    @Override
    public double score(ComputationGraph graph, MultiDataSetIterator iterator) {
        return scoreModel(graph, firstBatch(iterator));
    }

    private double scoreModel(Model model, DataSet batch) {
        return ratioOf(estimator().estimate(model, batch));
    }

    private double scoreModel(Model model, MultiDataSet batch) {
        return ratioOf(estimator().estimate(model, batch));
    }

    /** The first minibatch of {@code iterator} (reset first if it supports reset). */
    static DataSet firstBatch(DataSetIterator iterator) {
        if (iterator.resetSupported()) {
            iterator.reset();
        }
        if (!iterator.hasNext()) {
            throw new IllegalStateException("HessianRatioScoreFunction: the test data iterator is empty");
        }
        return iterator.next();
    }

    /** The first minibatch of {@code iterator} (reset first if it supports reset). */
    static MultiDataSet firstBatch(MultiDataSetIterator iterator) {
        if (iterator.resetSupported()) {
            iterator.reset();
        }
        if (!iterator.hasNext()) {
            throw new IllegalStateException("HessianRatioScoreFunction: the test data iterator is empty");
        }
        return iterator.next();
    }

    public Ratio getRatio() {
        return ratio;
    }

    public BlockPartition.Kind getPartition() {
        return partition;
    }

    public HessianBlockEstimator.Method getMethod() {
        return method;
    }

    public int getProbesPerBlock() {
        return probesPerBlock;
    }

    /** The configured maximum of probed blocks, or {@link #DEFAULT_MAX_BLOCKS} (0) for the estimator's default. */
    public int getMaxBlocks() {
        return maxBlocks;
    }

    public long getSeed() {
        return seed;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HessianRatioScoreFunction f)) {
            return false;
        }
        return ratio == f.ratio && partition == f.partition && method == f.method
                && probesPerBlock == f.probesPerBlock && maxBlocks == f.maxBlocks && seed == f.seed;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof HessianRatioScoreFunction;
    }

    @Override
    public int hashCode() {
        return Objects.hash(ratio, partition, method, probesPerBlock, maxBlocks, seed);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "HessianRatioScoreFunction(ratio=%s, partition=%s, method=%s, probesPerBlock=%d, maxBlocks=%s, seed=%d)",
                ratio, partition, method, probesPerBlock, maxBlocks == DEFAULT_MAX_BLOCKS ? "default" : maxBlocks, seed);
    }

    /** Builder; unset values are the defaults of {@link #HessianRatioScoreFunction()}. */
    public static final class Builder {
        private Ratio ratio = Ratio.PAIRWISE;
        private BlockPartition.Kind partition = BlockPartition.Kind.PER_OUTPUT_NEURON;
        private HessianBlockEstimator.Method method = HessianBlockEstimator.Method.STOCHASTIC;
        private int probesPerBlock = HessianBlockEstimator.DEFAULT_PROBES_PER_BLOCK;
        private int maxBlocks = DEFAULT_MAX_BLOCKS;
        private long seed = HessianBlockEstimator.DEFAULT_SEED;

        private Builder() {
        }

        public Builder ratio(Ratio ratio) {
            this.ratio = ratio;
            return this;
        }

        public Builder partition(BlockPartition.Kind partition) {
            this.partition = partition;
            return this;
        }

        public Builder method(HessianBlockEstimator.Method method) {
            this.method = method;
            return this;
        }

        public Builder probesPerBlock(int probesPerBlock) {
            this.probesPerBlock = probesPerBlock;
            return this;
        }

        public Builder maxBlocks(int maxBlocks) {
            this.maxBlocks = maxBlocks;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @throws IllegalArgumentException as the constructor */
        public HessianRatioScoreFunction build() {
            return new HessianRatioScoreFunction(ratio, partition, method, probesPerBlock, maxBlocks, seed);
        }
    }
}
