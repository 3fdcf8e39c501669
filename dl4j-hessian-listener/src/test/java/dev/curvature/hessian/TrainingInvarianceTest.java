package dev.curvature.hessian;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A probe never changes training: a seeded FLOAT run with dropout (which draws from the global ND4J random stream
 * every iteration) ends with bit-identical parameters and updater state, and the same random stream position,
 * with and without the listener probing every other iteration.
 */
class TrainingInvarianceTest {
    private static final int ITERATIONS = 12;

    private static HessianBlockListener listener(boolean freezeKinks) {
        return HessianBlockListener.builder().frequency(2)
                .estimator(HessianBlockEstimator.builder().probesPerBlock(2).maxBlocks(4).lanczosSteps(4).traceProbes(4)
                        .freezeKinks(freezeKinks).build())
                .build();
    }

    private record Outcome(float[] params, float[] updaterState, double nextRandom) {
    }

    private static Outcome train(Supplier<Model> factory, HessianBlockListener listener) {
        Model model = factory.get();
        List<DataSet> batches = Nets.randomData(3, 64, 6, 4, DataType.FLOAT).batchBy(16);
        if (listener != null) {
            model.setListeners(listener);
        }
        for (int i = 0; i < ITERATIONS; i++) {
            DataSet b = batches.get(i % batches.size());
            if (model instanceof MultiLayerNetwork n) {
                n.fit(b);
            } else {
                ((ComputationGraph) model).fit(b);
            }
        }
        float[] state = model instanceof MultiLayerNetwork n ? n.getUpdater().getStateViewArray().toFloatVector()
                : ((ComputationGraph) model).getUpdater().getStateViewArray().toFloatVector();
        return new Outcome(model.params().toFloatVector(), state, Nd4j.getRandom().nextDouble());
    }

    private static void assertProbesDoNotChangeTraining(Supplier<Model> factory) {
        assertProbesDoNotChangeTraining(factory, true);
    }

    private static void assertProbesDoNotChangeTraining(Supplier<Model> factory, boolean freezeKinks) {
        Outcome without = train(factory, null);
        HessianBlockListener listener = listener(freezeKinks);
        Outcome with = train(factory, listener);
        assertEquals(ITERATIONS / 2, listener.history().size(), "probes at iterations 0, 2, ..., 10");
        assertTrue(listener.history().stream().allMatch(r -> Double.isFinite(r.pairwiseRatio())));
        assertArrayEquals(without.params(), with.params(), "parameters must be bit-identical");
        assertArrayEquals(without.updaterState(), with.updaterState(), "updater state must be bit-identical");
        assertEquals(without.nextRandom(), with.nextRandom(), "the global random stream must not move");
    }

    @Test
    void multiLayerNetworkWithDropoutTrainsBitIdentically() {
        assertProbesDoNotChangeTraining(() -> Nets.oneHidden(6, 8, 4, DataType.FLOAT, 0.7, 99));
    }

    @Test
    void computationGraphWithDropoutTrainsBitIdentically() {
        assertProbesDoNotChangeTraining(() -> Nets.oneHiddenGraph(6, 8, 4, DataType.FLOAT, 0.7, 99));
    }

    /**
     * Kinks, frozen or not: ReLU, RReLU (random slopes in training, kept by the activation object for its
     * backpropagation), max pooling and dropout, in a CNN. This caught a probe copy that shared the RReLU object with
     * the training network, and a pooling recording that drew from the global random stream.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void convolutionalNetworkWithKinksTrainsBitIdentically(boolean freezeKinks) {
        assertProbesDoNotChangeTraining(() -> {
            MultiLayerNetwork net = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                    .seed(5).dataType(DataType.FLOAT).updater(new org.nd4j.linalg.learning.config.Adam(1e-2)).list()
                    .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(2, 2).nOut(3)
                            .activation(org.nd4j.linalg.activations.Activation.RELU).build())
                    .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder(
                            org.deeplearning4j.nn.conf.layers.PoolingType.MAX).kernelSize(2, 1).stride(1, 1).build())
                    .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nOut(5).dropOut(0.8)
                            .activation(org.nd4j.linalg.activations.Activation.RRELU).build())
                    .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                            org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT).nOut(4)
                            .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                    .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutionalFlat(3, 2, 1)).build());
            net.init();
            return net;
        }, freezeKinks);
    }

    @Test
    void dropoutReallyDrawsFromTheGlobalStream() {
        // guards the test above: if dropout did not use the global stream, moving it would go unnoticed
        Outcome a = train(() -> Nets.oneHidden(6, 8, 4, DataType.FLOAT, 0.7, 99), null);
        Model net = Nets.oneHidden(6, 8, 4, DataType.FLOAT, 0.7, 99);
        List<DataSet> batches = Nets.randomData(3, 64, 6, 4, DataType.FLOAT).batchBy(16);
        for (int i = 0; i < ITERATIONS; i++) {
            if (i == 5) {
                Nd4j.getRandom().nextDouble(); // one extra draw mid-training
            }
            ((MultiLayerNetwork) net).fit(batches.get(i % batches.size()));
        }
        float[] moved = net.params().toFloatVector();
        boolean differs = false;
        for (int i = 0; i < moved.length; i++) {
            differs |= Float.floatToIntBits(moved[i]) != Float.floatToIntBits(a.params()[i]);
        }
        assertTrue(differs, "one extra draw from Nd4j.getRandom() must change a dropout run");
    }
}
