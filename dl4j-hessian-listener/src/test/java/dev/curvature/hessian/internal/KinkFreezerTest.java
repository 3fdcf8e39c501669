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
}
