package dev.curvature.hessian.internal;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which layers make central-difference Hessian-vector products step across gradient jumps. */
class KinkFreezerTest {

    private static MultiLayerNetwork mlp(Activation hidden) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).activation(hidden).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    @Test
    void smoothActivationsHaveNoKinksPiecewiseLinearOnesDo() {
        assertEquals(List.of(), frozen(mlp(Activation.TANH)));
        assertEquals(List.of(), frozen(mlp(Activation.SIGMOID)));
        assertEquals(List.of("layer0 (relu)"), frozen(mlp(Activation.RELU)));
        assertEquals(1, frozen(mlp(Activation.LEAKYRELU)).size());
        assertEquals(1, frozen(mlp(Activation.HARDTANH)).size());
    }

    @Test
    void maxPoolingIsAKinkAveragePoolingIsNot() {
        for (SubsamplingLayer.PoolingType type : List.of(SubsamplingLayer.PoolingType.MAX,
                SubsamplingLayer.PoolingType.AVG, SubsamplingLayer.PoolingType.SUM)) {
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                    .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.TANH).build())
                    .layer(new SubsamplingLayer.Builder(type).kernelSize(2, 2).stride(2, 2).name("pool").build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutional(8, 8, 1)).build());
            net.init();
            assertEquals(type == SubsamplingLayer.PoolingType.MAX ? List.of("pool (max pooling)") : List.of(),
                    frozen(net), type.toString());
        }
    }

    @Test
    void graphLayersAreNamedByVertex() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build());
        g.init();
        assertEquals(List.of("hidden (relu)"), frozen(g));
    }

    private static List<String> frozen(MultiLayerNetwork net) {
        return KinkFreezer.find(net.getLayerWiseConfigurations()).frozen();
    }

    private static List<String> frozen(ComputationGraph g) {
        return KinkFreezer.find(g.getConfiguration()).frozen();
    }

    /** Every kind that is frozen is listed, and what cannot be frozen is named, per layer. */
    @Test
    void frozenAndNotExactAreNamedPerLayer() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional(
                        new org.deeplearning4j.nn.conf.layers.LSTM.Builder().nIn(3).nOut(4).name("lstm")
                                .activation(Activation.TANH).gateActivationFunction(Activation.HARDSIGMOID).build()))
                .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(
                        org.deeplearning4j.nn.conf.layers.PoolingType.PNORM).name("pnorm").build())
                .layer(new org.deeplearning4j.nn.conf.layers.PReLULayer.Builder().inputShape(8).name("prelu").build())
                .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().activation(Activation.RELU6)
                        .name("act").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.L1).nOut(3).name("out")
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(3, 5)).build());
        net.init();
        KinkFreezer.Kinks k = KinkFreezer.find(net.getLayerWiseConfigurations());
        assertEquals(List.of("layer0/forward (gate hardsigmoid)", "layer0/backward (gate hardsigmoid)",
                "prelu (PReLU layer)", "act (relu6)"), k.frozen());
        assertEquals(List.of("pnorm (p-norm pooling: kink where a window is all zero)", "out (L1 loss: kinked)"),
                k.notExact());
    }

    @Test
    void elementWiseMaxIsFrozenAndKinkedLossesAreNamed() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build(), "in")
                .addVertex("max", new org.deeplearning4j.nn.conf.graph.ElementWiseVertex(
                        org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Max), "a", "b")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.HINGE).nIn(5).nOut(3)
                        .activation(Activation.IDENTITY).build(), "max")
                .setOutputs("out").build());
        g.init();
        KinkFreezer.Kinks k = KinkFreezer.find(g.getConfiguration());
        assertEquals(List.of("max (element-wise max)"), k.frozen());
        assertEquals(List.of("out (Hinge loss: kinked)"), k.notExact());
    }
}
