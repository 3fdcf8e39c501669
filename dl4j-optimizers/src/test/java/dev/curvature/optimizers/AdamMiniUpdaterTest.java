package dev.curvature.optimizers;

import dev.curvature.optimizers.layout.ParamLayout;
import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import dev.curvature.testing.ReferenceAdamMini;
import dev.curvature.testing.ReferencePartition;
import dev.curvature.testing.TestNetworks;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.curvature.testing.Assertions2.assertClose;
import static dev.curvature.testing.Assertions2.toDoubles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Adam-mini step on stamped layouts against the slow plain-Java reference ({@link ReferenceAdamMini} with the
 * partition of {@link ReferencePartition}), over several steps of seeded random gradients whose scale differs per
 * element, so that wrong block boundaries show: on a layout with every role, and on the updater blocks DL4J builds
 * for real MLP, CNN, LSTM and self-attention networks. Tolerances: 1e-12 relative in double, 2e-5 in float.
 */
class AdamMiniUpdaterTest {
    private static final int STEPS = 6;

    static ParamSpec spec(String name, ParamRole role, char order, long... shape) {
        return new ParamSpec("layer", name, role, shape, order, false);
    }

    /** Dense [nIn, nOut] 'f' + bias, conv [nOut, nIn, kH, kW] 'c' + bias, embedding, attention, norm, other. */
    static List<ParamSpec> allShapes() {
        return List.of(
                spec("W", ParamRole.DENSE_WEIGHT, 'f', 7, 5),
                spec("b", ParamRole.BIAS, 'c', 1, 5),
                spec("convW", ParamRole.CONV_WEIGHT, 'c', 4, 3, 2, 2),
                spec("convB", ParamRole.BIAS, 'c', 1, 4),
                spec("emb", ParamRole.EMBEDDING, 'f', 9, 3),
                spec("Wq", ParamRole.ATTENTION_QUERY_KEY, 'c', 2, 3, 4),
                spec("Wv", ParamRole.ATTENTION_VALUE, 'c', 2, 3, 4),
                spec("Wo", ParamRole.DENSE_WEIGHT, 'c', 6, 4),
                spec("gamma", ParamRole.NORM, 'c', 1, 5),
                spec("odd", ParamRole.OTHER, 'c', 3, 3));
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void matchesReferenceOnEveryRole(DataType type) {
        double tol = type == DataType.DOUBLE ? 1e-12 : 2e-5;
        runAgainstReference(allShapes(), type, 0.01, 1e-8, tol, 42);
    }

    @Test
    void matchesReferenceWithLargeEpsilonAndAggressiveBetas() {
        runAgainstReference(allShapes(), DataType.DOUBLE, 0.1, 1e-2, 1e-12, 7);
    }

    /** The networks of the benchmark and of the other network tests: MLP, CNN, LSTM and self-attention. */
    static MultiLayerConfiguration network(String kind, DataType type) {
        NeuralNetConfiguration.Builder base = TestNetworks.base(type, 3)
                .updater(AdamMini.builder().learningRate(0.01).beta1(0.8).beta2(0.95).build());
        return switch (kind) {
            case "MLP" -> TestNetworks.mlp(base);
            case "CNN" -> TestNetworks.cnn(base, 32, 64);
            case "LSTM" -> base.list()
                    .layer(new LSTM.Builder().nIn(10).nOut(16).activation(Activation.TANH).build())
                    .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.recurrent(10)).build();
            case "ATTENTION" -> base.list()
                    .layer(new SelfAttentionLayer.Builder().nIn(8).nOut(12).nHeads(3).projectInput(true).build())
                    .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.recurrent(8)).build();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /**
     * The updaters DL4J built for a real network, one per updater block, each stepped with seeded gradients of its
     * block's length and compared with the reference for the layout stamped into it. This runs the step exactly as
     * in training (DL4J's own state slices, merged blocks as DL4J formed them) at the tolerances of the unit tests.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"MLP,DOUBLE", "MLP,FLOAT", "CNN,DOUBLE", "CNN,FLOAT", "LSTM,DOUBLE", "LSTM,FLOAT",
            "ATTENTION,DOUBLE", "ATTENTION,FLOAT"})
    void matchesReferenceOnTheUpdaterBlocksOfRealNetworks(String kind, DataType type) {
        double tol = type == DataType.DOUBLE ? 1e-12 : 2e-5;
        MultiLayerNetwork net = new MultiLayerNetwork(network(kind, type));
        net.init();
        Layouts.attach(net);
        List<UpdaterBlock> blocks = ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks();
        assertTrue(blocks.size() >= 2, kind + ": one block per layer with parameters");
        Random rnd = new Random(kind.hashCode());
        for (UpdaterBlock block : blocks) {
            GradientUpdater<?> updater = block.getGradientUpdater();
            List<ParamSpec> specs = ((AdamMini) updater.getConfig()).getLayout().params();
            int[] ids = ReferencePartition.blockIds(specs);
            ReferenceAdamMini reference = new ReferenceAdamMini(0.01, 0.8, 0.95, 1e-8, ids);
            for (int step = 0; step < 3; step++) {
                double[] g = randomGradient(rnd, ids.length, type);
                INDArray gradient = Nd4j.createFromArray(g).castTo(type).reshape(1, ids.length);
                updater.applyUpdater(gradient, step, 0);
                assertClose(reference.update(g, step), gradient, tol, tol * 1e-3,
                        kind + " " + specs.get(0).layer() + " step " + step);
            }
        }
    }

    /** Runs the ND4J updater and the reference side by side; returns nothing, asserts each step. */
    static void runAgainstReference(List<ParamSpec> specs, DataType type, double lr, double eps, double tol, long seed) {
        AdamMini config = AdamMini.builder().learningRate(lr).beta1(0.8).beta2(0.95).epsilon(eps).build()
                .withLayout(new ParamLayout(specs));
        GradientUpdater<?> updater = instantiate(config, specs, type);
        int[] ids = ReferencePartition.blockIds(specs);
        ReferenceAdamMini reference = new ReferenceAdamMini(lr, 0.8, 0.95, eps, ids);
        Random rnd = new Random(seed);
        for (int step = 0; step < STEPS; step++) {
            double[] g = randomGradient(rnd, ids.length, type);
            INDArray gradient = Nd4j.createFromArray(g).castTo(type);
            updater.applyUpdater(gradient, step, 0);
            assertClose(reference.update(g, step), gradient, tol, tol * 1e-3, type + " step " + step);
        }
    }

    static GradientUpdater<?> instantiate(AdamMini config, List<ParamSpec> specs, DataType type) {
        long stateLength = 0;
        for (ParamSpec p : specs) {
            stateLength += config.stateSize(p.length());
        }
        return config.instantiate(Nd4j.create(type, stateLength), true);
    }

    /** Gaussian entries with per-element scales spanning three decades, rounded to {@code type}. */
    static double[] randomGradient(Random rnd, int n, DataType type) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = rnd.nextGaussian() * Math.pow(10, -1 - 2 * ((i * 7919) % 13) / 13.0);
            if (type == DataType.FLOAT) {
                g[i] = (float) g[i];
            }
        }
        return g;
    }

    @Test
    void blocksOfSizeOneEqualDl4jAdam() {
        // Every parameter a bias: one block per element, i.e. Adam. DL4J's Adam puts epsilon on the uncorrected
        // root; with eps = 1e-14 both placements agree far below the tolerance for |g| >= 1e-4.
        List<ParamSpec> specs = List.of(spec("a", ParamRole.BIAS, 'c', 40), spec("b", ParamRole.BIAS, 'c', 1, 13));
        double lr = 0.003;
        double eps = 1e-14;
        AdamMini mini = AdamMini.builder().learningRate(lr).epsilon(eps).build().withLayout(new ParamLayout(specs));
        GradientUpdater<?> ours = instantiate(mini, specs, DataType.DOUBLE);
        Adam adam = new Adam(lr, 0.9, 0.999, eps);
        GradientUpdater<?> dl4j = adam.instantiate(Nd4j.create(DataType.DOUBLE, 1, 2 * 53), true);
        Random rnd = new Random(3);
        for (int step = 0; step < STEPS; step++) {
            double[] g = new double[53];
            for (int i = 0; i < g.length; i++) {
                g[i] = rnd.nextGaussian() * (1e-4 + Math.abs(rnd.nextGaussian()));
            }
            INDArray a = Nd4j.createFromArray(g);
            INDArray b = Nd4j.createFromArray(g).reshape(1, 53);
            ours.applyUpdater(a, step, 0);
            dl4j.applyUpdater(b, step, 0);
            assertClose(toDoubles(b), a, 1e-9, 0, "step " + step);
        }
    }

    @Test
    void wholeTensorBlocksEqualAdamWithBlockMeanSecondMoment() {
        // One block per tensor: v is the running mean of mean(g^2); an independent closed form per step.
        List<ParamSpec> specs = List.of(spec("g", ParamRole.NORM, 'c', 1, 11));
        double lr = 0.01;
        AdamMini mini = new AdamMini(lr).withLayout(new ParamLayout(specs));
        GradientUpdater<?> ours = instantiate(mini, specs, DataType.DOUBLE);
        Random rnd = new Random(5);
        double[] m = new double[11];
        double v = 0;
        for (int step = 0; step < STEPS; step++) {
            double[] g = new double[11];
            double meanSq = 0;
            for (int i = 0; i < g.length; i++) {
                g[i] = rnd.nextGaussian();
                meanSq += g[i] * g[i] / g.length;
            }
            v = 0.999 * v + 0.001 * meanSq;
            double[] expected = new double[11];
            for (int i = 0; i < g.length; i++) {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                expected[i] = lr * m[i] / (1 - Math.pow(0.9, step + 1))
                        / (Math.sqrt(v / (1 - Math.pow(0.999, step + 1))) + 1e-8);
            }
            INDArray a = Nd4j.createFromArray(g);
            ours.applyUpdater(a, step, 0);
            assertClose(expected, a, 1e-12, 0, "step " + step);
        }
    }

    @Test
    void equalMagnitudesInsideBlocksEqualAdam() {
        // With |g| equal inside every block, mean(g^2) over a block is each element's g^2: Adam exactly.
        ParamSpec w = spec("W", ParamRole.DENSE_WEIGHT, 'f', 6, 4);
        AdamMini mini = new AdamMini(0.01).withLayout(ParamLayout.of(w));
        GradientUpdater<?> ours = instantiate(mini, List.of(w), DataType.DOUBLE);
        ReferenceAdamMini adam = new ReferenceAdamMini(0.01, 0.9, 0.999, 1e-8, identity(24));
        Random rnd = new Random(11);
        for (int step = 0; step < STEPS; step++) {
            double[] g = new double[24];
            for (int col = 0; col < 4; col++) {
                double mag = Math.exp(rnd.nextGaussian());
                for (int row = 0; row < 6; row++) {
                    g[col * 6 + row] = rnd.nextBoolean() ? mag : -mag; // 'f' order: column col is contiguous
                }
            }
            INDArray a = Nd4j.createFromArray(g);
            ours.applyUpdater(a, step, 0);
            assertClose(adam.update(g, step), a, 1e-12, 0, "step " + step);
        }
    }

    static int[] identity(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        return ids;
    }

    @Test
    void stateIsMPlusOneValuePerBlock() {
        ParamSpec w = spec("W", ParamRole.DENSE_WEIGHT, 'f', 784, 512);
        ParamSpec b = spec("b", ParamRole.BIAS, 'c', 1, 512);
        AdamMini mini = new AdamMini().withLayout(ParamLayout.of(w, b));
        assertEquals(784 * 512 + 512, mini.stateSize(784 * 512));
        assertEquals(512 + 512, mini.stateSize(512));
    }

    @Test
    void nonFiniteGradientFailsAndLeavesStateUnchanged() {
        ParamSpec w = spec("W", ParamRole.DENSE_WEIGHT, 'f', 3, 2);
        AdamMini mini = new AdamMini(0.01).withLayout(ParamLayout.of(w));
        INDArray state = Nd4j.create(DataType.FLOAT, mini.stateSize(6));
        GradientUpdater<?> u = mini.instantiate(state, true);
        u.applyUpdater(Nd4j.createFromArray(new float[] {1, 2, 3, 4, 5, 6}), 0, 0);
        INDArray before = state.dup();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> u.applyUpdater(Nd4j.createFromArray(new float[] {1, Float.NaN, 3, 4, 5, 6}), 1, 0));
        assertTrue(e.getMessage().contains("non-finite gradient"), e.getMessage());
        assertTrue(e.getMessage().contains("layer/W"), e.getMessage());
        assertEquals(before, state);
        IllegalStateException inf = assertThrows(IllegalStateException.class,
                () -> u.applyUpdater(Nd4j.createFromArray(new float[] {1, 2, 3, Float.POSITIVE_INFINITY, 5, 6}), 1, 0));
        assertTrue(inf.getMessage().contains("non-finite"));
        assertEquals(before, state);
    }

    @Test
    void unstampedUpdaterNamesLayoutsAttach() {
        AdamMini mini = new AdamMini();
        GradientUpdater<?> u = mini.instantiate(Nd4j.create(DataType.FLOAT, 6), true);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> u.applyUpdater(Nd4j.create(DataType.FLOAT, 6), 0, 0));
        assertTrue(e.getMessage().contains("Layouts.attach"), e.getMessage());
    }
}
