package dev.curvature.optimizers;

import dev.curvature.optimizers.layout.ParamLayout;
import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import dev.curvature.testing.ReferenceMuon;
import dev.curvature.testing.ReferencePartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;

import java.util.List;
import java.util.Random;

import static dev.curvature.testing.Assertions2.assertClose;
import static dev.curvature.testing.Assertions2.toDoubles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Muon step on stamped layouts against {@link ReferenceMuon} (plain Java, double) over several steps of seeded
 * gradients: momentum, Nesterov on and off, both scalings, tall/wide matrices in 'f' and 'c' storage, a
 * convolution flattened to {@code [nOut, nIn*kH*kW]}; in float and double.
 */
class MuonUpdaterTest {
    static final int STEPS = 5;

    static GradientUpdater<?> instantiate(Muon config, List<ParamSpec> specs, DataType type) {
        long n = 0;
        for (ParamSpec p : specs) {
            n += config.stateSize(p.length());
        }
        return config.instantiate(Nd4j.create(type, n), true);
    }

    /** Row-major copy of a flat parameter slice seen as the Muon matrix [rows, cols] in the given storage order. */
    static double[] toRowMajor(double[] flat, int rows, int cols, char order) {
        double[] out = new double[flat.length];
        for (int e = 0; e < flat.length; e++) {
            long[] idx = ReferencePartition.multiIndex(e, new long[] {rows, cols}, order);
            out[(int) (idx[0] * cols + idx[1])] = flat[e];
        }
        return out;
    }

    static double[] fromRowMajor(double[] rm, int rows, int cols, char order) {
        double[] out = new double[rm.length];
        for (int e = 0; e < rm.length; e++) {
            long[] idx = ReferencePartition.multiIndex(e, new long[] {rows, cols}, order);
            out[e] = rm[(int) (idx[0] * cols + idx[1])];
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}x{2} '{3}' nesterov={4} matchAdamW={5}")
    @CsvSource({
            "DOUBLE,12,7,f,true,false", "DOUBLE,7,12,f,true,true", "DOUBLE,9,9,c,false,false",
            "FLOAT,12,7,f,true,false", "FLOAT,7,12,c,false,true", "FLOAT,30,20,f,true,false"})
    void denseMatrixMatchesReference(DataType type, int rows, int cols, char order, boolean nesterov,
                                     boolean matchAdamW) {
        ParamSpec w = new ParamSpec("l", "W", ParamRole.DENSE_WEIGHT, new long[] {rows, cols}, order, false);
        Muon config = Muon.builder().learningRate(0.05).momentum(0.9).nesterov(nesterov)
                .scaling(matchAdamW ? Muon.Scaling.MATCH_ADAMW_RMS : Muon.Scaling.SHAPE).build()
                .withLayout(ParamLayout.of(w));
        GradientUpdater<?> u = instantiate(config, List.of(w), type);
        // DL4J [nIn, nOut]: fanIn = rows, fanOut = cols
        ReferenceMuon ref = new ReferenceMuon(0.05, 0.9, nesterov, 5, matchAdamW, rows, cols, rows, cols);
        Random rnd = new Random(rows * 100L + cols);
        double tol = type == DataType.DOUBLE ? 1e-9 : 3e-4;
        for (int step = 0; step < STEPS; step++) {
            double[] g = new double[rows * cols];
            for (int i = 0; i < g.length; i++) {
                g[i] = rnd.nextGaussian();
                if (type == DataType.FLOAT) {
                    g[i] = (float) g[i];
                }
            }
            INDArray ga = Nd4j.createFromArray(g).castTo(type);
            u.applyUpdater(ga, step, 0);
            double[] expected = fromRowMajor(ref.update(toRowMajor(g, rows, cols, order)), rows, cols, order);
            assertClose(expected, ga, tol, tol * 1e-2, "step " + step);
        }
    }

    @Test
    void convolutionIsFlattenedPerOutputChannelAndBiasGoesToAuxiliary() {
        ParamSpec w = new ParamSpec("c", "W", ParamRole.CONV_WEIGHT, new long[] {4, 3, 2, 2}, 'c', false);
        ParamSpec b = new ParamSpec("c", "b", ParamRole.BIAS, new long[] {1, 4}, 'c', false);
        Muon config = new Muon(0.02).withLayout(ParamLayout.of(w, b));
        GradientUpdater<?> u = instantiate(config, List.of(w, b), DataType.DOUBLE);
        // [nOut=4, nIn*kH*kW=12] row-major 'c' = storage order; fanIn 12, fanOut 4
        ReferenceMuon ref = new ReferenceMuon(0.02, 0.95, true, 5, false, 4, 12, 12, 4);
        GradientUpdater<?> adam = Muon.defaultAuxiliary().instantiate(Nd4j.create(DataType.DOUBLE, 1, 8), true);
        Random rnd = new Random(77);
        for (int step = 0; step < STEPS; step++) {
            double[] g = new double[52];
            for (int i = 0; i < g.length; i++) {
                g[i] = rnd.nextGaussian();
            }
            INDArray ga = Nd4j.createFromArray(g);
            u.applyUpdater(ga, step, 0);
            double[] expectedW = ref.update(java.util.Arrays.copyOfRange(g, 0, 48));
            INDArray gb = Nd4j.createFromArray(java.util.Arrays.copyOfRange(g, 48, 52)).reshape(1, 4);
            adam.applyUpdater(gb, step, 0);
            assertClose(expectedW, ga.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 48)), 1e-9, 1e-12, "W step " + step);
            assertClose(toDoubles(gb), ga.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(48, 52)), 1e-12, 0, "b step " + step);
        }
    }

    @Test
    void outputLayerAndEmbeddingsGoToAuxiliaryByDefault() {
        Muon muon = new Muon();
        ParamSpec out = new ParamSpec("out", "W", ParamRole.DENSE_WEIGHT, new long[] {8, 3}, 'f', true);
        ParamSpec emb = new ParamSpec("e", "W", ParamRole.EMBEDDING, new long[] {10, 4}, 'f', false);
        ParamSpec hidden = new ParamSpec("h", "W", ParamRole.DENSE_WEIGHT, new long[] {8, 3}, 'f', false);
        assertNull(muon.matrixOf(out));
        assertNull(muon.matrixOf(emb));
        assertEquals(8, muon.matrixOf(hidden).fanIn());
        assertEquals(3, Muon.builder().includeOutputLayer(true).build().matrixOf(out).fanOut());
        // state: momentum for the hidden matrix, Adam's 2N for the output weights
        assertEquals(24, muon.withLayout(ParamLayout.of(hidden)).stateSize(24));
        assertEquals(48, muon.withLayout(ParamLayout.of(out)).stateSize(24));
        // the matrices Newton-Schulz works on: the hidden weight, and a convolution as [nOut, nIn*kH*kW]
        ParamSpec conv = new ParamSpec("c", "W", ParamRole.CONV_WEIGHT, new long[] {4, 3, 2, 2}, 'c', false);
        List<long[]> shapes = muon.withLayout(ParamLayout.of(out, emb, hidden, conv)).orthogonalizedShapes();
        assertEquals(2, shapes.size());
        assertArrayEquals(new long[] {8, 3}, shapes.get(0));
        assertArrayEquals(new long[] {4, 12}, shapes.get(1));
        assertTrue(muon.orthogonalizedShapes().isEmpty(), "no layout, no matrices");
    }

    @Test
    void nonFiniteGradientFailsBeforeTheStateChanges() {
        ParamSpec w = new ParamSpec("l", "W", ParamRole.DENSE_WEIGHT, new long[] {3, 2}, 'f', false);
        Muon config = new Muon().withLayout(ParamLayout.of(w));
        INDArray state = Nd4j.create(DataType.FLOAT, 6);
        GradientUpdater<?> u = config.instantiate(state, true);
        u.applyUpdater(Nd4j.createFromArray(new float[] {1, 2, 3, 4, 5, 6}), 0, 0);
        INDArray before = state.dup();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> u.applyUpdater(Nd4j.createFromArray(new float[] {1, Float.NaN, 3, 4, 5, 6}), 1, 0));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        assertEquals(before, state);
    }

    @Test
    void unstampedMuonNamesLayoutsAttach() {
        GradientUpdater<?> u = new Muon().instantiate(Nd4j.create(DataType.FLOAT, 12), true);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> u.applyUpdater(Nd4j.create(DataType.FLOAT, 6), 0, 0));
        assertTrue(e.getMessage().contains("Layouts.attach"), e.getMessage());
    }
}
