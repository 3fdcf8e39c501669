package dev.curvature.optimizers;

import dev.curvature.optimizers.internal.BlockMoments;
import dev.curvature.optimizers.internal.BlockedLayout;
import dev.curvature.optimizers.internal.Level1;
import dev.curvature.optimizers.internal.Moments;
import dev.curvature.optimizers.internal.UpdaterState;
import dev.curvature.optimizers.internal.Views;
import dev.curvature.optimizers.layout.ParamLayout;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;

import java.util.HashMap;
import java.util.Map;

/**
 * State and step of {@link AdamMini}. State layout inside DL4J's flat updater-state slice:
 * {@code [M (N values, aligned with the gradient) | v (one per block) | padding]}, where padding appears only when
 * two stamped parameters of equal length have different block counts (DL4J sizes state per parameter length).
 * {@code M} stores the first moment scaled as {@code m / (1 - beta1)}, so that its update is
 * {@code M <- beta1 M + g}; the factor {@code 1 - beta1} is applied with the step size. The update equals the
 * reference formula exactly (up to rounding).
 *
 * <p>Two ways to learn the partition: a stamped configuration ({@link Layouts#attach}, DL4J networks), or the
 * gradient shape that SameDiff passes to {@link #setStateViewArray}, whose role follows the one SameDiff rule of
 * both optimizers (at least two dimensions larger than 1: one block per index of the last dimension, i.e. per
 * column of {@code [nIn, nOut]} or per output channel of SameDiff's default {@code [kH, kW, iC, oC]} convolution
 * weights; otherwise one block per element). In SameDiff {@code v} is held by this updater and saved by SameDiff
 * through {@link #getState()}. {@link UpdaterState} resolves where the state comes from.
 *
 * <p>Cost per step: a fixed number of ND4J ops per run of equally blocked parameters (see {@link BlockMoments}),
 * built once for DL4J's gradient view, plus a few BLAS level-1 calls on the per-block values.
 *
 * <p>Non-finite gradients: the step checks the block sums of squares first and throws
 * {@link IllegalStateException} (naming the parameters and iteration) before touching {@code m} or {@code v}, so
 * the state is never poisoned. DL4J's own {@code Adam} instead propagates NaN into its state.
 */
public final class AdamMiniUpdater implements GradientUpdater<AdamMini> {
    /** Key of the first moment in {@link #getState()}. */
    public static final String M_STATE = "M";
    /** Key of the per-block second moment in {@link #getState()}. */
    public static final String V_STATE = "V";

    private final AdamMini config;
    private UpdaterState state;
    private BlockMoments blocks;
    /** First moment, stored as {@code m / (1 - beta1)}; one value per gradient element. */
    private INDArray m;
    /** Second moment, one value per block. */
    private INDArray v;
    /** Per block: the sums of squares of the gradient, then the factors of the update (scratch). */
    private INDArray perBlock;
    private BlockMoments.InverseRoot factors;
    /** The gradient the prepared ops read and write; DL4J passes views of the same memory at every step. */
    private INDArray preparedFor;
    private BlockMoments.Ops squareSums;
    private BlockMoments.Ops scale;

    public AdamMiniUpdater(AdamMini config) {
        this.config = config;
    }

    @Override
    public AdamMini getConfig() {
        return config;
    }

    /** Called by {@link AdamMini#instantiate(INDArray, boolean)} with DL4J's flat state slice. */
    void attachState(INDArray view, boolean initialize) {
        ParamLayout layout = config.getLayout();
        if (layout == null) {
            // Network without a stamp (fails at the first step), or SameDiff (setStateViewArray brings the shape next).
            if (view != null && initialize) {
                view.assign(0);
            }
            return;
        }
        bind(UpdaterState.network("AdamMini", config, layout, view, initialize), null);
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        if (config.getLayout() != null) {
            attachState(viewArray, initialize);
            return;
        }
        requireNoWeightDecayWithoutLayout();
        if (!initialize) {
            throw new IllegalStateException("AdamMini in SameDiff restores v through instantiate(Map) / setState, "
                    + "not through an existing state view");
        }
        long length = 1;
        for (long d : gradientShape) {
            length *= d;
        }
        UpdaterState sameDiff = UpdaterState.sameDiff("AdamMini (m only, v is held by the updater)", gradientShape,
                gradientOrder, viewArray, config.stateSize(length), true);
        bind(sameDiff, ownArray(sameDiff, BlockedLayout.adamMini(new ParamLayout(sameDiff.params())).numBlocks()));
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        INDArray mState = stateMap.get(M_STATE);
        INDArray vState = stateMap.get(V_STATE);
        if (mState == null || vState == null) {
            throw new IllegalStateException("AdamMini state needs keys " + M_STATE + " and " + V_STATE + ", got "
                    + stateMap.keySet());
        }
        if (config.getLayout() == null) {
            requireNoWeightDecayWithoutLayout();
        }
        INDArray vFlat = Views.flat(vState);
        if (initialize) {
            vFlat.assign(0);
        }
        bind(UpdaterState.restored(config.getLayout(), mState, initialize), vFlat);
    }

    @Override
    public Map<String, INDArray> getState() {
        Map<String, INDArray> map = new HashMap<>();
        if (m != null) {
            map.put(M_STATE, state.asVariable(m));
            map.put(V_STATE, v);
        }
        return map;
    }

    private void requireNoWeightDecayWithoutLayout() {
        if (config.getWeightDecay() != 0) {
            throw new IllegalStateException("AdamMini weightDecay=" + config.getWeightDecay() + " cannot be applied "
                    + "in SameDiff (updaters do not see parameters): set it to 0 and use "
                    + "TrainingConfig.Builder.weightDecay(coefficient, true) instead");
        }
    }

    private static INDArray ownArray(UpdaterState state, long length) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return Nd4j.zeros(state.values().dataType(), length);
        }
    }

    /**
     * Takes {@code m} from the start of the state values and {@code v} from right after it, or from
     * {@code separateV} (SameDiff holds {@code m} only).
     */
    private void bind(UpdaterState source, INDArray separateV) {
        BlockedLayout layout = BlockedLayout.adamMini(new ParamLayout(source.params()));
        long n = layout.length();
        long b = layout.numBlocks();
        INDArray values = source.values();
        long vAvailable = separateV != null ? separateV.length() : values.length() - n;
        if (values.length() < n || vAvailable < b || separateV != null && separateV.length() != b) {
            throw new IllegalStateException("AdamMini state sizes m=" + Math.min(values.length(), n) + ", v="
                    + vAvailable + " do not match the partition (" + n + " values, " + b + " blocks)");
        }
        this.state = source;
        this.blocks = new BlockMoments(layout);
        this.m = values.get(NDArrayIndex.interval(0, n));
        this.v = separateV != null ? separateV : values.get(NDArrayIndex.interval(n, n + b));
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            this.perBlock = Nd4j.createUninitialized(m.dataType(), b);
        }
        this.factors = new BlockMoments.InverseRoot(v, perBlock);
        this.preparedFor = null;
    }

    /** The ND4J ops of a step over {@code gradient}, built once per gradient memory. */
    private INDArray prepare(INDArray gradient) {
        INDArray g = Views.flat(gradient);
        if (g.length() != m.length()) {
            throw new IllegalStateException("AdamMini expected a gradient of " + m.length() + " values ("
                    + state.describe() + "), got " + g.length());
        }
        if (!Views.sameMemory(g, preparedFor)) {
            squareSums = blocks.squareSums(g, perBlock);
            scale = blocks.scale(m, perBlock, g);
            preparedFor = g;
        }
        return g;
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (blocks == null) {
            throw new IllegalStateException("AdamMini has no parameter layout. " + Layouts.MISSING_LAYOUT_HINT);
        }
        INDArray g = prepare(gradient);
        double beta1 = config.getBeta1();
        double beta2 = config.getBeta2();
        double lr = config.getLearningRate(iteration, epoch);
        int t = iteration + 1;

        squareSums.run();                                  // s_b = sum over block b of g^2
        double total = Level1.asum(perBlock);              // NaN and infinities in g reach the sums; check first
        if (!Double.isFinite(total)) {
            throw new IllegalStateException("AdamMini: non-finite gradient (sum of squares " + total + ") in "
                    + state.describe() + " at iteration " + iteration + "; optimizer state left unchanged");
        }
        Level1.scal(beta2, v);                             // v_b <- beta2 v_b + (1 - beta2) s_b / |b|
        blocks.addBlockMeans(perBlock, 1.0 - beta2, v);
        Moments.accumulate(beta1, g, m);                   // M <- beta1 M + g, with M = m / (1 - beta1)
        // update = lr m_hat / (sqrt(v_hat) + eps) = M f_b, with c = sqrt(1 - beta2^t) and
        // f_b = lr (1 - beta1) c / (1 - beta1^t) / (sqrt(v_b) + eps c)
        double c = Math.sqrt(Moments.biasCorrection(beta2, t));
        factors.apply(config.getEpsilon() * c, lr * (1.0 - beta1) * c / Moments.biasCorrection(beta1, t));
        scale.run();                                       // g <- M f_b
    }

    /**
     * Elements this updater holds outside DL4J's state array: one scratch value per block and two scalars (no
     * allocation per step); in SameDiff also {@code v}. Counted by the memory tests and benchmarks.
     */
    public long ownedElements() {
        long n = perBlock == null ? 0 : perBlock.length() + factors.ownedElements();
        if (state != null && state.isSameDiff() && v != null) {
            n += v.length();
        }
        return n;
    }
}
