package dev.curvature.optimizers.arbiter;

import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A discrete choice among updater spaces, each with its own hyperparameter spaces, e.g. Adam vs Adam-mini vs Muon
 * with a learning-rate range each:
 *
 * <pre>{@code
 * UpdaterChoiceSpace updaters = UpdaterChoiceSpace.of(
 *         new AdamSpace(lrAdam, new FixedValue<>(0.9), new FixedValue<>(0.999), new FixedValue<>(1e-8)),
 *         AdamMiniSpace.withLR(lrAdamMini),
 *         MuonSpace.withLR(lrMuon));
 * MultiLayerSpace mls = new MultiLayerSpace.Builder().updater(updaters) ... .build();
 * }</pre>
 *
 * <p>Why not Arbiter's {@code DiscreteParameterSpace} over updater spaces: it is a leaf. It returns the chosen
 * element itself (a space, not an {@code IUpdater}) and it hides the elements' own hyperparameter spaces from
 * Arbiter, so those never get search dimensions. {@code DiscreteParameterSpace<IUpdater>} over fixed updaters works,
 * but cannot search each updater's learning rate. This space is a composite instead: one leaf (a
 * {@code DiscreteParameterSpace<Integer>} over option indices) picks the option, and the options' leaves are
 * exposed as nested spaces, so every hyperparameter of every option is a search dimension; the dimensions of
 * options not chosen are simply unused by that candidate (Arbiter's usual convention for conditional parameters).
 *
 * <p>Options may be any {@code ParameterSpace<IUpdater>}: this module's spaces, Arbiter's updater spaces, or a
 * {@code FixedValue} updater.
 */
public final class UpdaterChoiceSpace extends NestedUpdaterSpace {
    static {
        CurvatureTaskCreators.registerAsArbiterDefaults();
    }

    private final List<ParameterSpace<IUpdater>> options;
    private final DiscreteParameterSpace<Integer> choice;

    @JsonCreator
    private UpdaterChoiceSpace(@JsonProperty("options") List<ParameterSpace<IUpdater>> options,
                               @JsonProperty("choice") DiscreteParameterSpace<Integer> choice) {
        if (options == null || options.isEmpty()) {
            throw new IllegalArgumentException("UpdaterChoiceSpace: options must hold at least one updater space, got "
                    + options);
        }
        for (int i = 0; i < options.size(); i++) {
            if (options.get(i) == null) {
                throw new IllegalArgumentException("UpdaterChoiceSpace: option " + i + " is null");
            }
        }
        if (choice == null || choice.numValues() != options.size()) {
            throw new IllegalArgumentException("UpdaterChoiceSpace: the choice needs one value per option ("
                    + options.size() + "), got " + choice);
        }
        this.options = List.copyOf(options);
        this.choice = choice;
    }

    /** A uniform choice among {@code options}. */
    @SafeVarargs
    public static UpdaterChoiceSpace of(ParameterSpace<IUpdater>... options) {
        return of(options == null ? null : Arrays.asList(options));
    }

    /** A uniform choice among {@code options}. */
    public static UpdaterChoiceSpace of(List<ParameterSpace<IUpdater>> options) {
        if (options == null) {
            throw new IllegalArgumentException("UpdaterChoiceSpace: options must not be null");
        }
        Integer[] indices = new Integer[options.size()];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = i;
        }
        return new UpdaterChoiceSpace(new ArrayList<>(options), new DiscreteParameterSpace<>(indices));
    }

    /** The options, in order. */
    public List<ParameterSpace<IUpdater>> getOptions() {
        return options;
    }

    /** The leaf that picks the option (values: option indices). */
    public DiscreteParameterSpace<Integer> getChoice() {
        return choice;
    }

    /** Index of the option chosen at this point of the search space. */
    public int chosenOption(double[] parameterValues) {
        return choice.getValue(parameterValues);
    }

    /** The updater of the chosen option at this point of the search space. */
    @Override
    public IUpdater getValue(double[] parameterValues) {
        return options.get(chosenOption(parameterValues)).getValue(parameterValues);
    }

    /** {@code choice} and then {@code option0, option1, ...}: Arbiter walks these to find the search dimensions. */
    @Override
    public Map<String, ParameterSpace> getNestedSpaces() {
        Map<String, ParameterSpace> m = new LinkedHashMap<>();
        m.put("choice", choice);
        for (int i = 0; i < options.size(); i++) {
            m.put("option" + i, options.get(i));
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof UpdaterChoiceSpace s && options.equals(s.options) && choice.equals(s.choice);
    }

    @Override
    public int hashCode() {
        return Objects.hash("UpdaterChoiceSpace", options, choice);
    }

    @Override
    public String toString() {
        return "UpdaterChoiceSpace" + options;
    }
}
