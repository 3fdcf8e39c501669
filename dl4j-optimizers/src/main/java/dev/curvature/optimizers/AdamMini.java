package dev.curvature.optimizers;

import dev.curvature.optimizers.internal.AdamMiniPartition;
import dev.curvature.optimizers.internal.Checks;
import dev.curvature.optimizers.internal.UpdaterState;
import dev.curvature.optimizers.layout.LayoutAware;
import dev.curvature.optimizers.layout.ParamLayout;
import dev.curvature.optimizers.layout.ParamSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;
import java.util.Objects;

/**
 * Adam-mini (Zhang et al. 2024, "Adam-mini: Use Fewer Learning Rates To Gain More", arXiv 2406.16793), following
 * the official implementation v1.1.1: Adam with ONE second-moment value per Hessian block instead of one per
 * parameter.
 *
 * <p>Per parameter tensor, step {@code t = iteration + 1}, block {@code b} of the partition
 * ({@link AdamMiniPartition}: one block per output neuron of dense/LSTM weights, per output channel of
 * convolutions, per token of embeddings, per head of attention queries/keys; one per element for biases; one per
 * tensor for norms):
 * <pre>
 *   m   &lt;- beta1 m + (1 - beta1) g
 *   v_b &lt;- beta2 v_b + (1 - beta2) mean_{i in b} g_i^2
 *   update = lr (m / (1 - beta1^t)) / (sqrt(v_b) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Epsilon is added to the bias-corrected root as in the reference (and PyTorch's Adam), not as in DL4J's
 * {@code Adam}, which adds it to the uncorrected root.
 *
 * <p><b>Weight decay</b> ({@link Builder#weightDecay}) is decoupled (AdamW style, {@code p <- p (1 - lr wd)}) and
 * applied to weights only, never to biases or norm parameters. DL4J updaters cannot see parameters, so
 * {@link Layouts#attach} realises it as DL4J's {@code WeightDecay(wd, applyLR = true)} regularization on each layer
 * that uses this updater, and refuses a layer that already has a {@code WeightDecay} (never both).
 *
 * <p><b>Memory:</b> {@code m} (N values) plus one {@code v} per block: for dense networks about N + (number of
 * neurons), half of Adam's 2N.
 *
 * <p><b>Layout:</b> DL4J hands updaters a flat slice of possibly merged parameters, so the partition must be
 * known from the configuration: call {@link Layouts#attach} on the network after {@code init()}. Training an
 * un-stamped network fails at its first step with a message naming that call. In SameDiff the shapes are passed
 * to the updater and no call is needed (see {@link AdamMiniUpdater}).
 */
public final class AdamMini implements LayoutAware {
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;
    public static final double DEFAULT_WEIGHT_DECAY = 0.0;

    @JsonProperty("learningRate")
    private double learningRate;
    @JsonProperty("learningRateSchedule")
    private ISchedule learningRateSchedule;
    @JsonProperty("beta1")
    private final double beta1;
    @JsonProperty("beta2")
    private final double beta2;
    @JsonProperty("epsilon")
    private final double epsilon;
    @JsonProperty("weightDecay")
    private final double weightDecay;
    @JsonProperty("layout")
    private final ParamLayout layout;

    /** Adam-mini with the defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public AdamMini() {
        this(DEFAULT_LEARNING_RATE);
    }

    /** Adam-mini with the given learning rate and default betas, epsilon and weight decay. */
    public AdamMini(double learningRate) {
        this(learningRate, null, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON, DEFAULT_WEIGHT_DECAY, null);
    }

    @JsonCreator
    private AdamMini(@JsonProperty("learningRate") double learningRate,
                     @JsonProperty("learningRateSchedule") ISchedule learningRateSchedule,
                     @JsonProperty("beta1") double beta1,
                     @JsonProperty("beta2") double beta2,
                     @JsonProperty("epsilon") double epsilon,
                     @JsonProperty("weightDecay") double weightDecay,
                     @JsonProperty("layout") ParamLayout layout) {
        this.learningRate = Checks.nonNegative("learningRate", learningRate);
        this.learningRateSchedule = learningRateSchedule;
        this.beta1 = Checks.unitInterval("beta1", beta1);
        this.beta2 = Checks.unitInterval("beta2", beta2);
        this.epsilon = Checks.positive("epsilon", epsilon);
        this.weightDecay = Checks.nonNegative("weightDecay", weightDecay);
        this.layout = layout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public double getLearningRate() {
        return learningRate;
    }

    public ISchedule getLearningRateSchedule() {
        return learningRateSchedule;
    }

    public double getBeta1() {
        return beta1;
    }

    public double getBeta2() {
        return beta2;
    }

    public double getEpsilon() {
        return epsilon;
    }

    public double getWeightDecay() {
        return weightDecay;
    }

    @Override
    public ParamLayout getLayout() {
        return layout;
    }

    @Override
    public AdamMini withLayout(ParamLayout newLayout) {
        return new AdamMini(learningRate, learningRateSchedule, beta1, beta2, epsilon, weightDecay, newLayout);
    }

    @Override
    public WeightDecay weightDecayFor(ParamSpec spec) {
        return spec.role().isMatrixWeight() && weightDecay > 0 ? new WeightDecay(weightDecay, true) : null;
    }

    /**
     * State per parameter: its {@code m} (numParams values) plus one {@code v} per block. For a stamped
     * configuration the number of blocks comes from the layout; without a layout (SameDiff, which passes shapes
     * only later) the state array holds {@code m} only and the updater keeps {@code v} itself.
     */
    @Override
    public long stateSize(long numParams) {
        if (layout == null) {
            return numParams;
        }
        return UpdaterState.stateSizeForLength("AdamMini", layout, numParams,
                p -> p.length() + AdamMiniPartition.blocks(p).numBlocks());
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        AdamMiniUpdater u = new AdamMiniUpdater(this);
        u.attachState(viewArray, initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        AdamMiniUpdater u = new AdamMiniUpdater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public AdamMini clone() {
        return new AdamMini(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(),
                beta1, beta2, epsilon, weightDecay, layout);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    /** Called by DL4J's {@code setLearningRate}; a NaN rate is accepted together with a schedule (DL4J's convention). */
    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = Checks.rateAfterSetLrAndSchedule(learningRate, lr, lrSchedule);
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AdamMini)) {
            return false;
        }
        AdamMini a = (AdamMini) o;
        return Double.compare(learningRate, a.learningRate) == 0 && Double.compare(beta1, a.beta1) == 0
                && Double.compare(beta2, a.beta2) == 0 && Double.compare(epsilon, a.epsilon) == 0
                && Double.compare(weightDecay, a.weightDecay) == 0
                && Objects.equals(learningRateSchedule, a.learningRateSchedule) && Objects.equals(layout, a.layout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, learningRateSchedule, beta1, beta2, epsilon, weightDecay, layout);
    }

    @Override
    public String toString() {
        return "AdamMini(lr=" + (learningRateSchedule != null ? learningRateSchedule : learningRate) + ", beta1="
                + beta1 + ", beta2=" + beta2 + ", eps=" + epsilon + ", weightDecay=" + weightDecay
                + (layout != null ? ", " + layout.params().size() + " params stamped" : ", no layout") + ")";
    }

    /** Builder; every value is validated by {@link #build()}. */
    public static final class Builder {
        private Double learningRate;
        private ISchedule learningRateSchedule;
        private double beta1 = DEFAULT_BETA1;
        private double beta2 = DEFAULT_BETA2;
        private double epsilon = DEFAULT_EPSILON;
        private double weightDecay = DEFAULT_WEIGHT_DECAY;

        private Builder() {
        }

        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** A learning-rate schedule; exclusive with {@link #learningRate(double)}. */
        public Builder learningRateSchedule(ISchedule schedule) {
            this.learningRateSchedule = schedule;
            return this;
        }

        public Builder beta1(double beta1) {
            this.beta1 = beta1;
            return this;
        }

        public Builder beta2(double beta2) {
            this.beta2 = beta2;
            return this;
        }

        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public AdamMini build() {
            double lr = Checks.rateOrSchedule(learningRate, learningRateSchedule, DEFAULT_LEARNING_RATE);
            return new AdamMini(lr, learningRateSchedule, beta1, beta2, epsilon, weightDecay, null);
        }
    }
}
