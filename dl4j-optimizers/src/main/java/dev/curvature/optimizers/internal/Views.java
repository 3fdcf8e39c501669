package dev.curvature.optimizers.internal;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** Views of arrays that never copy: updaters write their state and updates through them. */
public final class Views {
    private Views() {
    }

    /**
     * Reshapes without copying; fails if ND4J would have to copy (a copy would make in-place updates vanish
     * silently).
     */
    public static INDArray reshape(INDArray a, char order, long... shape) {
        if (Arrays.equals(a.shape(), shape) && (a.ordering() == order || shape.length <= 1)) {
            return a;
        }
        return a.reshape(order, true, shape); // enforceView: ND4J throws instead of returning a copy
    }

    /** The elements of a contiguous array as a rank-1 view, in its storage order. */
    public static INDArray flat(INDArray a) {
        return reshape(a, a.ordering(), a.length());
    }

    /**
     * True when {@code a} and {@code b} see the same elements of the same memory in the same way. DL4J hands an
     * updater a new view object (with a new buffer object) of the same gradient memory at every step, so identity
     * of objects says nothing; the buffer address does.
     */
    public static boolean sameMemory(INDArray a, INDArray b) {
        return a != null && b != null && (a == b || a.dataType() == b.dataType()
                && a.data().address() == b.data().address() && a.offset() == b.offset()
                && Arrays.equals(a.shape(), b.shape()) && Arrays.equals(a.stride(), b.stride()));
    }

    /** True when {@code a} is a 2-D array stored row by row without gaps (a transposed 'f' matrix is). */
    public static boolean rowMajor(INDArray a) {
        return a.rank() == 2 && (a.size(1) == 1 || a.stride(1) == 1) && (a.size(0) == 1 || a.stride(0) == a.size(1));
    }
}
