package dev.curvature.optimizers.arbiter;

import dev.curvature.optimizers.Muon;
import dev.curvature.optimizers.internal.Checks;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;
import java.util.Objects;

/**
 * Arbiter hyperparameter space of {@link Muon} configurations, in the style of Arbiter's {@code AdamSpace}: each
 * hyperparameter is either fixed or an Arbiter {@link ParameterSpace}; one left unset takes {@link Muon}'s default.
 * Hyperparameters: learning rate, momentum, Nesterov, Newton-Schulz steps, scaling, weight decay, the auxiliary
 * updater (any {@code ParameterSpace<IUpdater>}: a fixed updater, Arbiter's {@code AdamSpace}, an
 * {@link AdamMiniSpace}, ...), the auxiliary's decoupled weight decay and whether the output layer is orthogonalised.
 *
 * <pre>{@code
 * MuonSpace space = MuonSpace.builder()
 *         .learningRate(new ContinuousParameterSpace(new LogUniformDistribution(1e-3, 0.1)))
 *         .momentum(new ContinuousParameterSpace(0.85, 0.98))
 *         .nsSteps(new IntegerParameterSpace(3, 6))
 *         .auxiliary(AdamMiniSpace.withLR(new ContinuousParameterSpace(1e-4, 1e-2)))
 *         .build();
 * }</pre>
 *
 * <p>Every value a space can produce is validated when the space is built, with {@link Muon}'s own rules (learning
 * rate and weight decays finite and {@code >= 0}, momentum in {@code [0, 1)}, {@code nsSteps >= 1}, the auxiliary
 * not Muon): a range that reaches an invalid value is rejected with the hyperparameter, the value and the allowed
 * range (see {@link SpaceChecks} for which Arbiter spaces have a known range).
 *
 * <p>Candidates hold an un-stamped {@code Muon}: train them with a task creator from {@link CurvatureTaskCreators}.
 */
public final class MuonSpace extends NestedUpdaterSpace {
    private static final String NAME = "MuonSpace";

    static {
        CurvatureTaskCreators.registerAsArbiterDefaults();
    }

    private final ParameterSpace<Double> learningRate;
    private final ParameterSpace<Double> momentum;
    private final ParameterSpace<Boolean> nesterov;
    private final ParameterSpace<Integer> nsSteps;
    private final ParameterSpace<Muon.Scaling> scaling;
    private final ParameterSpace<Double> weightDecay;
    private final ParameterSpace<IUpdater> auxiliary;
    private final ParameterSpace<Double> auxiliaryWeightDecay;
    private final ParameterSpace<Boolean> includeOutputLayer;

    @JsonCreator
    private MuonSpace(@JsonProperty("learningRate") ParameterSpace<Double> learningRate,
                      @JsonProperty("momentum") ParameterSpace<Double> momentum,
                      @JsonProperty("nesterov") ParameterSpace<Boolean> nesterov,
                      @JsonProperty("nsSteps") ParameterSpace<Integer> nsSteps,
                      @JsonProperty("scaling") ParameterSpace<Muon.Scaling> scaling,
                      @JsonProperty("weightDecay") ParameterSpace<Double> weightDecay,
                      @JsonProperty("auxiliary") ParameterSpace<IUpdater> auxiliary,
                      @JsonProperty("auxiliaryWeightDecay") ParameterSpace<Double> auxiliaryWeightDecay,
                      @JsonProperty("includeOutputLayer") ParameterSpace<Boolean> includeOutputLayer) {
        SpaceChecks.check(NAME, "learningRate", learningRate, SpaceChecks.doubles(v -> Checks.nonNegative("learningRate", v)));
        SpaceChecks.check(NAME, "momentum", momentum, SpaceChecks.doubles(v -> Checks.unitInterval("momentum", v)));
        SpaceChecks.check(NAME, "nesterov", nesterov, v -> requireType("nesterov", v, Boolean.class));
        SpaceChecks.check(NAME, "nsSteps", nsSteps, SpaceChecks.ints(v -> Checks.atLeast("nsSteps", v, 1)));
        SpaceChecks.check(NAME, "scaling", scaling, MuonSpace::toScaling);
        SpaceChecks.check(NAME, "weightDecay", weightDecay, SpaceChecks.doubles(v -> Checks.nonNegative("weightDecay", v)));
        if (auxiliary instanceof MuonSpace) {
            throw new IllegalArgumentException(NAME + ": auxiliary = " + auxiliary + " is a Muon space, but the auxiliary "
                    + "updater must not be Muon: it updates the parameters Muon cannot (biases, norms, embeddings, output)");
        }
        SpaceChecks.check(NAME, "auxiliary", auxiliary, v -> {
            if (v instanceof Muon) {
                throw new IllegalArgumentException("auxiliary must be a non-Muon IUpdater, got " + v);
            }
        });
        SpaceChecks.check(NAME, "auxiliaryWeightDecay", auxiliaryWeightDecay,
                SpaceChecks.doubles(v -> Checks.nonNegative("auxiliaryWeightDecay", v)));
        SpaceChecks.check(NAME, "includeOutputLayer", includeOutputLayer,
                v -> requireType("includeOutputLayer", v, Boolean.class));
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.nsSteps = nsSteps;
        this.scaling = scaling;
        this.weightDecay = weightDecay;
        this.auxiliary = auxiliary;
        this.auxiliaryWeightDecay = auxiliaryWeightDecay;
        this.includeOutputLayer = includeOutputLayer;
    }

    private static <T> T requireType(String name, Object v, Class<T> type) {
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException(name + " must be a " + type.getSimpleName() + ", got "
                    + (v == null ? "null" : v.getClass().getName()));
        }
        return type.cast(v);
    }

    /**
     * A scaling value: a {@link Muon.Scaling}, or its name. Arbiter's {@code DiscreteParameterSpace} writes enum values
     * to JSON as plain strings and reads them back as strings, so a deserialised scaling space yields names.
     */
    private static Muon.Scaling toScaling(Object v) {
        if (v instanceof Muon.Scaling s) {
            return s;
        }
        if (v instanceof String name) {
            for (Muon.Scaling s : Muon.Scaling.values()) {
                if (s.name().equals(name)) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("scaling must be one of " + java.util.Arrays.toString(Muon.Scaling.values())
                + ", got " + v);
    }

    /** A space over the learning rate only; the other hyperparameters take {@link Muon}'s defaults. */
    public static MuonSpace withLR(ParameterSpace<Double> learningRate) {
        return builder().learningRate(learningRate).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The learning-rate space, or null for {@link Muon#DEFAULT_LEARNING_RATE}. */
    public ParameterSpace<Double> getLearningRate() {
        return learningRate;
    }

    /** The momentum space, or null for {@link Muon#DEFAULT_MOMENTUM}. */
    public ParameterSpace<Double> getMomentum() {
        return momentum;
    }

    /** The Nesterov space, or null for Nesterov momentum (the default). */
    public ParameterSpace<Boolean> getNesterov() {
        return nesterov;
    }

    /** The Newton-Schulz step-count space, or null for {@link Muon#DEFAULT_NS_STEPS}. */
    public ParameterSpace<Integer> getNsSteps() {
        return nsSteps;
    }

    /** The scaling space, or null for {@link Muon.Scaling#SHAPE}. */
    public ParameterSpace<Muon.Scaling> getScaling() {
        return scaling;
    }

    /** The decoupled weight-decay space of the Muon matrices, or null for none. */
    public ParameterSpace<Double> getWeightDecay() {
        return weightDecay;
    }

    /** The auxiliary updater space, or null for {@link Muon#defaultAuxiliary()}. */
    public ParameterSpace<IUpdater> getAuxiliary() {
        return auxiliary;
    }

    /** The auxiliary's decoupled weight-decay space, or null for none. */
    public ParameterSpace<Double> getAuxiliaryWeightDecay() {
        return auxiliaryWeightDecay;
    }

    /** The space of "orthogonalise the output layer too", or null for false (the default). */
    public ParameterSpace<Boolean> getIncludeOutputLayer() {
        return includeOutputLayer;
    }

    /** The {@link Muon} configuration for one point of the search space (validated by its builder). */
    @Override
    public IUpdater getValue(double[] values) {
        return Muon.builder()
                .learningRate(Spaces.valueOr(learningRate, values, Muon.DEFAULT_LEARNING_RATE))
                .momentum(Spaces.valueOr(momentum, values, Muon.DEFAULT_MOMENTUM))
                .nesterov(nesterov == null || nesterov.getValue(values))
                .nsSteps(nsSteps == null ? Muon.DEFAULT_NS_STEPS : nsSteps.getValue(values))
                .scaling(scaling == null ? Muon.Scaling.SHAPE : toScaling(((ParameterSpace<?>) scaling).getValue(values)))
                .weightDecay(Spaces.valueOr(weightDecay, values, 0.0))
                .auxiliary(auxiliary == null ? Muon.defaultAuxiliary() : auxiliary.getValue(values))
                .auxiliaryWeightDecay(Spaces.valueOr(auxiliaryWeightDecay, values, 0.0))
                .includeOutputLayer(includeOutputLayer != null && includeOutputLayer.getValue(values))
                .build();
    }

    @Override
    public Map<String, ParameterSpace> getNestedSpaces() {
        return Spaces.nested("learningRate", learningRate, "momentum", momentum, "nesterov", nesterov,
                "nsSteps", nsSteps, "scaling", scaling, "weightDecay", weightDecay, "auxiliary", auxiliary,
                "auxiliaryWeightDecay", auxiliaryWeightDecay, "includeOutputLayer", includeOutputLayer);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MuonSpace s)) {
            return false;
        }
        return Objects.equals(learningRate, s.learningRate) && Objects.equals(momentum, s.momentum)
                && Objects.equals(nesterov, s.nesterov) && Objects.equals(nsSteps, s.nsSteps)
                && Objects.equals(scaling, s.scaling) && Objects.equals(weightDecay, s.weightDecay)
                && Objects.equals(auxiliary, s.auxiliary) && Objects.equals(auxiliaryWeightDecay, s.auxiliaryWeightDecay)
                && Objects.equals(includeOutputLayer, s.includeOutputLayer);
    }

    @Override
    public int hashCode() {
        return Objects.hash(NAME, learningRate, momentum, nesterov, nsSteps, scaling, weightDecay, auxiliary,
                auxiliaryWeightDecay, includeOutputLayer);
    }

    @Override
    public String toString() {
        return NAME + getNestedSpaces();
    }

    /** Builder: each hyperparameter fixed (plain value) or searched (a {@link ParameterSpace}); unset = default. */
    public static final class Builder {
        private ParameterSpace<Double> learningRate;
        private ParameterSpace<Double> momentum;
        private ParameterSpace<Boolean> nesterov;
        private ParameterSpace<Integer> nsSteps;
        private ParameterSpace<Muon.Scaling> scaling;
        private ParameterSpace<Double> weightDecay;
        private ParameterSpace<IUpdater> auxiliary;
        private ParameterSpace<Double> auxiliaryWeightDecay;
        private ParameterSpace<Boolean> includeOutputLayer;

        private Builder() {
        }

        public Builder learningRate(double learningRate) {
            return learningRate(Spaces.fixed(learningRate));
        }

        public Builder learningRate(ParameterSpace<Double> learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder momentum(double momentum) {
            return momentum(Spaces.fixed(momentum));
        }

        public Builder momentum(ParameterSpace<Double> momentum) {
            this.momentum = momentum;
            return this;
        }

        public Builder nesterov(boolean nesterov) {
            return nesterov(Spaces.fixed(nesterov));
        }

        /** E.g. Arbiter's {@code BooleanSpace} to search both. */
        public Builder nesterov(ParameterSpace<Boolean> nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        public Builder nsSteps(int nsSteps) {
            return nsSteps(Spaces.fixed(nsSteps));
        }

        public Builder nsSteps(ParameterSpace<Integer> nsSteps) {
            this.nsSteps = nsSteps;
            return this;
        }

        public Builder scaling(Muon.Scaling scaling) {
            return scaling(Spaces.fixed(scaling));
        }

        /** E.g. {@code new DiscreteParameterSpace<>(Muon.Scaling.values())}. */
        public Builder scaling(ParameterSpace<Muon.Scaling> scaling) {
            this.scaling = scaling;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            return weightDecay(Spaces.fixed(weightDecay));
        }

        public Builder weightDecay(ParameterSpace<Double> weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder auxiliary(IUpdater auxiliary) {
            return auxiliary(Spaces.fixed(auxiliary));
        }

        /** Any updater space except a Muon one, e.g. {@link AdamMiniSpace} or Arbiter's {@code AdamSpace}. */
        public Builder auxiliary(ParameterSpace<IUpdater> auxiliary) {
            this.auxiliary = auxiliary;
            return this;
        }

        public Builder auxiliaryWeightDecay(double auxiliaryWeightDecay) {
            return auxiliaryWeightDecay(Spaces.fixed(auxiliaryWeightDecay));
        }

        public Builder auxiliaryWeightDecay(ParameterSpace<Double> auxiliaryWeightDecay) {
            this.auxiliaryWeightDecay = auxiliaryWeightDecay;
            return this;
        }

        public Builder includeOutputLayer(boolean include) {
            return includeOutputLayer(Spaces.fixed(include));
        }

        public Builder includeOutputLayer(ParameterSpace<Boolean> include) {
            this.includeOutputLayer = include;
            return this;
        }

        /**
         * @throws IllegalArgumentException if a space can produce an invalid value (message: hyperparameter, space,
         *                                  value, allowed range)
         */
        public MuonSpace build() {
            return new MuonSpace(learningRate, momentum, nesterov, nsSteps, scaling, weightDecay, auxiliary,
                    auxiliaryWeightDecay, includeOutputLayer);
        }
    }
}
