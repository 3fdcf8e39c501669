package dev.curvature.optimizers;

import dev.curvature.optimizers.internal.Checks;
import dev.curvature.optimizers.internal.MuonPartition;
import dev.curvature.optimizers.internal.UpdaterState;
import dev.curvature.optimizers.layout.LayoutAware;
import dev.curvature.optimizers.layout.ParamLayout;
import dev.curvature.optimizers.layout.ParamSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Muon: momentum orthogonalised by Newton-Schulz, per weight matrix (Jordan et al. 2024, KellerJordan/Muon; the
 * same rule as {@code torch.optim.Muon} in PyTorch 2.9 and Moonlight). For each hidden 2-D weight {@code G}
 * (convolutions viewed as {@code [nOut, nIn*kH*kW]}, see {@link MuonPartition}):
 * <pre>
 *   buf &lt;- mu buf + (1 - mu) g
 *   u   &lt;- nesterov ? (1 - mu) g + mu buf : buf
 *   p   &lt;- p (1 - lr wd)                       (DL4J WeightDecay(wd, applyLR = true), added by Layouts.attach)
 *   p   &lt;- p - lr s NS_k(u)
 * </pre>
 * with scale {@code s = sqrt(max(1, fanOut / fanIn))} ({@link Scaling#SHAPE}, the default) or
 * {@code s = 0.2 sqrt(max(fanIn, fanOut))} ({@link Scaling#MATCH_ADAMW_RMS}, Moonlight: reuses AdamW's lr and
 * weight decay). Everything else (biases, norms, embeddings and, by default, the output layer's weights) is
 * updated by the {@link Builder#auxiliary auxiliary} updater inside the same Muon updater; its default is DL4J's
 * {@code Adam(3e-4, 0.9, 0.95, 1e-10)} (AdamW without decay; {@link Builder#auxiliaryWeightDecay} adds decoupled
 * decay {@code p <- p (1 - auxLr auxWd)} with the auxiliary's base learning rate).
 *
 * <p>Defaults: lr 0.02, momentum 0.95, Nesterov, 5 Newton-Schulz steps, no weight decay.
 * <b>Memory:</b> one momentum buffer per Muon parameter (like SGD with momentum) plus the auxiliary's state for the
 * rest. <b>Cost</b> per {@code m x n} matrix ({@code m <= n}): about {@code k (4 m^2 n + 2 m^3)} flops.
 *
 * <p>Like {@link AdamMini} it needs the parameter layout: call {@link Layouts#attach} on the network after
 * {@code init()}; an un-stamped Muon fails at the first step instead of silently degrading to momentum SGD.
 * In SameDiff, variables with at least two dimensions larger than 1 are orthogonalised as
 * {@code [prod(all but last), last]}; the others (vectors, {@code [1, C]} biases) go to the auxiliary updater, the
 * same rule by which {@link AdamMini} gives them one block per element.
 */
public final class Muon implements LayoutAware {
    public static final double DEFAULT_LEARNING_RATE = 0.02;
    public static final double DEFAULT_MOMENTUM = 0.95;
    public static final int DEFAULT_NS_STEPS = 5;

    /** How the orthogonalised update is scaled per matrix. */
    public enum Scaling {
        /** {@code sqrt(max(1, fanOut / fanIn))}: KellerJordan/Muon, torch "original". */
        SHAPE,
        /** {@code 0.2 sqrt(max(fanIn, fanOut))}: Moonlight, torch "match_rms_adamw". */
        MATCH_ADAMW_RMS
    }

    @JsonProperty("learningRate")
    private double learningRate;
    @JsonProperty("learningRateSchedule")
    private ISchedule learningRateSchedule;
    @JsonProperty("momentum")
    private final double momentum;
    @JsonProperty("nesterov")
    private final boolean nesterov;
    @JsonProperty("nsSteps")
    private final int nsSteps;
    @JsonProperty("weightDecay")
    private final double weightDecay;
    @JsonProperty("scaling")
    private final Scaling scaling;
    @JsonProperty("auxiliary")
    private final IUpdater auxiliary;
    @JsonProperty("auxiliaryWeightDecay")
    private final double auxiliaryWeightDecay;
    @JsonProperty("includeOutputLayer")
    private final boolean includeOutputLayer;
    @JsonProperty("layout")
    private final ParamLayout layout;

    /** Muon with the defaults. */
    public Muon() {
        this(DEFAULT_LEARNING_RATE);
    }

    /** Muon with the given learning rate and the other defaults. */
    public Muon(double learningRate) {
        this(learningRate, null, DEFAULT_MOMENTUM, true, DEFAULT_NS_STEPS, 0.0, Scaling.SHAPE, defaultAuxiliary(),
                0.0, false, null);
    }

    /** The default auxiliary updater: AdamW's defaults in Muon (lr 3e-4, betas (0.9, 0.95), eps 1e-10). */
    public static IUpdater defaultAuxiliary() {
        return new Adam(3e-4, 0.9, 0.95, 1e-10);
    }

    @JsonCreator
    private Muon(@JsonProperty("learningRate") double learningRate,
                 @JsonProperty("learningRateSchedule") ISchedule learningRateSchedule,
                 @JsonProperty("momentum") double momentum,
                 @JsonProperty("nesterov") boolean nesterov,
                 @JsonProperty("nsSteps") int nsSteps,
                 @JsonProperty("weightDecay") double weightDecay,
                 @JsonProperty("scaling") Scaling scaling,
                 @JsonProperty("auxiliary") IUpdater auxiliary,
                 @JsonProperty("auxiliaryWeightDecay") double auxiliaryWeightDecay,
                 @JsonProperty("includeOutputLayer") boolean includeOutputLayer,
                 @JsonProperty("layout") ParamLayout layout) {
        this.learningRate = Checks.nonNegative("learningRate", learningRate);
        this.learningRateSchedule = learningRateSchedule;
        this.momentum = Checks.unitInterval("momentum", momentum);
        this.nesterov = nesterov;
        this.nsSteps = Checks.atLeast("nsSteps", nsSteps, 1);
        this.weightDecay = Checks.nonNegative("weightDecay", weightDecay);
        this.scaling = Checks.notNull("scaling", scaling);
        this.auxiliary = Checks.notNull("auxiliary", auxiliary);
        if (auxiliary instanceof Muon) {
            throw new IllegalArgumentException("auxiliary must not be Muon: it updates the parameters Muon cannot");
        }
        this.auxiliaryWeightDecay = Checks.nonNegative("auxiliaryWeightDecay", auxiliaryWeightDecay);
        if (auxiliaryWeightDecay > 0 && !auxiliary.hasLearningRate()) {
            throw new IllegalArgumentException("auxiliaryWeightDecay needs an auxiliary updater with a learning rate, got "
                    + auxiliary);
        }
        this.includeOutputLayer = includeOutputLayer;
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

    public double getMomentum() {
        return momentum;
    }

    public boolean isNesterov() {
        return nesterov;
    }

    public int getNsSteps() {
        return nsSteps;
    }

    public double getWeightDecay() {
        return weightDecay;
    }

    public Scaling getScaling() {
        return scaling;
    }

    public IUpdater getAuxiliary() {
        return auxiliary;
    }

    public double getAuxiliaryWeightDecay() {
        return auxiliaryWeightDecay;
    }

    /** True when output-layer weights are orthogonalised too (default false: auxiliary updater). */
    public boolean isIncludeOutputLayer() {
        return includeOutputLayer;
    }

    @Override
    public ParamLayout getLayout() {
        return layout;
    }

    @Override
    public Muon withLayout(ParamLayout newLayout) {
        return new Muon(learningRate, learningRateSchedule, momentum, nesterov, nsSteps, weightDecay, scaling,
                auxiliary, auxiliaryWeightDecay, includeOutputLayer, newLayout);
    }

    /**
     * The shapes {@code [rows, cols]} of the matrices this stamped configuration orthogonalises (in layout order;
     * empty without a layout): what Newton-Schulz costs per step, {@code NewtonSchulz.flops(rows, cols, nsSteps)}
     * each.
     */
    public List<long[]> orthogonalizedShapes() {
        List<long[]> shapes = new ArrayList<>();
        if (layout != null) {
            for (ParamSpec p : layout.params()) {
                MuonPartition.MuonMatrix mm = matrixOf(p);
                if (mm != null) {
                    shapes.add(new long[] {mm.rows(), mm.cols()});
                }
            }
        }
        return shapes;
    }

    /** The Muon matrix of a parameter, or null when the auxiliary updater handles it. */
    MuonPartition.MuonMatrix matrixOf(ParamSpec spec) {
        return MuonPartition.matrix(spec, includeOutputLayer);
    }

    /** The auxiliary configuration for one parameter (stamped with that parameter if it is layout-aware). */
    IUpdater auxiliaryFor(ParamSpec spec) {
        return auxiliary instanceof LayoutAware la ? la.withLayout(ParamLayout.of(spec)) : auxiliary;
    }

    @Override
    public WeightDecay weightDecayFor(ParamSpec spec) {
        if (matrixOf(spec) != null) {
            return weightDecay > 0 ? new WeightDecay(weightDecay, true) : null;
        }
        if (auxiliaryWeightDecay > 0 && spec.role().isMatrixWeight()) {
            // applyLR = false: the coefficient already holds the auxiliary's (not Muon's) learning rate
            return new WeightDecay(auxiliaryWeightDecay * auxiliary.getLearningRate(0, 0), false);
        }
        return null;
    }

    /** State values one stamped parameter uses: its momentum buffer, or the auxiliary's state. */
    long stateFor(ParamSpec spec) {
        return matrixOf(spec) != null ? spec.length() : auxiliaryFor(spec).stateSize(spec.length());
    }

    /**
     * State per parameter, as DL4J asks for it (by length only). Stamped: the largest need among the stamped
     * parameters of that length. Un-stamped (SameDiff, where shapes arrive later): enough for either treatment.
     */
    @Override
    public long stateSize(long numParams) {
        if (layout == null) {
            return Math.max(numParams, auxiliary.stateSize(numParams));
        }
        return UpdaterState.stateSizeForLength("Muon", layout, numParams, this::stateFor);
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        MuonUpdater u = new MuonUpdater(this);
        u.attachState(viewArray, initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        MuonUpdater u = new MuonUpdater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public Muon clone() {
        return new Muon(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(), momentum,
                nesterov, nsSteps, weightDecay, scaling, auxiliary.clone(), auxiliaryWeightDecay, includeOutputLayer,
                layout);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    /** Called by DL4J's {@code setLearningRate}; changes Muon's rate, not the auxiliary's. */
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
        if (!(o instanceof Muon)) {
            return false;
        }
        Muon m = (Muon) o;
        return Double.compare(learningRate, m.learningRate) == 0 && Double.compare(momentum, m.momentum) == 0
                && nesterov == m.nesterov && nsSteps == m.nsSteps && Double.compare(weightDecay, m.weightDecay) == 0
                && scaling == m.scaling && Double.compare(auxiliaryWeightDecay, m.auxiliaryWeightDecay) == 0
                && includeOutputLayer == m.includeOutputLayer && Objects.equals(learningRateSchedule, m.learningRateSchedule)
                && auxiliary.equals(m.auxiliary) && Objects.equals(layout, m.layout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, learningRateSchedule, momentum, nesterov, nsSteps, weightDecay, scaling,
                auxiliary, auxiliaryWeightDecay, includeOutputLayer, layout);
    }

    @Override
    public String toString() {
        return "Muon(lr=" + (learningRateSchedule != null ? learningRateSchedule : learningRate) + ", momentum="
                + momentum + ", nesterov=" + nesterov + ", nsSteps=" + nsSteps + ", weightDecay=" + weightDecay
                + ", scaling=" + scaling + ", auxiliary=" + auxiliary + ", auxiliaryWeightDecay=" + auxiliaryWeightDecay
                + (includeOutputLayer ? ", output layer included" : "")
                + (layout != null ? ", " + layout.params().size() + " params stamped" : ", no layout") + ")";
    }

    /** Builder; every value is validated by {@link #build()}. */
    public static final class Builder {
        private Double learningRate;
        private ISchedule learningRateSchedule;
        private double momentum = DEFAULT_MOMENTUM;
        private boolean nesterov = true;
        private int nsSteps = DEFAULT_NS_STEPS;
        private double weightDecay;
        private Scaling scaling = Scaling.SHAPE;
        private IUpdater auxiliary = defaultAuxiliary();
        private double auxiliaryWeightDecay;
        private boolean includeOutputLayer;

        private Builder() {
        }

        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** A learning-rate schedule for the Muon parameters; exclusive with {@link #learningRate(double)}. */
        public Builder learningRateSchedule(ISchedule schedule) {
            this.learningRateSchedule = schedule;
            return this;
        }

        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        public Builder nsSteps(int nsSteps) {
            this.nsSteps = nsSteps;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder scaling(Scaling scaling) {
            this.scaling = scaling;
            return this;
        }

        /** The updater for parameters Muon does not orthogonalise (any DL4J updater, or {@link AdamMini}). */
        public Builder auxiliary(IUpdater auxiliary) {
            this.auxiliary = auxiliary;
            return this;
        }

        /** Decoupled weight decay of the auxiliary's weight matrices (embeddings, output layer), with its lr. */
        public Builder auxiliaryWeightDecay(double auxiliaryWeightDecay) {
            this.auxiliaryWeightDecay = auxiliaryWeightDecay;
            return this;
        }

        /** Orthogonalise the output layer's weights too (default false). */
        public Builder includeOutputLayer(boolean include) {
            this.includeOutputLayer = include;
            return this;
        }

        public Muon build() {
            double lr = Checks.rateOrSchedule(learningRate, learningRateSchedule, DEFAULT_LEARNING_RATE);
            return new Muon(lr, learningRateSchedule, momentum, nesterov, nsSteps, weightDecay, scaling, auxiliary,
                    auxiliaryWeightDecay, includeOutputLayer, null);
        }
    }
}
