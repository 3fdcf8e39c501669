package dev.curvature.examples;

import dev.curvature.optimizers.Layouts;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Locale;

/** The two Fashion-MNIST networks of the examples, built for any updater and stamped with {@link Layouts#attach}. */
public final class Networks {
    private Networks() {
    }

    /** Which network. */
    public enum Kind {
        MLP("MLP 784-256-256-10"), CNN("CNN c16-pool-c32-pool-d128-10");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }

        public static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown model '" + s + "'; expected mlp or cnn");
            }
        }
    }

    /**
     * A FLOAT network taking flat 784-pixel inputs (the CNN reads them as 28x28x1) with {@code classes} softmax
     * outputs and an optional DL4J weight decay (decoupled: {@code applyLR = true}, weights only).
     */
    public static MultiLayerNetwork build(Kind kind, IUpdater updater, int classes, long seed, double dl4jWeightDecay) {
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).updater(updater);
        if (dl4jWeightDecay > 0) {
            base.weightDecay(dl4jWeightDecay, true);
        }
        NeuralNetConfiguration.ListBuilder list = base.list();
        if (kind == Kind.MLP) {
            list.layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
                    .setInputType(InputType.feedForward(784));
        } else {
            list.layer(new ConvolutionLayer.Builder(5, 5).nOut(16).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                            .stride(2, 2).build())
                    .layer(new ConvolutionLayer.Builder(5, 5).nOut(32).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                            .stride(2, 2).build())
                    .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                    .setInputType(InputType.convolutionalFlat(28, 28, 1));
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                .activation(Activation.SOFTMAX).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return Layouts.attach(net); // parameter shapes for Adam-mini and Muon; harmless for DL4J's updaters
    }
}
