package dev.curvature.optimizers;

import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import dev.curvature.testing.NetworkReference;
import dev.curvature.testing.NetworkReference.Expectation;
import dev.curvature.testing.ReferenceDl4jAdam;
import dev.curvature.testing.ReferenceMuon;
import dev.curvature.testing.SyntheticData;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Muon inside DL4J networks: hidden weights follow the plain-Java Muon reference, biases and the output layer
 * follow the auxiliary Adam, whatever DL4J merges; without {@link Layouts#attach} training fails loudly.
 */
class MuonNetworkTest {
    static final int STEPS = 4;
    static final double LR = 0.02;

    /**
     * Hidden matrices (role given by the test, not the code under test) get Muon with the stated matrix view;
     * everything else the default auxiliary Adam(3e-4, 0.9, 0.95, 1e-10).
     */
    static BiFunction<String, ParamSpec, Expectation> expect(String outputLayer, double weightDecay) {
        return (layer, spec) -> {
            long[] s = spec.shape();
            boolean vector = s.length == 1 || s[0] == 1 || s[s.length - 1] == 1 && s.length == 2;
            if (vector || layer.equals(outputLayer)) {
                ReferenceDl4jAdam adam = new ReferenceDl4jAdam(3e-4, 0.9, 0.95, 1e-10, (int) spec.length());
                return new Expectation(ParamRole.BIAS, adam::update, 0);
            }
            int rows;
            int cols;
            long fanIn;
            long fanOut;
            ParamRole role;
            if (s.length == 3) { // attention [nHeads, headSize, nIn] 'c' -> [nHeads*headSize, nIn]
                rows = (int) (s[0] * s[1]);
                cols = (int) s[2];
                fanIn = cols;
                fanOut = rows;
                role = ParamRole.ATTENTION_QUERY_KEY;
            } else if (s.length == 4) { // conv [nOut, nIn, kH, kW] 'c' -> [nOut, nIn*kH*kW]
                rows = (int) s[0];
                cols = (int) (spec.length() / s[0]);
                fanIn = cols;
                fanOut = rows;
                role = ParamRole.CONV_WEIGHT;
            } else {             // dense / LSTM [nIn, nOut] 'f'
                rows = (int) s[0];
                cols = (int) s[1];
                fanIn = rows;
                fanOut = cols;
                role = ParamRole.DENSE_WEIGHT;
            }
            ReferenceMuon muon = new ReferenceMuon(LR, 0.95, true, 5, false, rows, cols, fanIn, fanOut);
            char order = spec.order();
            int r = rows;
            int c = cols;
            return new Expectation(role, (g, it) -> MuonUpdaterTest.fromRowMajor(
                    muon.update(MuonUpdaterTest.toRowMajor(g, r, c, order)), r, c, order), LR * weightDecay);
        };
    }

    static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static NeuralNetConfiguration.Builder base(Muon muon) {
        return new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE).updater(muon);
    }

    @Test
    void mlpHiddenWeightsGetMuonTheRestAuxiliaryAdam() {
        MultiLayerConfiguration conf = base(new Muon(LR)).list()
                .layer(new DenseLayer.Builder().nIn(10).nOut(16).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(12).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(10)).build();
        MultiLayerNetwork net = Layouts.attach(init(conf));
        DataSet data = SyntheticData.classification(31, 20, 10, 4, DataType.DOUBLE);
        NetworkReference.assertTrainsLikeReference(net, data, STEPS, 1e-8, expect("layer2", 0));
    }

    @Test
    void mergedNeighboursWithoutBiasStayPerMatrix() {
        MultiLayerConfiguration conf = base(new Muon(LR)).list()
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).hasBias(false).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(8).hasBias(false).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).hasBias(false)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(8)).build();
        MultiLayerNetwork net = init(conf);
        assertEquals(1, ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks().size());
        Layouts.attach(net);
        assertEquals(3, ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks().size());
        DataSet data = SyntheticData.classification(32, 12, 8, 3, DataType.DOUBLE);
        NetworkReference.assertTrainsLikeReference(net, data, STEPS, 1e-8, expect("layer2", 0));
    }

    @Test
    void weightDecayIsDecoupledOnMuonMatrices() {
        MultiLayerConfiguration conf = base(Muon.builder().learningRate(LR).weightDecay(0.5).build()).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(7).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork net = Layouts.attach(init(conf));
        DataSet data = SyntheticData.classification(33, 12, 6, 3, DataType.DOUBLE);
        NetworkReference.assertTrainsLikeReference(net, data, STEPS, 1e-8, (layer, spec) -> {
            Expectation e = expect("layer1", 0.5).apply(layer, spec);
            // the output layer is auxiliary: no Muon decay there (auxiliaryWeightDecay is 0)
            return layer.equals("layer1") ? new Expectation(e.role(), e.stepper(), 0) : e;
        });
    }

    @Test
    void convolutionAndLstmWeightsAreOrthogonalised() {
        MultiLayerConfiguration conv = base(new Muon(LR)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 2)).build();
        MultiLayerNetwork convNet = Layouts.attach(init(conv));
        NetworkReference.assertTrainsLikeReference(convNet, SyntheticData.images(34, 6, 2, 6, 6, 3, DataType.DOUBLE),
                STEPS, 1e-8, expect("layer1", 0));
        MultiLayerConfiguration lstm = base(new Muon(LR)).list()
                .layer(new LSTM.Builder().nIn(3).nOut(5).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3)).build();
        MultiLayerNetwork lstmNet = Layouts.attach(init(lstm));
        NetworkReference.assertTrainsLikeReference(lstmNet, SyntheticData.sequences(35, 4, 3, 5, 2, DataType.DOUBLE),
                STEPS, 1e-8, expect("layer1", 0));
    }

    @Test
    void selfAttentionProjectionsAreOrthogonalised() {
        MultiLayerConfiguration conf = base(new Muon(LR)).list()
                .layer(new org.deeplearning4j.nn.conf.layers.SelfAttentionLayer.Builder().nIn(4).nOut(6).nHeads(2)
                        .projectInput(true).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(4)).build();
        MultiLayerNetwork net = Layouts.attach(init(conf));
        NetworkReference.assertTrainsLikeReference(net, SyntheticData.sequences(37, 3, 4, 5, 2, DataType.DOUBLE),
                STEPS, 1e-8, expect("layer1", 0));
    }

    @Test
    void computationGraph() {
        ComputationGraphConfiguration conf = base(new Muon(LR)).graphBuilder().addInputs("in")
                .addLayer("h", new DenseLayer.Builder().nIn(7).nOut(9).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(9).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "h")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Layouts.attach(graph);
        NetworkReference.assertTrainsLikeReference(graph, SyntheticData.classification(36, 10, 7, 3, DataType.DOUBLE),
                STEPS, 1e-8, expect("out", 0));
    }

    @Test
    void withoutAttachTrainingFailsInsteadOfDegradingToMomentumSgd() {
        MultiLayerConfiguration conf = base(new Muon(LR)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(4).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = init(conf);
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> net.fit(SyntheticData.classification(1, 4, 4, 2, DataType.DOUBLE)));
        assertTrue(AdamMiniNetworkTest.messageChain(e).contains("Layouts.attach"), AdamMiniNetworkTest.messageChain(e));
    }
}
