package dev.curvature.testing;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The Fashion-MNIST-sized networks the tests share with the benchmarks and examples: the MLP 784-512-512-10 and a
 * CNN on 28x28x1 inputs (conv 5x5, max-pool 2x2, conv 5x5, max-pool 2x2, dense 128, softmax 10) with a given
 * number of channels (32/64 in the step benchmark, 16/32 in {@code compare}).
 */
public final class TestNetworks {
    private TestNetworks() {
    }

    /** MLP 784-512-512-10 (ReLU, softmax, cross-entropy). */
    public static MultiLayerConfiguration mlp(NeuralNetConfiguration.Builder base) {
        return base.list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(512).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(512).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(784)).build();
    }

    /** CNN on flat 784-pixel inputs read as 28x28x1, with {@code c1} and {@code c2} convolution channels. */
    public static MultiLayerConfiguration cnn(NeuralNetConfiguration.Builder base, int c1, int c2) {
        return base.list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(c1).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(c2).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1)).build();
    }

    /** A builder with the given data type and seed (the layers' defaults otherwise). */
    public static NeuralNetConfiguration.Builder base(DataType type, long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(type);
    }
}
