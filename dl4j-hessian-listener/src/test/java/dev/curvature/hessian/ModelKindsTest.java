package dev.curvature.hessian;

import ch.qos.logback.classic.Level;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MultiLayerNetwork and ComputationGraph give the same report; a FLOAT network is probed in DOUBLE; dropout is off
 * during probes; the training network is untouched; layers that cannot be handled are skipped with one warning.
 */
class ModelKindsTest {
    private static final HessianBlockEstimator EXACT = HessianBlockEstimator.builder()
            .method(HessianBlockEstimator.Method.EXACT).lanczosSteps(8).build();

    private static void assertSameReport(BlockHessianReport expected, BlockHessianReport actual, double rel) {
        assertEquals(expected.blockCount(), actual.blockCount());
        assertEquals(expected.pairwiseRatio(), actual.pairwiseRatio(), rel * expected.pairwiseRatio());
        assertEquals(expected.offDiagonalMassRatio(), actual.offDiagonalMassRatio(), rel * expected.offDiagonalMassRatio());
        assertEquals(expected.topEigenvalue(), actual.topEigenvalue(), rel * Math.abs(expected.topEigenvalue()));
        assertEquals(expected.trace(), actual.trace(), rel * Math.abs(expected.trace()));
        for (int i = 0; i < expected.blockCount(); i++) {
            for (int j = 0; j < expected.blockCount(); j++) {
                assertEquals(expected.blockNorm(i, j), actual.blockNorm(i, j), rel * expected.diagonalRms(),
                        "||H_" + i + "," + j + "||");
            }
        }
    }

    @Test
    void multiLayerNetworkAndComputationGraphAgree() {
        MultiLayerNetwork net = Nets.oneHidden(4, 5, 3, DataType.DOUBLE, 1.0, 1);
        ComputationGraph graph = Nets.oneHiddenGraph(4, 5, 3, DataType.DOUBLE, 1.0, 2);
        graph.setParams(net.params().dup());
        DataSet data = Nets.randomData(3, 20, 4, 3, DataType.DOUBLE);
        BlockHessianReport a = EXACT.estimate(net, data);
        BlockHessianReport b = EXACT.estimate(graph, data);
        assertSameReport(a, b, 1e-12);
        assertEquals("layer0/W[2]", a.labels().get(2).toString());
        assertEquals("hidden/W[2]", b.labels().get(2).toString());
        assertEquals("out/b", b.labels().get(b.blockCount() - 1).toString());
        assertEquals(2, b.layers().size());
        assertEquals("hidden", b.layers().get(0).layer());
        assertEquals(6, b.layers().get(0).blocks(), "5 neurons + 1 bias block");
    }

    @Test
    void floatNetworkIsProbedInDouble() {
        MultiLayerNetwork floatNet = Nets.oneHidden(4, 5, 3, DataType.FLOAT, 1.0, 3);
        MultiLayerNetwork doubleNet = Nets.oneHidden(4, 5, 3, DataType.DOUBLE, 1.0, 3);
        doubleNet.setParams(floatNet.params().castTo(DataType.DOUBLE));
        DataSet data = Nets.randomData(4, 20, 4, 3, DataType.FLOAT);
        DataSet doubleData = new DataSet(data.getFeatures().castTo(DataType.DOUBLE), data.getLabels().castTo(DataType.DOUBLE));
        // float32 finite differences could not get closer than about 1e-4 relative
        assertSameReport(EXACT.estimate(doubleNet, doubleData), EXACT.estimate(floatNet, data), 1e-9);
        assertEquals(DataType.FLOAT, floatNet.params().dataType(), "the training network keeps its type");
    }

    private static MultiLayerNetwork withDropoutLayers(double retain) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER).updater(new Adam()).list();
        if (retain < 1) {
            b.layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).dropOut(retain).build())
                    .layer(new DropoutLayer.Builder(retain).build());
        } else {
            b.layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build())
                    .layer(new DropoutLayer.Builder(1.0).build());
        }
        MultiLayerConfiguration conf = b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                .activation(Activation.SOFTMAX).build()).setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void dropoutIsOffDuringProbes() {
        MultiLayerNetwork plain = withDropoutLayers(1.0);
        MultiLayerNetwork dropout = withDropoutLayers(0.5);
        dropout.setParams(plain.params().dup());
        DataSet data = Nets.randomData(6, 20, 4, 3, DataType.DOUBLE);
        BlockHessianReport first = EXACT.estimate(dropout, data);
        assertSameReport(EXACT.estimate(plain, data), first, 1e-12);
        assertSameReport(first, EXACT.estimate(dropout, data), 0.0);
        assertNotNull(dropout.getLayer(0).conf().getLayer().getIDropout(), "the training network keeps its dropout");
        assertNotNull(dropout.getLayer(1).conf().getLayer().getIDropout(), "and its DropoutLayer");
    }

    @Test
    void estimateLeavesTheTrainingNetworkUntouched() {
        ComputationGraph graph = Nets.oneHiddenGraph(4, 5, 3, DataType.FLOAT, 0.8, 7);
        DataSet data = Nets.randomData(8, 16, 4, 3, DataType.FLOAT);
        graph.setListeners(new ScoreIterationListener(1000));
        graph.fit(data);
        float[] params = graph.params().toFloatVector();
        float[] state = graph.getUpdater().getStateViewArray().toFloatVector();
        float[] gradient = graph.getFlattenedGradients().toFloatVector();
        Nd4j.getRandom().setSeed(123);
        double expectedDraw = Nd4j.getRandom().nextDouble();
        Nd4j.getRandom().setSeed(123);

        HessianBlockEstimator.builder().probesPerBlock(3).build().estimate(graph, data);

        assertEquals(expectedDraw, Nd4j.getRandom().nextDouble(), "the global random stream did not move");
        assertArrayEquals(params, graph.params().toFloatVector());
        assertArrayEquals(state, graph.getUpdater().getStateViewArray().toFloatVector());
        assertArrayEquals(gradient, graph.getFlattenedGradients().toFloatVector());
        assertEquals(1, graph.getListeners().size(), "listeners of the graph kept (ComputationGraph.clone shares them)");
        assertEquals(1, graph.getIterationCount());
    }

    @Test
    void frozenLayersAreSkippedWithOneWarning() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(9).dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER).updater(new Adam()).list()
                .layer(new FrozenLayer(new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        DataSet data = Nets.randomData(10, 16, 4, 3, DataType.DOUBLE);
        HessianBlockEstimator estimator = HessianBlockEstimator.builder().probesPerBlock(2).build();
        try (LogCapture log = new LogCapture(HessianBlockEstimator.class)) {
            BlockHessianReport first = estimator.estimate(net, data);
            estimator.estimate(net, data);
            assertEquals(1, log.count(Level.WARN, "frozen"), "one warning for two probes: " + log.events());
            assertTrue(log.events().get(0).getFormattedMessage().contains("layer0"));
            assertEquals(4, first.blockCount(), "only the output layer: 3 neurons + its bias");
            assertTrue(first.labels().stream().allMatch(l -> l.layer().equals("layer1")));
            assertEquals(5 * 3 + 3, first.parameters());
        }
    }
}
