package dev.curvature.optimizers;

import dev.curvature.optimizers.internal.Level1;
import dev.curvature.optimizers.internal.Moments;
import dev.curvature.optimizers.internal.MuonPartition.MuonMatrix;
import dev.curvature.optimizers.internal.UpdaterState;
import dev.curvature.optimizers.internal.Views;
import dev.curvature.optimizers.layout.ParamLayout;
import dev.curvature.optimizers.layout.ParamSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * State and step of {@link Muon}. The state slice holds, per parameter in DL4J's order, a slot of
 * {@code Muon.stateSize(length)} values: the momentum buffer of a Muon matrix, or the auxiliary updater's state.
 * The buffer is stored as {@code buf / (1 - momentum)} so its update is {@code B <- mu B + g}
 * ({@link Moments#accumulate}); Newton-Schulz is scale invariant, and the factor is folded exactly into its
 * normaliser ({@code ||u||_F + 1e-7 = (1 - mu)(||u'||_F + 1e-7 / (1 - mu))}). {@link UpdaterState} resolves where
 * the state comes from (stamped network, SameDiff variable, restored state map).
 *
 * <p>A non-finite gradient of a Muon matrix fails the step before its state changes.
 */
public final class MuonUpdater implements GradientUpdater<Muon> {
    /** Key of a Muon parameter's momentum buffer in {@link #getState()}. */
    public static final String MOMENTUM_STATE = "momentum";
    /** Prefix of the auxiliary updater's keys in {@link #getState()}. */
    public static final String AUX_PREFIX = "aux:";

    private final Muon config;
    private UpdaterState state;
    private List<Slot> slots;
    /** The gradient the slot views below were taken from; DL4J passes views of the same memory at every step. */
    private INDArray preparedFor;
    private INDArray[] gradientSlices;
    private INDArray[] gradientMatrices;

    /**
     * One parameter: either a Muon matrix with its buffer (as the matrix and as the flat slice it views, in the
     * gradient slice's memory order; both views built once), or an auxiliary updater over its gradient slice.
     */
    private record Slot(ParamSpec spec, long offset, MuonMatrix matrix, INDArray buffer, INDArray flatBuffer,
                        GradientUpdater<?> aux) {
        static Slot muon(ParamSpec spec, long offset, MuonMatrix matrix, INDArray flatBuffer) {
            return new Slot(spec, offset, matrix, Views.reshape(flatBuffer, matrix.order(), matrix.rows(),
                    matrix.cols()), flatBuffer, null);
        }

        static Slot auxiliary(ParamSpec spec, long offset, GradientUpdater<?> aux) {
            return new Slot(spec, offset, null, null, null, aux);
        }
    }

    public MuonUpdater(Muon config) {
        this.config = config;
    }

    @Override
    public Muon getConfig() {
        return config;
    }

    /** Called by {@link Muon#instantiate(INDArray, boolean)} with DL4J's flat state slice. */
    void attachState(INDArray view, boolean initialize) {
        ParamLayout layout = config.getLayout();
        if (layout == null) {
            return; // network without a stamp (fails at the first step), or SameDiff (shape comes next)
        }
        bind(UpdaterState.network("Muon", config, layout, view, initialize), initialize);
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] shape, char order, boolean initialize) {
        if (config.getLayout() != null) {
            attachState(viewArray, initialize);
            return;
        }
        long length = 1;
        for (long d : shape) {
            length *= d;
        }
        bind(UpdaterState.sameDiff("Muon", shape, order, viewArray, config.stateSize(length), initialize), initialize);
    }

    /** Carves the state values into one slot per parameter, each {@code Muon.stateSize(length)} long. */
    private void bind(UpdaterState source, boolean initialize) {
        List<Slot> list = new ArrayList<>();
        long paramOffset = 0;
        long stateOffset = 0;
        for (ParamSpec spec : source.params()) {
            long used = config.stateFor(spec);
            INDArray slot = used == 0 ? null
                    : source.values().get(NDArrayIndex.interval(stateOffset, stateOffset + used));
            MuonMatrix matrix = config.matrixOf(spec);
            list.add(matrix != null ? Slot.muon(spec, paramOffset, matrix, slot)
                    : Slot.auxiliary(spec, paramOffset, config.auxiliaryFor(spec).instantiate(slot, initialize)));
            paramOffset += spec.length();
            stateOffset += config.stateSize(spec.length()); // DL4J allocates by length; an unused tail is padding
        }
        this.state = source;
        this.slots = list;
        this.preparedFor = null;
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        if (config.getLayout() != null) {
            throw new IllegalStateException("a stamped Muon restores its state through DL4J's flat state array");
        }
        INDArray buffer = stateMap.get(MOMENTUM_STATE);
        if (buffer != null) {
            UpdaterState restored = UpdaterState.restored(null, buffer, initialize);
            ParamSpec spec = restored.params().get(0);
            MuonMatrix matrix = config.matrixOf(spec);
            if (matrix == null) {
                throw new IllegalStateException("Muon momentum state of shape " + Arrays.toString(buffer.shape())
                        + " is not a matrix");
            }
            state = restored;
            slots = List.of(Slot.muon(spec, 0, matrix, restored.values()));
        } else {
            Map<String, INDArray> aux = new HashMap<>();
            for (Map.Entry<String, INDArray> e : stateMap.entrySet()) {
                if (!e.getKey().startsWith(AUX_PREFIX)) {
                    throw new IllegalStateException("unexpected Muon state key '" + e.getKey() + "'");
                }
                aux.put(e.getKey().substring(AUX_PREFIX.length()), e.getValue());
            }
            state = UpdaterState.restored(null, aux.values().iterator().next(), false);
            ParamSpec spec = state.params().get(0);
            slots = List.of(Slot.auxiliary(spec, 0, config.auxiliaryFor(spec).instantiate(aux, initialize)));
        }
        preparedFor = null;
    }

    @Override
    public Map<String, INDArray> getState() {
        Map<String, INDArray> map = new HashMap<>();
        if (state == null || !state.isSameDiff()) {
            return map; // networks persist the flat state array instead
        }
        Slot s = slots.get(0);
        if (s.matrix() != null) {
            map.put(MOMENTUM_STATE, state.asVariable(s.flatBuffer()));
        } else {
            for (Map.Entry<String, INDArray> e : s.aux().getState().entrySet()) {
                map.put(AUX_PREFIX + e.getKey(), e.getValue());
            }
        }
        return map;
    }

    /** Each slot's slice of {@code gradient} (and its matrix view), taken once per gradient memory. */
    private void prepare(INDArray gradient) {
        INDArray g = Views.flat(gradient);
        if (g.length() != state.paramLength()) {
            throw new IllegalStateException("Muon expected a gradient of " + state.paramLength() + " values, got "
                    + g.length());
        }
        if (Views.sameMemory(g, preparedFor)) {
            return;
        }
        gradientSlices = new INDArray[slots.size()];
        gradientMatrices = new INDArray[slots.size()];
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            gradientSlices[i] = g.get(NDArrayIndex.interval(s.offset(), s.offset() + s.spec().length()));
            if (s.matrix() != null) {
                MuonMatrix mm = s.matrix();
                gradientMatrices[i] = Views.reshape(gradientSlices[i], mm.order(), mm.rows(), mm.cols());
            }
        }
        preparedFor = g;
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (slots == null) {
            throw new IllegalStateException("Muon has no parameter layout. " + Layouts.MISSING_LAYOUT_HINT);
        }
        prepare(gradient);
        double lr = config.getLearningRate(iteration, epoch);
        double mu = config.getMomentum();
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            INDArray g = gradientSlices[i];
            if (s.matrix() == null) {
                s.aux().applyUpdater(g, iteration, epoch);
                continue;
            }
            if (!Double.isFinite(Level1.nrm2(g))) {
                throw new IllegalStateException("Muon: non-finite gradient in " + s.spec() + " at iteration "
                        + iteration + "; optimizer state left unchanged");
            }
            Moments.accumulate(mu, g, s.flatBuffer());                     // B <- mu B + g, with B = buf / (1 - mu)
            INDArray u = s.buffer();
            if (config.isNesterov()) {
                Level1.axpy(mu, s.flatBuffer(), g);                       // u' = g + mu B = u / (1 - mu)
                u = gradientMatrices[i];
            }
            NewtonSchulz.orthogonalizeInto(u, config.getNsSteps(), NewtonSchulz.NORM_EPS / (1.0 - mu),
                    gradientMatrices[i]);
            Level1.scal(lr * scale(s.matrix()), g);                      // update = lr s NS(u)
        }
    }

    /** The per-matrix scale {@code s} of the configured {@link Muon.Scaling}. */
    double scale(MuonMatrix mm) {
        return switch (config.getScaling()) {
            case SHAPE -> Math.sqrt(Math.max(1.0, (double) mm.fanOut() / mm.fanIn()));
            case MATCH_ADAMW_RMS -> 0.2 * Math.sqrt(Math.max(mm.fanIn(), mm.fanOut()));
        };
    }
}
