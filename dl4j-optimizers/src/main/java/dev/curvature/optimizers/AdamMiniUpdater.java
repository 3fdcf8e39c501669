package dev.curvature.optimizers;

import dev.curvature.optimizers.internal.AdamMiniPartition;
import dev.curvature.optimizers.internal.BlockMoments;
import dev.curvature.optimizers.internal.BlockedLayout;
import dev.curvature.optimizers.internal.ParamBlocks;
import dev.curvature.optimizers.layout.ParamLayout;
import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * State and step of {@link AdamMini}. State layout inside DL4J's flat updater-state slice:
 * {@code [M (N values, aligned with the gradient) | v (one per block) | padding]}, where padding appears only when
 * two stamped parameters of equal length have different block counts (DL4J sizes state per parameter length).
 * {@code M} stores the first moment scaled as {@code m / (1 - beta1)}, so that its update is one fused op
 * ({@code M <- beta1 M + g}); the factor {@code 1 - beta1} is applied with the step size. The update equals the
 * reference formula exactly (up to rounding).
 *
 * <p>Two ways to learn the partition: a stamped configuration ({@link Layouts#attach}, DL4J networks), or the
 * gradient shape that SameDiff passes to {@link #setStateViewArray}. In SameDiff the partition follows the
 * variable's rank: rank 1 one block per element, rank 2 {@code [nIn, nOut]} one block per column (output neuron),
 * higher ranks one block per index of the last dimension (output channels of SameDiff's default
 * {@code [kH, kW, iC, oC]} convolution weights); {@code v} is then held by this updater and saved by SameDiff
 * through {@link #getState()}.
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
    private BlockedLayout blocks;
    private INDArray m;
    private INDArray v;
    private INDArray blockWeights;
    private INDArray scratch;
    private INDArray[] mViews;
    private INDArray[] scratchViews;
    private long[] gradientShape;
    private char gradientOrder = 'c';

    public AdamMiniUpdater(AdamMini config) {
        this.config = config;
    }

    @Override
    public AdamMini getConfig() {
        return config;
    }

    /** Blocks reserved in the state for a stamped parameter of this length (see class comment on padding). */
    static long blocksForLength(ParamLayout layout, long numParams) {
        long best = -1;
        for (ParamSpec p : layout.params()) {
            if (p.length() == numParams) {
                best = Math.max(best, AdamMiniPartition.blocks(p).numBlocks());
            }
        }
        if (best < 0) {
            throw new IllegalStateException("AdamMini was stamped for " + layout.describe()
                    + " but DL4J asks for the state of a parameter of length " + numParams
                    + ": the network no longer matches its stamp; call Layouts.attach(net) again");
        }
        return best;
    }

    /** Total state length DL4J allocates for a stamped layout. */
    static long stateLength(ParamLayout layout) {
        long n = 0;
        for (ParamSpec p : layout.params()) {
            n += p.length() + blocksForLength(layout, p.length());
        }
        return n;
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
        long expected = stateLength(layout);
        if (view == null || view.length() != expected) {
            throw new IllegalStateException("AdamMini stamped for " + layout.describe() + " expects " + expected
                    + " state values, DL4J gave " + (view == null ? 0 : view.length())
                    + ": the parameters of one layer sharing this updater are not contiguous in DL4J's layout, or the "
                    + "network changed since Layouts.attach");
        }
        INDArray flat = BlockMoments.reshapeView(view, view.ordering(), view.length());
        BlockedLayout blocked = BlockedLayout.adamMini(layout);
        long n = blocked.length();
        setUp(blocked, flat.get(NDArrayIndex.interval(0, n)), flat.get(NDArrayIndex.interval(n, n + blocked.numBlocks())),
                initialize);
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        if (config.getLayout() != null) {
            attachState(viewArray, initialize);
            return;
        }
        // SameDiff: one variable, real shape.
        requireNoWeightDecayWithoutLayout();
        BlockedLayout layout = sameDiffLayout(gradientShape, gradientOrder);
        INDArray flat = BlockMoments.reshapeView(viewArray, viewArray.ordering(), viewArray.length());
        if (flat.length() != layout.length()) {
            throw new IllegalStateException("AdamMini without a stamp keeps m in the state array: expected "
                    + layout.length() + " values for a gradient of shape " + Arrays.toString(gradientShape)
                    + ", got " + flat.length());
        }
        if (!initialize) {
            throw new IllegalStateException("AdamMini in SameDiff restores v through instantiate(Map) / setState, "
                    + "not through an existing state view");
        }
        this.gradientShape = gradientShape.clone();
        this.gradientOrder = gradientOrder;
        setUp(layout, flat, ownArray(flat, layout.numBlocks()), true);
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        INDArray mState = stateMap.get(M_STATE);
        INDArray vState = stateMap.get(V_STATE);
        if (mState == null || vState == null) {
            throw new IllegalStateException("AdamMini state needs keys " + M_STATE + " and " + V_STATE + ", got "
                    + stateMap.keySet());
        }
        BlockedLayout layout;
        if (config.getLayout() != null) {
            layout = BlockedLayout.adamMini(config.getLayout());
        } else {
            requireNoWeightDecayWithoutLayout();
            layout = sameDiffLayout(mState.shape(), mState.ordering());
            gradientShape = mState.shape();
            gradientOrder = mState.ordering();
        }
        INDArray mFlat = BlockMoments.reshapeView(mState, mState.ordering(), mState.length());
        INDArray vFlat = BlockMoments.reshapeView(vState, vState.ordering(), vState.length());
        if (mFlat.length() != layout.length() || vFlat.length() != layout.numBlocks()) {
            throw new IllegalStateException("AdamMini state sizes m=" + mFlat.length() + ", v=" + vFlat.length()
                    + " do not match the partition (" + layout.length() + " values, " + layout.numBlocks() + " blocks)");
        }
        setUp(layout, mFlat, vFlat, initialize);
    }

    @Override
    public Map<String, INDArray> getState() {
        Map<String, INDArray> state = new HashMap<>();
        if (m != null) {
            state.put(M_STATE, gradientShape != null ? m.reshape(gradientOrder, gradientShape) : m);
            state.put(V_STATE, v);
        }
        return state;
    }

    private void requireNoWeightDecayWithoutLayout() {
        if (config.getWeightDecay() != 0) {
            throw new IllegalStateException("AdamMini weightDecay=" + config.getWeightDecay() + " cannot be applied "
                    + "in SameDiff (updaters do not see parameters): set it to 0 and use "
                    + "TrainingConfig.Builder.weightDecay(coefficient, true) instead");
        }
    }

    private static BlockedLayout sameDiffLayout(long[] shape, char order) {
        ParamRole role = shape.length <= 1 || (shape.length == 2 && (shape[0] == 1 || shape[1] == 1))
                ? ParamRole.BIAS : ParamRole.DENSE_WEIGHT;
        ParamSpec spec = new ParamSpec("samediff", "variable", role, shape.length == 0 ? new long[] {1} : shape,
                order, false);
        return new BlockedLayout(List.of(AdamMiniPartition.blocks(spec)));
    }

    private static INDArray ownArray(INDArray like, long length) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return Nd4j.zeros(like.dataType(), length);
        }
    }

    private void setUp(BlockedLayout layout, INDArray mFlat, INDArray vFlat, boolean initialize) {
        this.blocks = layout;
        this.m = mFlat;
        this.v = vFlat;
        if (initialize) {
            m.assign(0);
            v.assign(0);
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            blockWeights = Nd4j.createUninitialized(m.dataType(), layout.numBlocks());
            scratch = Nd4j.createUninitialized(m.dataType(), layout.numBlocks());
        }
        BlockMoments.inverseBlockSizes(layout, 1.0 - config.getBeta2(), blockWeights);
        mViews = BlockMoments.valueViews(m, layout);
        scratchViews = BlockMoments.blockViews(scratch, layout);
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (blocks == null) {
            throw new IllegalStateException("AdamMini has no parameter layout. " + Layouts.MISSING_LAYOUT_HINT);
        }
        INDArray g = BlockMoments.reshapeView(gradient, gradient.ordering(), gradient.length());
        if (g.length() != blocks.length()) {
            throw new IllegalStateException("AdamMini expected a gradient of " + blocks.length() + " values ("
                    + describe() + "), got " + g.length());
        }
        double beta1 = config.getBeta1();
        double beta2 = config.getBeta2();
        double lr = config.getLearningRate(iteration, epoch);
        int t = iteration + 1;

        INDArray[] gViews = BlockMoments.valueViews(g, blocks);
        BlockMoments.blockSquareSums(gViews, blocks, scratchViews);
        // Checked before any state changes: NaN and infinities in g propagate into the block sums.
        double total = scratch.sumNumber().doubleValue();
        if (!Double.isFinite(total)) {
            throw new IllegalStateException("AdamMini: non-finite gradient (sum of squares " + total + ") in "
                    + describe() + " at iteration " + iteration + "; optimizer state left unchanged");
        }
        // v_b <- beta2 v_b + (1 - beta2) mean_b(g^2)
        scratch.muli(blockWeights);
        Nd4j.exec(new Axpy(v, scratch, v, beta2));
        // stored M = m / (1 - beta1): the moment update is one fused op, M <- beta1 M + g
        Nd4j.exec(new Axpy(m, g, m, beta1));
        // factor_b = lr (1 - beta1) / (1 - beta1^t) / (sqrt(v_b) / c + eps) with c = sqrt(1 - beta2^t)
        //          = lr (1 - beta1) c / (1 - beta1^t) / (sqrt(v_b) + eps c);   update = M * factor_b
        double c = Math.sqrt(1.0 - Math.pow(beta2, t));
        Nd4j.exec(new Sqrt(v, scratch));
        scratch.addi(config.getEpsilon() * c);
        scratch.rdivi(lr * (1.0 - beta1) * c / (1.0 - Math.pow(beta1, t)));
        BlockMoments.scaleByBlock(mViews, scratchViews, gViews);
    }

    /**
     * Elements this updater holds outside DL4J's state array: per block, the weight {@code (1 - beta2) / blockSize}
     * and a scratch value (no allocation per step); in SameDiff also {@code v}. Counted by the memory tests and benchmarks.
     */
    public long ownedElements() {
        long n = blockWeights == null ? 0 : blockWeights.length() + scratch.length();
        if (gradientShape != null && v != null) {
            n += v.length();
        }
        return n;
    }

    private String describe() {
        ParamLayout layout = config.getLayout();
        return layout != null ? layout.describe() : "SameDiff variable " + Arrays.toString(gradientShape);
    }
}
