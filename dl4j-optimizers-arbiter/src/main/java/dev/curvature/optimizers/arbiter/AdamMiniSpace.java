package dev.curvature.optimizers.arbiter;

import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.internal.Checks;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;
import java.util.Objects;

/**
 * Arbiter hyperparameter space of {@link AdamMini} configurations, in the style of Arbiter's {@code AdamSpace}:
 * each hyperparameter (learning rate, beta1, beta2, epsilon, decoupled weight decay) is either fixed or an Arbiter
 * {@link ParameterSpace}; one left unset takes {@link AdamMini}'s default.
 *
 * <pre>{@code
 * AdamMiniSpace space = AdamMiniSpace.builder()
 *         .learningRate(new ContinuousParameterSpace(new LogUniformDistribution(1e-4, 1e-1)))
 *         .beta2(new ContinuousParameterSpace(0.95, 0.999))
 *         .weightDecay(0.01)
 *         .build();
 * MultiLayerSpace mls = new MultiLayerSpace.Builder().updater(space) ... .build();
 * }</pre>
 *
 * <p>Every value a space can produce is validated when the space is built, with {@link AdamMini}'s own rules
 * (learning rate and weight decay finite and {@code >= 0}, betas in {@code [0, 1)}, epsilon finite and {@code > 0}):
 * a range that reaches an invalid value is rejected with the hyperparameter, the value and the allowed range
 * (see {@link SpaceChecks} for which Arbiter spaces have a known range).
 *
 * <p>Candidates sampled from this space hold an un-stamped {@code AdamMini}: train them with a task creator from
 * {@link CurvatureTaskCreators}, which calls {@code Layouts.attach} on every candidate network (see there).
 * Serialised by Arbiter's Jackson mapper through the {@code @JsonProperty} constructor, like Arbiter's own spaces.
 */
public final class AdamMiniSpace extends NestedUpdaterSpace {
    private static final String NAME = "AdamMiniSpace";

    static {
        CurvatureTaskCreators.registerAsArbiterDefaults();
    }

    private final ParameterSpace<Double> learningRate;
    private final ParameterSpace<Double> beta1;
    private final ParameterSpace<Double> beta2;
    private final ParameterSpace<Double> epsilon;
    private final ParameterSpace<Double> weightDecay;

    @JsonCreator
    private AdamMiniSpace(@JsonProperty("learningRate") ParameterSpace<Double> learningRate,
                          @JsonProperty("beta1") ParameterSpace<Double> beta1,
                          @JsonProperty("beta2") ParameterSpace<Double> beta2,
                          @JsonProperty("epsilon") ParameterSpace<Double> epsilon,
                          @JsonProperty("weightDecay") ParameterSpace<Double> weightDecay) {
        SpaceChecks.check(NAME, "learningRate", learningRate, SpaceChecks.doubles(v -> Checks.nonNegative("learningRate", v)));
        SpaceChecks.check(NAME, "beta1", beta1, SpaceChecks.doubles(v -> Checks.unitInterval("beta1", v)));
        SpaceChecks.check(NAME, "beta2", beta2, SpaceChecks.doubles(v -> Checks.unitInterval("beta2", v)));
        SpaceChecks.check(NAME, "epsilon", epsilon, SpaceChecks.doubles(v -> Checks.positive("epsilon", v)));
        SpaceChecks.check(NAME, "weightDecay", weightDecay, SpaceChecks.doubles(v -> Checks.nonNegative("weightDecay", v)));
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    /** A space over the learning rate only; the other hyperparameters take {@link AdamMini}'s defaults. */
    public static AdamMiniSpace withLR(ParameterSpace<Double> learningRate) {
        return builder().learningRate(learningRate).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The learning-rate space, or null for {@link AdamMini#DEFAULT_LEARNING_RATE}. */
    public ParameterSpace<Double> getLearningRate() {
        return learningRate;
    }

    /** The beta1 space, or null for {@link AdamMini#DEFAULT_BETA1}. */
    public ParameterSpace<Double> getBeta1() {
        return beta1;
    }

    /** The beta2 space, or null for {@link AdamMini#DEFAULT_BETA2}. */
    public ParameterSpace<Double> getBeta2() {
        return beta2;
    }

    /** The epsilon space, or null for {@link AdamMini#DEFAULT_EPSILON}. */
    public ParameterSpace<Double> getEpsilon() {
        return epsilon;
    }

    /** The decoupled weight-decay space, or null for none. */
    public ParameterSpace<Double> getWeightDecay() {
        return weightDecay;
    }

    /** The {@link AdamMini} configuration for one point of the search space (validated by its builder). */
    @Override
    public IUpdater getValue(double[] parameterValues) {
        return AdamMini.builder()
                .learningRate(Spaces.valueOr(learningRate, parameterValues, AdamMini.DEFAULT_LEARNING_RATE))
                .beta1(Spaces.valueOr(beta1, parameterValues, AdamMini.DEFAULT_BETA1))
                .beta2(Spaces.valueOr(beta2, parameterValues, AdamMini.DEFAULT_BETA2))
                .epsilon(Spaces.valueOr(epsilon, parameterValues, AdamMini.DEFAULT_EPSILON))
                .weightDecay(Spaces.valueOr(weightDecay, parameterValues, AdamMini.DEFAULT_WEIGHT_DECAY))
                .build();
    }

    @Override
    public Map<String, ParameterSpace> getNestedSpaces() {
        return Spaces.nested("learningRate", learningRate, "beta1", beta1, "beta2", beta2, "epsilon", epsilon,
                "weightDecay", weightDecay);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AdamMiniSpace s)) {
            return false;
        }
        return Objects.equals(learningRate, s.learningRate) && Objects.equals(beta1, s.beta1)
                && Objects.equals(beta2, s.beta2) && Objects.equals(epsilon, s.epsilon)
                && Objects.equals(weightDecay, s.weightDecay);
    }

    @Override
    public int hashCode() {
        return Objects.hash(NAME, learningRate, beta1, beta2, epsilon, weightDecay);
    }

    @Override
    public String toString() {
        return NAME + getNestedSpaces();
    }

    /** Builder: each hyperparameter fixed (plain value) or searched (a {@link ParameterSpace}); unset = default. */
    public static final class Builder {
        private ParameterSpace<Double> learningRate;
        private ParameterSpace<Double> beta1;
        private ParameterSpace<Double> beta2;
        private ParameterSpace<Double> epsilon;
        private ParameterSpace<Double> weightDecay;

        private Builder() {
        }

        public Builder learningRate(double learningRate) {
            return learningRate(Spaces.fixed(learningRate));
        }

        public Builder learningRate(ParameterSpace<Double> learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder beta1(double beta1) {
            return beta1(Spaces.fixed(beta1));
        }

        public Builder beta1(ParameterSpace<Double> beta1) {
            this.beta1 = beta1;
            return this;
        }

        public Builder beta2(double beta2) {
            return beta2(Spaces.fixed(beta2));
        }

        public Builder beta2(ParameterSpace<Double> beta2) {
            this.beta2 = beta2;
            return this;
        }

        public Builder epsilon(double epsilon) {
            return epsilon(Spaces.fixed(epsilon));
        }

        public Builder epsilon(ParameterSpace<Double> epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Decoupled weight decay (see {@link AdamMini}); realised per layer by {@code Layouts.attach}. */
        public Builder weightDecay(double weightDecay) {
            return weightDecay(Spaces.fixed(weightDecay));
        }

        public Builder weightDecay(ParameterSpace<Double> weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * @throws IllegalArgumentException if a space can produce an invalid value (message: hyperparameter, space,
         *                                  value, allowed range)
         */
        public AdamMiniSpace build() {
            return new AdamMiniSpace(learningRate, beta1, beta2, epsilon, weightDecay);
        }
    }
}
