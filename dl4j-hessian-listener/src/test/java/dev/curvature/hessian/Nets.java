package dev.curvature.hessian;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

/** Small seeded networks for the tests. */
final class Nets {
    private Nets() {
    }

    /** Softmax regression without bias: one OutputLayer, MCXENT, softmax, weights initialised to zero. */
    static MultiLayerNetwork softmaxRegression(int nIn, int classes, DataType type) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(type)
                .updater(new Adam(1e-2)).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(nIn).nOut(classes)
                        .activation(Activation.SOFTMAX).hasBias(false).weightInit(WeightInit.ZERO).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Softmax regression without bias at seeded random weights ~ N(0, scale^2). */
    static MultiLayerNetwork softmaxRegressionAt(int nIn, int classes, double scale, long seed) {
        MultiLayerNetwork net = softmaxRegression(nIn, classes, DataType.DOUBLE);
        net.setParams(gaussian(seed, net.numParams(), scale));
        return net;
    }

    /** nIn -> hidden (tanh, bias) -> classes (softmax, bias), MCXENT; optional dropout on the hidden layer. */
    static MultiLayerNetwork oneHidden(int nIn, int hidden, int classes, DataType type, double dropoutRetain, long seed) {
        DenseLayer.Builder h = new DenseLayer.Builder().nIn(nIn).nOut(hidden).activation(Activation.TANH);
        if (dropoutRetain < 1) {
            h.dropOut(dropoutRetain);
        }
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(type)
                .weightInit(WeightInit.XAVIER).updater(new Adam(1e-2)).list()
                .layer(h.build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(nIn)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** The same architecture as {@link #oneHidden} as a ComputationGraph (layers "hidden" and "out"). */
    static ComputationGraph oneHiddenGraph(int nIn, int hidden, int classes, DataType type, double dropoutRetain,
                                           long seed) {
        DenseLayer.Builder h = new DenseLayer.Builder().nIn(nIn).nOut(hidden).activation(Activation.TANH);
        if (dropoutRetain < 1) {
            h.dropOut(dropoutRetain);
        }
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(type)
                .weightInit(WeightInit.XAVIER).updater(new Adam(1e-2)).graphBuilder()
                .addInputs("in")
                .addLayer("hidden", h.build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(classes)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** Features ~ N(0, 1) and uniformly random one-hot labels. */
    static DataSet randomData(long seed, int n, int nIn, int classes, DataType type) {
        Random rnd = new Random(seed);
        double[][] x = new double[n][nIn];
        double[][] y = new double[n][classes];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < nIn; i++) {
                x[s][i] = rnd.nextGaussian();
            }
            y[s][rnd.nextInt(classes)] = 1;
        }
        return new DataSet(Nd4j.createFromArray(x).castTo(type), Nd4j.createFromArray(y).castTo(type));
    }

    static org.nd4j.linalg.api.ndarray.INDArray gaussian(long seed, long n, double scale) {
        Random rnd = new Random(seed);
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = scale * rnd.nextGaussian();
        }
        return Nd4j.createFromArray(v);
    }
}
