package dev.curvature.optimizers;

import dev.curvature.optimizers.layout.ParamLayout;
import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import dev.curvature.testing.NetworkReference;
import dev.curvature.testing.NetworkReference.Expectation;
import dev.curvature.testing.ReferenceAdamMini;
import dev.curvature.testing.ReferencePartition;
import dev.curvature.testing.SyntheticData;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adam-mini inside real DL4J networks: every parameter's trajectory over several {@code fit} steps equals a
 * per-parameter plain-Java reference with the partition the spec prescribes for that layer type, whatever blocks
 * DL4J would have merged.
 */
class AdamMiniNetworkTest {
    private static final double TOL = 1e-9;
    private static final int STEPS = 4;

    /** Roles the spec prescribes, written out per test rather than taken from the code under test. */
    static BiFunction<String, ParamSpec, Expectation> expect(Map<String, ParamRole> roleByParam, double lr,
                                                            double biasLr, double weightDecay) {
        return (layer, spec) -> {
            ParamRole role = roleByParam.get(spec.param());
            if (role == null) {
                return null;
            }
            ParamSpec withRole = new ParamSpec(layer, spec.param(), role, spec.shape(), spec.order(), false);
            double rate = role == ParamRole.BIAS ? biasLr : lr;
            ReferenceAdamMini ref = new ReferenceAdamMini(rate, 0.9, 0.999, 1e-8, ReferencePartition.blockIds(withRole));
            double decay = role.isMatrixWeight() ? rate * weightDecay : 0.0;
            return new Expectation(role, ref::update, decay);
        };
    }

    static NeuralNetConfiguration.Builder base(IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(12345).dataType(DataType.DOUBLE).updater(updater);
    }

    @Test
    void mlpFollowsPerNeuronPartition() {
        MultiLayerConfiguration conf = base(new AdamMini(0.01)).list()
                .layer(new DenseLayer.Builder().nIn(12).nOut(10).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(12)).build();
        MultiLayerNetwork net = Layouts.attach(init(conf));
        DataSet data = SyntheticData.classification(1, 16, 12, 5, DataType.DOUBLE);
        NetworkReference.assertTrainsLikeReference(net, data, STEPS, TOL,
                expect(Map.of("W", ParamRole.DENSE_WEIGHT, "b", ParamRole.BIAS), 0.01, 0.01, 0));
    }

    @Test
    void biasUpdaterSplitsWeightsAndBiases() {
        MultiLayerConfiguration conf = base(new AdamMini(0.02)).biasUpdater(new AdamMini(0.005)).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(7).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork net = Layouts.attach(init(conf));
        DataSet data = SyntheticData.classification(2, 10, 6, 3, DataType.DOUBLE);
        NetworkReference.assertTrainsLikeReference(net, data, STEPS, TOL,
                expect(Map.of("W", ParamRole.DENSE_WEIGHT, "b", ParamRole.BIAS), 0.02, 0.005, 0));
    }

    @Test
    void neighboursWithoutBiasAreNotMergedIntoOneFlatBlock() {
        MultiLayerConfiguration conf = base(new AdamMini(0.01)).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(6).hasBias(false).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(6).hasBias(false).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(6).hasBias(false).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4).hasBias(false)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork net = init(conf);
        // Without a stamp DL4J merges all four equal configurations into one flat block
        assertEquals(1, ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks().size());
        Layouts.attach(net);
        List<UpdaterBlock> blocks = ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks();
        assertEquals(4, blocks.size());
        for (UpdaterBlock b : blocks) {
            assertEquals(1, b.getLayersAndVariablesInBlock().size());
            ParamLayout layout = ((AdamMini) b.getGradientUpdater().getConfig()).getLayout();
            assertNotNull(layout);
            assertEquals(b.getLayersAndVariablesInBlock().get(0).getParamName(), layout.params().get(0).param());
        }
        DataSet data = SyntheticData.classification(3, 9, 6, 4, DataType.DOUBLE);
        NetworkReference.assertTrainsLikeReference(net, data, STEPS, TOL,
                expect(Map.of("W", ParamRole.DENSE_WEIGHT), 0.01, 0.01, 0));
    }

    @Test
    void weightDecayIsDecoupledAndSkipsBiases() {
        AdamMini updater = AdamMini.builder().learningRate(0.01).weightDecay(0.3).build();
        MultiLayerConfiguration conf = base(updater).list()
                .layer(new DenseLayer.Builder().nIn(5).nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(5)).build();
        MultiLayerNetwork net = Layouts.attach(init(conf));
        DataSet data = SyntheticData.classification(4, 8, 5, 3, DataType.DOUBLE);
        NetworkReference.assertTrainsLikeReference(net, data, STEPS, TOL,
                expect(Map.of("W", ParamRole.DENSE_WEIGHT, "b", ParamRole.BIAS), 0.01, 0.01, 0.3));
    }

    @Test
    void weightDecayConfiguredTwiceIsRefused() {
        AdamMini updater = AdamMini.builder().weightDecay(0.1).build();
        MultiLayerConfiguration conf = base(updater).weightDecay(0.01).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2).activation(Activation.SOFTMAX).build())
                .build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Layouts.attach(init(conf)));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void convolutionFollowsPerChannelPartition() {
        MultiLayerConfiguration conf = base(new AdamMini(0.01)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 2)).build();
        MultiLayerNetwork net = Layouts.attach(init(conf));
        DataSet data = SyntheticData.images(5, 6, 2, 8, 8, 3, DataType.DOUBLE);
        // conv W [4, 2, 3, 3] per channel; dense W per column; biases per element; BatchNorm gamma/beta whole
        BiFunction<String, ParamSpec, Expectation> conv = expect(Map.of("W", ParamRole.CONV_WEIGHT, "b", ParamRole.BIAS), 0.01, 0.01, 0);
        BiFunction<String, ParamSpec, Expectation> dense = expect(Map.of("W", ParamRole.DENSE_WEIGHT, "b", ParamRole.BIAS), 0.01, 0.01, 0);
        BiFunction<String, ParamSpec, Expectation> norm = expect(Map.of("gamma", ParamRole.NORM, "beta", ParamRole.NORM), 0.01, 0.01, 0);
        // BatchNorm in training mode makes gradients depend on the batch only; the comparison stays exact
        NetworkReference.assertTrainsLikeReference(net, data, STEPS, 1e-8, (layer, spec) -> switch (layer) {
            case "layer0" -> conv.apply(layer, spec);
            case "layer2" -> norm.apply(layer, spec);
            case "layer3" -> dense.apply(layer, spec);
            default -> null;
        });
    }

    @Test
    void lstmWeightsArePerOutputNeuron() {
        MultiLayerConfiguration conf = base(new AdamMini(0.01)).list()
                .layer(new LSTM.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3)).build();
        MultiLayerNetwork net = Layouts.attach(init(conf));
        DataSet data = SyntheticData.sequences(6, 5, 3, 4, 2, DataType.DOUBLE);
        NetworkReference.assertTrainsLikeReference(net, data, STEPS, TOL,
                expect(Map.of("W", ParamRole.DENSE_WEIGHT, "RW", ParamRole.DENSE_WEIGHT, "b", ParamRole.BIAS), 0.01, 0.01, 0));
    }

    @Test
    void embeddingIsPerToken() {
        MultiLayerConfiguration conf = base(new AdamMini(0.01)).list()
                .layer(new EmbeddingLayer.Builder().nIn(7).nOut(3).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = Layouts.attach(init(conf));
        double[][] tokens = {{0}, {3}, {6}, {3}, {1}, {5}};
        DataSet data = new DataSet(Nd4j.createFromArray(tokens),
                SyntheticData.classification(7, 6, 1, 2, DataType.DOUBLE).getLabels());
        NetworkReference.assertTrainsLikeReference(net, data, STEPS, TOL, (layer, spec) ->
                (layer.equals("layer0") ? expect(Map.of("W", ParamRole.EMBEDDING), 0.01, 0.01, 0)
                        : expect(Map.of("W", ParamRole.DENSE_WEIGHT, "b", ParamRole.BIAS), 0.01, 0.01, 0)).apply(layer, spec));
    }

    @Test
    void selfAttentionIsPerHeadForQueryAndKey() {
        MultiLayerConfiguration conf = base(new AdamMini(0.01)).list()
                .layer(new SelfAttentionLayer.Builder().nIn(4).nOut(6).nHeads(2).projectInput(true).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(4)).build();
        MultiLayerNetwork net = Layouts.attach(init(conf));
        DataSet data = SyntheticData.sequences(8, 3, 4, 5, 2, DataType.DOUBLE);
        NetworkReference.assertTrainsLikeReference(net, data, STEPS, 1e-8, (layer, spec) ->
                (layer.equals("layer0")
                        ? expect(Map.of("Wq", ParamRole.ATTENTION_QUERY_KEY, "Wk", ParamRole.ATTENTION_QUERY_KEY,
                        "Wv", ParamRole.ATTENTION_VALUE, "Wo", ParamRole.DENSE_WEIGHT), 0.01, 0.01, 0)
                        : expect(Map.of("W", ParamRole.DENSE_WEIGHT, "b", ParamRole.BIAS), 0.01, 0.01, 0)).apply(layer, spec));
    }

    @Test
    void computationGraphFollowsPartition() {
        ComputationGraphConfiguration conf = base(new AdamMini(0.01)).graphBuilder()
                .addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("side", new DenseLayer.Builder().nIn(6).nOut(5).hasBias(false).activation(Activation.TANH).build(), "in")
                .addVertex("sum", new org.deeplearning4j.nn.conf.graph.ElementWiseVertex(
                        org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add), "hidden", "side")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "sum")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Layouts.attach(graph);
        DataSet data = SyntheticData.classification(9, 10, 6, 3, DataType.DOUBLE);
        NetworkReference.assertTrainsLikeReference(graph, data, STEPS, TOL,
                expect(Map.of("W", ParamRole.DENSE_WEIGHT, "b", ParamRole.BIAS), 0.01, 0.01, 0));
    }

    @Test
    void trainingWithoutAttachFailsAtFirstStepNamingTheCall() {
        MultiLayerConfiguration conf = base(new AdamMini(0.01)).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(2).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = init(conf);
        double[] before = net.params().toDoubleVector();
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> net.fit(SyntheticData.classification(1, 4, 4, 2, DataType.DOUBLE)));
        assertTrue(messageChain(e).contains("Layouts.attach"), messageChain(e));
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(net.params().toDoubleVector()));
    }

    @Test
    void attachAfterTrainingWithDifferentLayoutIsRefused() {
        MultiLayerConfiguration conf = base(new org.nd4j.linalg.learning.config.Adam(0.01)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).updater(new AdamMini(0.01)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = init(conf);
        Layouts.attach(net);
        net.fit(SyntheticData.classification(1, 4, 4, 2, DataType.DOUBLE));
        // attaching again is a no-op on a stamped network
        Layouts.attach(net);
        net.fit(SyntheticData.classification(1, 4, 4, 2, DataType.DOUBLE));
        assertEquals(2, net.getIterationCount());
    }

    static String messageChain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
