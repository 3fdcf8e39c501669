package dev.curvature.optimizers;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optimizer memory measured from the real arrays: DL4J's updater state array plus everything the Adam-mini
 * updaters hold themselves, against DL4J's Adam on the same network.
 */
class AdamMiniMemoryTest {

    static MultiLayerConfiguration mlp(IUpdater u) {
        return new NeuralNetConfiguration.Builder().updater(u).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(512).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(512).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(784)).build();
    }

    static MultiLayerConfiguration convNet(IUpdater u) {
        return new NeuralNetConfiguration.Builder().updater(u).list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(32).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(64).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1)).build();
    }

    static long stateElements(MultiLayerNetwork net) {
        return OptimizerMemory.stateElements(net);
    }

    static double ratio(MultiLayerConfiguration miniConf, MultiLayerConfiguration adamConf) {
        MultiLayerNetwork mini = new MultiLayerNetwork(miniConf);
        mini.init();
        Layouts.attach(mini);
        MultiLayerNetwork adam = new MultiLayerNetwork(adamConf);
        adam.init();
        long adamElements = stateElements(adam);
        assertEquals(2 * adam.numParams(), adamElements);
        long miniElements = stateElements(mini);
        double r = (double) miniElements / adamElements;
        System.out.printf("params %d: Adam state %d, Adam-mini state %d, ratio %.4f%n", adam.numParams(),
                adamElements, miniElements, r);
        return r;
    }

    @Test
    void mlpStateIsAboutHalfOfAdam() {
        double r = ratio(mlp(new AdamMini()), mlp(new Adam()));
        // m (N) + per block (512 + 512 + 10 neurons, as many bias elements): v and a scratch value; per updater (one
        // per layer) two scalars
        assertTrue(r <= 0.55, "ratio " + r);
        assertEquals((669_706 + 2 * 2_068 + 3 * 2) / (2.0 * 669_706), r, 1e-12);
    }

    @Test
    void convNetStateIsAboutHalfOfAdam() {
        double r = ratio(convNet(new AdamMini()), convNet(new Adam()));
        assertTrue(r <= 0.55, "ratio " + r);
    }
}
