package dev.curvature.optimizers.internal;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The array maths of block-wise moments (Adam-mini), as plain functions on {@link INDArray} views. Every parameter
 * is seen as a block-column matrix {@code [blockSize, numBlocks]} over its own storage (no copy): block sums of
 * squares are one reduction over dimension 0, block scaling one broadcasting multiply; element-wise blocks
 * (biases) and whole-tensor blocks use 1-D views. A fixed number of ND4J ops per parameter tensor, never per
 * element, on any backend and data type. Views are built once per array and reused.
 */
public final class BlockMoments {
    private BlockMoments() {
    }

    /**
     * Views of a flat array of parameter values, one per parameter of {@code layout}: the block-column matrix
     * {@code [blockSize, numBlocks]}, or a 1-D slice for element-wise and whole-tensor blocks.
     */
    public static INDArray[] valueViews(INDArray flat, BlockedLayout layout) {
        INDArray[] views = new INDArray[layout.size()];
        for (int i = 0; i < layout.size(); i++) {
            ParamBlocks b = layout.param(i);
            long from = layout.paramOffset(i);
            INDArray seg = flat.get(NDArrayIndex.interval(from, from + b.length()));
            views[i] = b.elementwise() || b.whole() ? seg
                    : reshapeView(seg, b.columnOrder(), b.blockSize(), b.numBlocks());
        }
        return views;
    }

    /** 1-D views of a flat array of per-block values, one per parameter. */
    public static INDArray[] blockViews(INDArray flatBlocks, BlockedLayout layout) {
        INDArray[] views = new INDArray[layout.size()];
        for (int i = 0; i < layout.size(); i++) {
            views[i] = flatBlocks.get(NDArrayIndex.interval(layout.blockOffset(i),
                    layout.blockOffset(i) + layout.param(i).numBlocks()));
        }
        return views;
    }

    /**
     * {@code out[k] = sum over block k of values^2}, for every block.
     *
     * @param values {@link #valueViews} of the values
     * @param out    {@link #blockViews} of the output
     */
    public static void blockSquareSums(INDArray[] values, BlockedLayout layout, INDArray[] out) {
        for (int i = 0; i < values.length; i++) {
            ParamBlocks b = layout.param(i);
            if (b.elementwise()) {
                Nd4j.exec(new MulOp(values[i], values[i], out[i]));
            } else if (b.whole()) {
                Nd4j.exec(new SquaredNorm(values[i], out[i].reshape(new long[0]), 0));
            } else {
                Nd4j.exec(new SquaredNorm(values[i], out[i], 0));
            }
        }
    }

    /**
     * {@code dst[e] = src[e] * factors[block(e)]} for every element; {@code dst} may be {@code src}.
     *
     * @param src     {@link #valueViews} of the source
     * @param factors {@link #blockViews} of the per-block factors
     * @param dst     {@link #valueViews} of the destination
     */
    public static void scaleByBlock(INDArray[] src, INDArray[] factors, INDArray[] dst) {
        for (int i = 0; i < src.length; i++) {
            Nd4j.exec(new MulOp(src[i], factors[i], dst[i])); // broadcasts [numBlocks] over the block columns
        }
    }

    /** {@code weights[k] = scale / size(block k)}: turns block sums into scaled block means with one multiply. */
    public static void inverseBlockSizes(BlockedLayout layout, double scale, INDArray weights) {
        INDArray[] views = blockViews(weights, layout);
        for (int i = 0; i < views.length; i++) {
            views[i].assign(scale / layout.param(i).blockSize());
        }
    }

    /**
     * Reshapes a contiguous array without copying; fails if ND4J would have to copy (a copy would make in-place
     * updates vanish silently).
     */
    public static INDArray reshapeView(INDArray a, char order, long... shape) {
        if (java.util.Arrays.equals(a.shape(), shape) && (a.ordering() == order || shape.length <= 1)) {
            return a;
        }
        // enforceView: ND4J throws instead of silently returning a copy
        return a.reshape(order, true, shape);
    }
}
