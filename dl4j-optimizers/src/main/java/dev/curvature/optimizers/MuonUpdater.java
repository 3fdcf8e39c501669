package dev.curvature.optimizers;

import dev.curvature.optimizers.internal.BlockMoments;
import dev.curvature.optimizers.internal.Level1;
import dev.curvature.optimizers.internal.MuonPartition.MuonMatrix;
import dev.curvature.optimizers.layout.ParamLayout;
import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * State and step of {@link Muon}. The state slice holds, per parameter in DL4J's order, a slot of
 * {@code Muon.stateSize(length)} values: the momentum buffer of a Muon matrix, or the auxiliary updater's state.
 * The buffer is stored as {@code buf / (1 - momentum)} so its update is one fused op ({@code B <- mu B + g});
 * Newton-Schulz is scale invariant, and the factor is folded exactly into its normaliser
 * ({@code ||u||_F + 1e-7 = (1 - mu)(||u'||_F + 1e-7 / (1 - mu))}).
 *
 * <p>A non-finite gradient of a Muon matrix fails the step before its state changes.
 */
public final class MuonUpdater implements GradientUpdater<Muon> {
    /** Key of a Muon parameter's momentum buffer in {@link #getState()}. */
    public static final String MOMENTUM_STATE = "momentum";
    /** Prefix of the auxiliary updater's keys in {@link #getState()}. */
    public static final String AUX_PREFIX = "aux:";

    private final Muon config;
    private List<Slot> slots;
    private long length;
    private long[] gradientShape;
    private char gradientOrder = 'c';

    /**
     * One parameter: either a Muon matrix with its buffer (as the matrix and as the flat slice it views, in the
     * gradient slice's memory order; both views built once), or an auxiliary updater over its gradient slice.
     */
    private record Slot(ParamSpec spec, long offset, MuonMatrix matrix, INDArray buffer, INDArray flatBuffer,
                        GradientUpdater<?> aux) {
        static Slot muon(ParamSpec spec, long offset, MuonMatrix matrix, INDArray buffer) {
            return new Slot(spec, offset, matrix, buffer,
                    BlockMoments.reshapeView(buffer, matrix.order(), buffer.length()), null);
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
        long expected = 0;
        for (ParamSpec p : layout.params()) {
            expected += config.stateSize(p.length());
        }
        long got = view == null ? 0 : view.length();
        if (got != expected) {
            throw new IllegalStateException("Muon stamped for " + layout.describe() + " expects " + expected
                    + " state values, DL4J gave " + got + ": the parameters of one layer sharing this updater are "
                    + "not contiguous in DL4J's layout, or the network changed since Layouts.attach");
        }
        build(layout.params(), view == null ? null : BlockMoments.reshapeView(view, view.ordering(), view.length()),
                initialize);
    }

    private void build(List<ParamSpec> specs, INDArray flatState, boolean initialize) {
        List<Slot> list = new ArrayList<>();
        long paramOffset = 0;
        long stateOffset = 0;
        for (ParamSpec spec : specs) {
            long slotSize = config.stateSize(spec.length()); // DL4J allocates by length; unused tail is padding
            long used = config.stateFor(spec);
            INDArray state = used == 0 ? null : flatState.get(NDArrayIndex.interval(stateOffset, stateOffset + used));
            MuonMatrix matrix = config.matrixOf(spec);
            if (matrix != null) {
                INDArray buffer = BlockMoments.reshapeView(state, matrix.order(), matrix.rows(), matrix.cols());
                if (initialize) {
                    buffer.assign(0);
                }
                list.add(Slot.muon(spec, paramOffset, matrix, buffer));
            } else {
                IUpdater aux = config.auxiliaryFor(spec);
                list.add(Slot.auxiliary(spec, paramOffset, aux.instantiate(state, initialize)));
            }
            paramOffset += spec.length();
            stateOffset += slotSize;
        }
        this.slots = list;
        this.length = paramOffset;
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] shape, char order, boolean initialize) {
        if (config.getLayout() != null) {
            attachState(viewArray, initialize);
            return;
        }
        // SameDiff: one variable with its real shape
        ParamSpec spec = sameDiffSpec(shape, order);
        this.gradientShape = shape.clone();
        this.gradientOrder = order;
        build(List.of(spec), BlockMoments.reshapeView(viewArray, viewArray.ordering(), viewArray.length()),
                initialize);
    }

    private static ParamSpec sameDiffSpec(long[] shape, char order) {
        int nonUnit = 0;
        for (long d : shape) {
            nonUnit += d > 1 ? 1 : 0;
        }
        ParamRole role = nonUnit >= 2 ? ParamRole.DENSE_WEIGHT : ParamRole.BIAS;
        return new ParamSpec("samediff", "variable", role, shape.length == 0 ? new long[] {1} : shape, order, false);
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        if (config.getLayout() != null) {
            throw new IllegalStateException("a stamped Muon restores its state through DL4J's flat state array");
        }
        INDArray buffer = stateMap.get(MOMENTUM_STATE);
        if (buffer != null) {
            ParamSpec spec = sameDiffSpec(buffer.shape(), buffer.ordering());
            MuonMatrix matrix = config.matrixOf(spec);
            if (matrix == null) {
                throw new IllegalStateException("Muon momentum state of shape " + Arrays.toString(buffer.shape())
                        + " is not a matrix");
            }
            gradientShape = buffer.shape();
            gradientOrder = buffer.ordering();
            INDArray flat = BlockMoments.reshapeView(buffer, buffer.ordering(), buffer.length());
            slots = List.of(Slot.muon(spec, 0, matrix, BlockMoments.reshapeView(flat, matrix.order(), matrix.rows(),
                    matrix.cols())));
            if (initialize) {
                buffer.assign(0);
            }
        } else {
            Map<String, INDArray> aux = new HashMap<>();
            for (Map.Entry<String, INDArray> e : stateMap.entrySet()) {
                if (!e.getKey().startsWith(AUX_PREFIX)) {
                    throw new IllegalStateException("unexpected Muon state key '" + e.getKey() + "'");
                }
                aux.put(e.getKey().substring(AUX_PREFIX.length()), e.getValue());
            }
            INDArray any = aux.values().iterator().next();
            ParamSpec spec = sameDiffSpec(any.shape(), any.ordering());
            gradientShape = any.shape();
            slots = List.of(Slot.auxiliary(spec, 0, config.auxiliaryFor(spec).instantiate(aux, initialize)));
        }
        length = slots.get(0).spec().length();
    }

    @Override
    public Map<String, INDArray> getState() {
        Map<String, INDArray> state = new HashMap<>();
        if (slots == null || slots.size() != 1 || gradientShape == null) {
            return state; // networks persist the flat state array instead
        }
        Slot s = slots.get(0);
        if (s.matrix() != null) {
            state.put(MOMENTUM_STATE, s.buffer().reshape(gradientOrder, gradientShape));
        } else {
            for (Map.Entry<String, INDArray> e : s.aux().getState().entrySet()) {
                state.put(AUX_PREFIX + e.getKey(), e.getValue());
            }
        }
        return state;
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (slots == null) {
            throw new IllegalStateException("Muon has no parameter layout. " + Layouts.MISSING_LAYOUT_HINT);
        }
        INDArray g = BlockMoments.reshapeView(gradient, gradient.ordering(), gradient.length());
        if (g.length() != length) {
            throw new IllegalStateException("Muon expected a gradient of " + length + " values, got " + g.length());
        }
        double lr = config.getLearningRate(iteration, epoch);
        double mu = config.getMomentum();
        for (Slot s : slots) {
            INDArray gs = g.get(NDArrayIndex.interval(s.offset(), s.offset() + s.spec().length()));
            if (s.matrix() == null) {
                s.aux().applyUpdater(gs, iteration, epoch);
                continue;
            }
            MuonMatrix mm = s.matrix();
            INDArray gm = BlockMoments.reshapeView(gs, mm.order(), mm.rows(), mm.cols());
            double norm = Level1.nrm2(gs);
            if (!Double.isFinite(norm)) {
                throw new IllegalStateException("Muon: non-finite gradient in " + s.spec() + " at iteration "
                        + iteration + "; optimizer state left unchanged");
            }
            Level1.scal(mu, s.flatBuffer());                                 // B <- mu B + g
            Level1.axpy(1.0, gs, s.flatBuffer());
            INDArray u = s.buffer();
            if (config.isNesterov()) {
                Level1.axpy(mu, s.flatBuffer(), gs);                         // u' = g + mu B
                u = gm;
            }
            NewtonSchulz.orthogonalizeInto(u, config.getNsSteps(), NewtonSchulz.NORM_EPS / (1.0 - mu), gm);
            Level1.scal(lr * scale(mm), gs);
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
