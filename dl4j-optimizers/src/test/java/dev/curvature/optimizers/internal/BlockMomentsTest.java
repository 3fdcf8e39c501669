package dev.curvature.optimizers.internal;

import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import dev.curvature.testing.ReferencePartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.curvature.testing.Assertions2.assertClose;
import static dev.curvature.testing.Assertions2.toDoubles;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The block kernel against plain Java with the partition written out independently ({@link ReferencePartition}), on
 * a layout with every kind of run: size-1 blocks, contiguous blocks merged across parameters (a convolution's
 * channels next to an {@code 'f'} dense weight with the same block size, two equal norm tensors), strided blocks (an
 * {@code 'f'} embedding's rows, a {@code 'c'} dense weight's columns) and whole tensors. Values are seeded, with
 * scales over three decades so that misplaced block boundaries show. Tolerance: 1e-12 relative in double, 2e-6 in
 * float.
 */
class BlockMomentsTest {

    static ParamSpec spec(String name, ParamRole role, char order, long... shape) {
        return new ParamSpec("layer", name, role, shape, order, false);
    }

    static List<ParamSpec> specs() {
        return List.of(
                spec("convB", ParamRole.BIAS, 'c', 1, 4),
                spec("convW", ParamRole.CONV_WEIGHT, 'c', 4, 3, 2, 2),     // 4 blocks of 12, contiguous
                spec("W", ParamRole.DENSE_WEIGHT, 'f', 12, 5),            // 5 blocks of 12: merges with convW
                spec("b", ParamRole.BIAS, 'c', 1, 5),
                spec("gamma", ParamRole.NORM, 'c', 1, 6),                 // whole tensors of equal length: one run
                spec("beta", ParamRole.NORM, 'c', 1, 6),
                spec("emb", ParamRole.EMBEDDING, 'f', 9, 3),              // rows of an 'f' matrix: strided
                spec("Wo", ParamRole.DENSE_WEIGHT, 'c', 6, 4),            // columns of a 'c' matrix: strided
                spec("Wq", ParamRole.ATTENTION_QUERY_KEY, 'c', 2, 3, 4),
                spec("Wv", ParamRole.ATTENTION_VALUE, 'c', 2, 3, 4),
                spec("odd", ParamRole.OTHER, 'c', 3, 3));
    }

    static BlockedLayout layout() {
        List<ParamBlocks> blocks = new ArrayList<>();
        for (ParamSpec p : specs()) {
            blocks.add(AdamMiniPartition.blocks(p));
        }
        return new BlockedLayout(blocks);
    }

    /** Block id of every element of the concatenated parameters (independent of the code under test). */
    static int[] blockIds() {
        return ReferencePartition.blockIds(specs());
    }

    static double[] random(long seed, int n, DataType type) {
        Random rnd = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian() * Math.pow(10, -((i * 7919) % 13) / 4.0);
            if (type == DataType.FLOAT) {
                v[i] = (float) v[i];
            }
        }
        return v;
    }

    static double tolerance(DataType type) {
        return type == DataType.DOUBLE ? 1e-12 : 2e-6;
    }

    @Test
    void runsMergeEquallyBlockedContiguousNeighboursOnly() {
        // convB | convW + W | b | gamma + beta | emb | Wo | Wq | Wv | odd
        assertEquals(9, new BlockMoments(layout()).runCount());
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void blockSquareSumsMatchPlainJava(DataType type) {
        BlockedLayout layout = layout();
        int[] ids = blockIds();
        double[] x = random(1, ids.length, type);
        double[] expected = new double[(int) layout.numBlocks()];
        for (int i = 0; i < ids.length; i++) {
            expected[ids[i]] += x[i] * x[i];
        }
        INDArray out = Nd4j.create(type, layout.numBlocks());
        BlockMoments.blockSquareSums(Nd4j.createFromArray(x).castTo(type), layout, out);
        assertClose(expected, out, tolerance(type), 0, "block sums of squares");
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void preparedOpsRepeatOnNewValuesAndScaleInPlace(DataType type) {
        BlockedLayout layout = layout();
        BlockMoments kernel = new BlockMoments(layout);
        int[] ids = blockIds();
        INDArray values = Nd4j.create(type, ids.length);
        INDArray sums = Nd4j.create(type, layout.numBlocks());
        BlockMoments.Ops squareSums = kernel.squareSums(values, sums);
        BlockMoments.Ops scaleInPlace = kernel.scale(values, sums, values);
        for (int round = 0; round < 3; round++) {
            double[] x = random(10 + round, ids.length, type);
            values.assign(Nd4j.createFromArray(x).castTo(type));
            squareSums.run();
            double[] expectedSums = new double[(int) layout.numBlocks()];
            for (int i = 0; i < ids.length; i++) {
                expectedSums[ids[i]] += x[i] * x[i];
            }
            assertClose(expectedSums, sums, tolerance(type), 0, "sums, round " + round);
            double[] sumsNow = toDoubles(sums);
            scaleInPlace.run(); // x[e] * sums[block(e)], written over x
            double[] expectedScaled = new double[ids.length];
            for (int i = 0; i < ids.length; i++) {
                expectedScaled[i] = x[i] * sumsNow[ids[i]];
            }
            assertClose(expectedScaled, values, tolerance(type), 0, "scaled, round " + round);
        }
    }

    @Test
    void scaleIntoAnotherArrayLeavesTheSourceAlone() {
        BlockedLayout layout = layout();
        int[] ids = blockIds();
        double[] x = random(3, ids.length, DataType.DOUBLE);
        double[] f = random(4, (int) layout.numBlocks(), DataType.DOUBLE);
        INDArray src = Nd4j.createFromArray(x);
        INDArray dst = Nd4j.create(DataType.DOUBLE, ids.length);
        new BlockMoments(layout).scale(src, Nd4j.createFromArray(f), dst).run();
        double[] expected = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            expected[i] = x[i] * f[ids[i]];
        }
        assertClose(expected, dst, 1e-15, 0, "dst");
        assertClose(x, src, 0, 0, "src unchanged");
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void addBlockMeansDividesByBlockSize(DataType type) {
        BlockedLayout layout = layout();
        int[] ids = blockIds();
        int[] size = new int[(int) layout.numBlocks()];
        for (int id : ids) {
            size[id]++;
        }
        double[] sums = random(5, size.length, type);
        double[] target = random(6, size.length, type);
        INDArray t = Nd4j.createFromArray(target).castTo(type);
        new BlockMoments(layout).addBlockMeans(Nd4j.createFromArray(sums).castTo(type), 0.25, t);
        double[] expected = new double[size.length];
        for (int k = 0; k < size.length; k++) {
            expected[k] = target[k] + 0.25 * sums[k] / size[k];
        }
        assertClose(expected, t, tolerance(type), tolerance(type) * 1e-3, "target");
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void inverseRootIsAdamsDenominator(DataType type) {
        double[] v = random(7, 20, type);
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] * v[i];
        }
        INDArray out = Nd4j.create(type, v.length);
        BlockMoments.InverseRoot root = new BlockMoments.InverseRoot(Nd4j.createFromArray(v).castTo(type), out);
        for (double[] scalars : new double[][] {{1e-8, 0.003}, {0.5, 2.0}}) {
            root.apply(scalars[0], scalars[1]);
            double[] expected = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                expected[i] = scalars[1] / (Math.sqrt(v[i]) + scalars[0]);
            }
            assertClose(expected, out, tolerance(type), 0, "alpha / (sqrt(v) + delta)");
        }
    }
}
