package dev.curvature.optimizers;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Adam-mini and Muon read a SameDiff variable's shape with one rule: at least two dimensions larger than 1 make a
 * weight (Adam-mini: one block per index of the last dimension; Muon: orthogonalised), anything else is bias-like
 * (Adam-mini: one block per element; Muon: its auxiliary updater). Checked through the updaters themselves, as
 * SameDiff drives them ({@code setStateViewArray} with the real shape), on every kind of shape: scalars, vectors,
 * unit dimensions in every position, matrices and higher ranks.
 */
class SameDiffRoleTest {

    static List<long[]> shapes() {
        return List.of(new long[0], new long[] {1}, new long[] {7}, new long[] {1, 7}, new long[] {7, 1},
                new long[] {1, 1}, new long[] {4, 5}, new long[] {1, 1, 6}, new long[] {6, 1, 1},
                new long[] {1, 6, 1}, new long[] {3, 1, 4}, new long[] {2, 3, 4}, new long[] {1, 2, 1, 3},
                new long[] {2, 2, 3, 5});
    }

    static long length(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    static boolean weight(long[] shape) {
        return Arrays.stream(shape).filter(d -> d > 1).count() >= 2;
    }

    /** Adam-mini's number of blocks for a variable of this shape. */
    static long adamMiniBlocks(long[] shape) {
        AdamMini config = new AdamMini(0.01);
        AdamMiniUpdater u = new AdamMiniUpdater(config);
        u.setStateViewArray(Nd4j.create(DataType.DOUBLE, config.stateSize(length(shape))), shape, 'c', true);
        INDArray m = u.getState().get(AdamMiniUpdater.M_STATE);
        assertArrayEquals(shape, m.shape(), "state m is reported in the variable's shape");
        return u.getState().get(AdamMiniUpdater.V_STATE).length();
    }

    /** True when Muon orthogonalises a variable of this shape (false: its auxiliary updater takes it). */
    static boolean muonOrthogonalises(long[] shape) {
        Muon config = new Muon(0.02);
        MuonUpdater u = new MuonUpdater(config);
        u.setStateViewArray(Nd4j.create(DataType.DOUBLE, config.stateSize(length(shape))), shape, 'c', true);
        return u.getState().containsKey(MuonUpdater.MOMENTUM_STATE);
    }

    @Test
    void bothOptimizersAgreeOnEveryShape() {
        for (long[] shape : shapes()) {
            String s = Arrays.toString(shape);
            long blocks = adamMiniBlocks(shape);
            boolean orthogonalised = muonOrthogonalises(shape);
            assertEquals(blocks < length(shape), orthogonalised, s + ": Adam-mini blocks " + blocks
                    + ", Muon orthogonalises " + orthogonalised);
            assertEquals(weight(shape), orthogonalised, s);
            long expectedBlocks = weight(shape) ? shape[shape.length - 1] : length(shape);
            assertEquals(expectedBlocks, blocks, s);
        }
    }
}
