package dev.curvature.hessian.math;

import dev.curvature.optimizers.internal.BlockMoments;
import dev.curvature.optimizers.internal.BlockedLayout;
import dev.curvature.optimizers.internal.ParamBlocks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * The blocks of a flat vector laid out as a {@link BlockedLayout} (parameter tensors end to end, each split into
 * equal blocks that are rows or columns of its matrix view in the tensor's own memory order). Block {@code j} is
 * numbered across all tensors in layout order. Views never copy, so writing a probe into {@link #view} writes the
 * vector.
 */
public final class BlockStructure {
    private final BlockedLayout layout;
    private final long[] blockStarts;
    private final int numBlocks;

    public BlockStructure(BlockedLayout layout) {
        if (layout.numBlocks() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("at most " + Integer.MAX_VALUE + " blocks are supported, got "
                    + layout.numBlocks());
        }
        if (layout.size() == 0) {
            throw new IllegalArgumentException("a block structure needs at least one parameter");
        }
        this.layout = layout;
        this.numBlocks = (int) layout.numBlocks();
        this.blockStarts = new long[layout.size()];
        for (int i = 0; i < layout.size(); i++) {
            blockStarts[i] = layout.blockOffset(i);
        }
    }

    public BlockedLayout layout() {
        return layout;
    }

    /** Number of blocks {@code B}. */
    public int numBlocks() {
        return numBlocks;
    }

    /** Length of the vectors this structure splits. */
    public long dimension() {
        return layout.length();
    }

    /** Index in {@link #layout()} of the parameter holding block {@code j}. */
    public int paramIndex(int j) {
        checkBlock(j);
        // block starts are strictly increasing: every parameter has at least one block
        int i = Arrays.binarySearch(blockStarts, j);
        return i >= 0 ? i : -i - 2;
    }

    /** Index of block {@code j} within its parameter. */
    public long localIndex(int j) {
        return j - layout.blockOffset(paramIndex(j));
    }

    /** Number of elements of block {@code j}. */
    public long blockSize(int j) {
        return layout.param(paramIndex(j)).blockSize();
    }

    /** The elements of block {@code j} of {@code vector}, as a rank-1 view (possibly strided). */
    public INDArray view(INDArray vector, int j) {
        int i = paramIndex(j);
        ParamBlocks b = layout.param(i);
        long k = j - layout.blockOffset(i);
        long from = layout.paramOffset(i);
        INDArray slice = vector.reshape(vector.length()).get(NDArrayIndex.interval(from, from + b.length()));
        if (b.whole()) {
            return slice;
        }
        if (b.elementwise()) {
            return slice.get(NDArrayIndex.interval(k, k + 1));
        }
        INDArray m = matrixView(slice, b);
        return b.keepDim() == 0 ? m.get(NDArrayIndex.point(k), NDArrayIndex.all())
                : m.get(NDArrayIndex.all(), NDArrayIndex.point(k));
    }

    /** {@code out[j] = ||vector_j||^2} for every block, as a new rank-1 array of {@link #numBlocks()} elements. */
    public INDArray squaredNorms(INDArray vector) {
        if (vector.length() != dimension()) {
            throw new IllegalArgumentException("vector has length " + vector.length() + ", expected " + dimension());
        }
        INDArray out = Nd4j.create(vector.dataType(), numBlocks);
        BlockMoments.blockSquareSums(vector.reshape(vector.length()), layout, out);
        return out;
    }

    /**
     * A contiguous parameter slice as the block matrix view {@code [rows, cols]} in the parameter's own memory order
     * ({@link ParamBlocks}); blocks are its rows ({@code keepDim 0}) or columns ({@code keepDim 1}). Never copies:
     * ND4J is asked to fail rather than return a copy, since writes through a copy would be lost silently.
     */
    static INDArray matrixView(INDArray slice, ParamBlocks b) {
        return slice.reshape(b.order(), true, b.rows(), b.cols());
    }

    private void checkBlock(int j) {
        if (j < 0 || j >= numBlocks) {
            throw new IndexOutOfBoundsException("block " + j + " not in [0, " + numBlocks + ")");
        }
    }

    /**
     * The diagonal block {@code H_jj} of an operator on vectors of this structure, as an operator on vectors of
     * {@link #blockSize(int)} elements: {@code v -> (H P_j^T v)_j}. Each product costs one product of {@code h}.
     */
    public LinearOperator diagonalBlock(LinearOperator h, int j) {
        if (h.dimension() != dimension()) {
            throw new IllegalArgumentException("operator dimension " + h.dimension() + " != " + dimension());
        }
        long size = blockSize(j);
        return new LinearOperator() {
            @Override
            public long dimension() {
                return size;
            }

            @Override
            public INDArray apply(INDArray v) {
                INDArray direction = Nd4j.zeros(v.dataType(), BlockStructure.this.dimension());
                view(direction, j).assign(v.reshape(size));
                INDArray product = h.apply(direction);
                direction.close();
                INDArray block = view(product, j).dup();
                product.close();
                return block;
            }
        };
    }
}
