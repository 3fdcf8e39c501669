package dev.curvature.optimizers.internal;

import dev.curvature.optimizers.layout.ParamLayout;
import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Where a layout-aware updater's state comes from, in one place, so that the updaters' {@code applyUpdater} reads as
 * the algorithm. Three sources:
 * <ul>
 *   <li>a DL4J network: the layout stamped into the configuration names the parameters, and DL4J hands one flat
 *       slice of its network-wide state array, sized by {@code IUpdater.stateSize} once per parameter length;</li>
 *   <li>SameDiff: one variable, whose real shape arrives with its state view
 *       ({@code setStateViewArray(view, shape, order, init)}); its role follows {@link #sameDiffParam};</li>
 *   <li>a SameDiff state map being restored ({@code setState}): the stamp, or the shape of the map's main array,
 *       names the parameter.</li>
 * </ul>
 * The updater gets the parameters it covers and a rank-1 view of the state values (never a copy: DL4J and SameDiff
 * save exactly that array), and reports its state map in the variable's shape through {@link #asVariable}.
 */
public final class UpdaterState {
    private final ParamLayout params;
    private final INDArray values;
    private final long[] variableShape;
    private final char variableOrder;

    private UpdaterState(List<ParamSpec> params, INDArray values, long[] variableShape, char variableOrder) {
        this.params = new ParamLayout(params);
        this.values = values;
        this.variableShape = variableShape;
        this.variableOrder = variableOrder;
    }

    /**
     * The one rule that turns a SameDiff variable's shape into a role, for every optimizer: a variable with at least
     * two dimensions larger than 1 is a weight ({@link ParamRole#DENSE_WEIGHT}: Adam-mini keeps one block per index
     * of its last dimension, Muon orthogonalises it as {@code [prod(all but last), last]}); vectors, scalars and
     * shapes such as {@code [1, C]} or {@code [C, 1, 1]} are bias-like ({@link ParamRole#BIAS}: one block per
     * element, Muon's auxiliary updater).
     */
    public static ParamSpec sameDiffParam(long[] shape, char order) {
        int nonUnit = 0;
        for (long d : shape) {
            nonUnit += d > 1 ? 1 : 0;
        }
        ParamRole role = nonUnit >= 2 ? ParamRole.DENSE_WEIGHT : ParamRole.BIAS;
        return new ParamSpec("samediff", "variable", role, shape.length == 0 ? new long[] {1} : shape, order, false);
    }

    /**
     * State values DL4J reserves for a stamped parameter of length {@code numParams}. DL4J asks by length only, so
     * the answer is the largest need among the stamped parameters of that length; a parameter that needs less
     * leaves the rest of its slot unused.
     *
     * @param updater name for the error message
     * @param need    state values one parameter needs
     * @throws IllegalStateException if no stamped parameter has that length (the network changed since the stamp)
     */
    public static long stateSizeForLength(String updater, ParamLayout layout, long numParams,
                                          ToLongFunction<ParamSpec> need) {
        long best = -1;
        for (ParamSpec p : layout.params()) {
            if (p.length() == numParams) {
                best = Math.max(best, need.applyAsLong(p));
            }
        }
        if (best < 0) {
            throw new IllegalStateException(updater + " was stamped for " + layout.describe()
                    + " but DL4J asks for the state of a parameter of length " + numParams
                    + ": the network no longer matches its stamp; call Layouts.attach(net) again");
        }
        return best;
    }

    /** The state DL4J allocates for one updater block of a stamped layout: {@code stateSize} summed per parameter. */
    public static long stateLength(IUpdater config, ParamLayout layout) {
        long n = 0;
        for (ParamSpec p : layout.params()) {
            n += config.stateSize(p.length());
        }
        return n;
    }

    /**
     * A DL4J network's updater block: DL4J's flat state slice for the stamped {@code layout}.
     *
     * @param updater name for the error message
     * @throws IllegalStateException if the slice does not have the stamped layout's size
     */
    public static UpdaterState network(String updater, IUpdater config, ParamLayout layout, INDArray view,
                                       boolean initialize) {
        long expected = stateLength(config, layout);
        long got = view == null ? 0 : view.length();
        if (got != expected) {
            throw new IllegalStateException(updater + " stamped for " + layout.describe() + " expects " + expected
                    + " state values, DL4J gave " + got + ": the parameters of one layer sharing this updater are "
                    + "not contiguous in DL4J's layout, or the network changed since Layouts.attach");
        }
        return new UpdaterState(layout.params(), flat(view, initialize), null, 'c');
    }

    /**
     * One SameDiff variable of the given shape; {@code view} holds the state values SameDiff reserved for it.
     *
     * @param expected the state values the updater reserves for this variable ({@code stateSize(length)})
     */
    public static UpdaterState sameDiff(String updater, long[] shape, char order, INDArray view, long expected,
                                        boolean initialize) {
        ParamSpec spec = sameDiffParam(shape, order);
        long got = view == null ? 0 : view.length();
        if (got != expected) {
            throw new IllegalStateException(updater + " expected " + expected + " state values for a SameDiff "
                    + "variable of shape " + Arrays.toString(shape) + ", got " + got);
        }
        return new UpdaterState(List.of(spec), flat(view, initialize), shape.clone(), order);
    }

    /**
     * A SameDiff state map being restored: the stamped {@code layout} if there is one, else one variable with the
     * shape of {@code main}, the map's main array (whose values become {@link #values()}).
     */
    public static UpdaterState restored(ParamLayout layout, INDArray main, boolean initialize) {
        List<ParamSpec> params = layout != null ? layout.params()
                : List.of(sameDiffParam(main.shape(), main.ordering()));
        return new UpdaterState(params, flat(main, initialize), layout != null ? null : main.shape(), main.ordering());
    }

    private static INDArray flat(INDArray view, boolean initialize) {
        if (view == null || view.length() == 0) {
            return null;
        }
        if (initialize) {
            view.assign(0);
        }
        return Views.flat(view);
    }

    /** The parameters covered, in the order of the gradient (one for SameDiff). */
    public List<ParamSpec> params() {
        return params.params();
    }

    /** Gradient elements covered. */
    public long paramLength() {
        return params.length();
    }

    /** The state values, rank 1 (null when none are stored in the array the source provided). */
    public INDArray values() {
        return values;
    }

    /** True for a SameDiff variable, whose state maps are reported in its shape. */
    public boolean isSameDiff() {
        return variableShape != null;
    }

    /** {@code flat} (one value per gradient element) in the SameDiff variable's shape; unchanged for networks. */
    public INDArray asVariable(INDArray flat) {
        return variableShape != null ? flat.reshape(variableOrder, variableShape) : flat;
    }

    /** Describes the parameters for messages. */
    public String describe() {
        return isSameDiff() ? "SameDiff variable " + Arrays.toString(variableShape) : params.describe();
    }
}
