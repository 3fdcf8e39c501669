package dev.curvature.optimizers;

import dev.curvature.optimizers.layout.BlockedLayout;
import dev.curvature.optimizers.layout.ParamBlocks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The array maths of block-wise second moments (Adam-mini), as plain functions on flat {@link INDArray}s.
 * Every function issues a fixed number of ND4J ops per parameter tensor, never per element, so it runs
 * unchanged on any ND4J backend and data type.
 */
public final class BlockMoments {
    private BlockMoments() {
    }

    /**
     * Writes into {@code out[k]} the sum of squares of the elements of block {@code k} of {@code flat}.
     *
     * @param flat   rank-1 array of {@code layout.length()} elements
     * @param layout the blocks
     * @param out    rank-1 array of {@code layout.numBlocks()} elements
     */
    public static void blockSquareSums(INDArray flat, BlockedLayout layout, INDArray out) {
        for (int i = 0; i < layout.size(); i++) {
            ParamBlocks b = layout.param(i);
            INDArray z = out.get(NDArrayIndex.interval(layout.blockOffset(i), layout.blockOffset(i) + b.numBlocks()));
            INDArray x = flat.get(NDArrayIndex.interval(layout.paramOffset(i), layout.paramOffset(i) + b.length()));
            if (b.elementwise()) {
                Nd4j.exec(new MulOp(x, x, z));
            } else if (b.whole()) {
                Nd4j.exec(new SquaredNorm(x, z.reshape(new long[0]), 0));
            } else {
                Nd4j.exec(new SquaredNorm(matrixView(x, b), z, b.reduceDim()));
            }
        }
    }

    /**
     * {@code dst[e] = src[e] * factors[block(e)]} for every element {@code e}; {@code dst} may be {@code src}.
     */
    public static void scaleByBlock(INDArray src, INDArray factors, BlockedLayout layout, INDArray dst) {
        for (int i = 0; i < layout.size(); i++) {
            ParamBlocks b = layout.param(i);
            long from = layout.paramOffset(i);
            INDArray x = src.get(NDArrayIndex.interval(from, from + b.length()));
            INDArray z = dst.get(NDArrayIndex.interval(from, from + b.length()));
            INDArray y = factors.get(NDArrayIndex.interval(layout.blockOffset(i), layout.blockOffset(i) + b.numBlocks()));
            if (b.elementwise()) {
                Nd4j.exec(new MulOp(x, y, z));
            } else if (b.whole()) {
                Nd4j.exec(new BroadcastMulOp(reshapeView(x, 'c', 1, b.length()), y, reshapeView(z, 'c', 1, b.length()), 0));
            } else {
                Nd4j.exec(new BroadcastMulOp(matrixView(x, b), y, matrixView(z, b), b.keepDim()));
            }
        }
    }

    /** The elements of one parameter (a flat slice) as the block matrix view {@code [rows, cols]}. Never copies. */
    public static INDArray matrixView(INDArray paramSlice, ParamBlocks b) {
        return reshapeView(paramSlice, b.order(), b.rows(), b.cols());
    }

    /**
     * Reshapes a contiguous rank-1 array without copying; fails if ND4J would have to copy (a copy would make
     * in-place updates vanish silently).
     */
    public static INDArray reshapeView(INDArray a, char order, long... shape) {
        if (java.util.Arrays.equals(a.shape(), shape)) {
            return a;
        }
        // enforceView: ND4J throws instead of silently returning a copy
        INDArray r = a.reshape(order, true, shape);
        return r;
    }
}
