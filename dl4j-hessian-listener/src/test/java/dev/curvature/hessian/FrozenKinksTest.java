package dev.curvature.hessian;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.Subsampling3DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationPReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationThresholdedReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of kink the PyTorch fixtures do not cover, by properties that need no reference Hessian:
 * <ul>
 *   <li>away from the kinks (random biases and inputs, so no unit sits within the difference step of a kink) the
 *       frozen network's products equal plain central differences of the original, which are accurate there: the
 *       frozen pieces compute the original function and its gradient;</li>
 *   <li>at a point full of kinks (zero biases, half the examples all zero: units exactly at kinks, ties in their
 *       pooling windows) the frozen products do not depend on the difference step, and are symmetric
 *       ({@code u^T H v = v^T H u}).</li>
 * </ul>
 */
class FrozenKinksTest {

    /** A network family: builds the model with or without zero biases, and its input shape. */
    record Case(String name, Function<Boolean, Model> build, long[] inputShape, int classes, boolean sequence) {
        /** DL4J 1.0.0-M2.1 backpropagates ELU with alpha != 1 as if alpha were 1: its gradient is not the forward's. */
        boolean dl4jGradientIsTheForwards() {
            return !name.equals("ELU(0.5)");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static NeuralNetConfiguration.Builder base(boolean zeroBias) {
        return new NeuralNetConfiguration.Builder().seed(17).dataType(DataType.DOUBLE).weightInit(WeightInit.XAVIER)
                .biasInit(zeroBias ? 0.0 : 0.3);
    }

    private static MultiLayerNetwork mlp(boolean zeroBias, IActivation hidden) {
        MultiLayerNetwork net = new MultiLayerNetwork(base(zeroBias).list()
                .layer(new DenseLayer.Builder().nIn(5).nOut(7).activation(hidden).build())
                .layer(new DenseLayer.Builder().nOut(7).activation(hidden).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.feedForward(5)).build());
        net.init();
        return randomBiases(net, zeroBias);
    }

    private static String configuration(Model m) {
        return m instanceof MultiLayerNetwork n ? n.getLayerWiseConfigurations().toJson()
                : ((ComputationGraph) m).getConfiguration().toJson();
    }

    /** biasInit is one value for all units; away from kinks the biases must differ per unit. */
    private static <T extends Model> T randomBiases(T model, boolean zeroBias) {
        if (!zeroBias) {
            Random r = new Random(5);
            model.paramTable().forEach((k, v) -> {
                if (k.endsWith("b")) {
                    for (long i = 0; i < v.length(); i++) {
                        v.putScalar(i, r.nextGaussian() * 0.5);
                    }
                }
            });
        }
        return model;
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("ReLU6", z -> mlp(z, new ActivationReLU6()), new long[] {5}, 3, false),
                new Case("hard sigmoid", z -> mlp(z, Activation.HARDSIGMOID.getActivationFunction()), new long[] {5}, 3,
                        false),
                new Case("thresholded ReLU", z -> mlp(z, new ActivationThresholdedReLU(0.0)), new long[] {5}, 3, false),
                new Case("SELU", z -> mlp(z, Activation.SELU.getActivationFunction()), new long[] {5}, 3, false),
                new Case("ELU(0.5)", z -> mlp(z, new ActivationELU(0.5)), new long[] {5}, 3, false),
                new Case("ELU(1)", z -> mlp(z, new ActivationELU(1.0)), new long[] {5}, 3, false),
                new Case("rectified tanh", z -> mlp(z, Activation.RECTIFIEDTANH.getActivationFunction()),
                        new long[] {5}, 3, false),
                new Case("RReLU", z -> mlp(z, Activation.RRELU.getActivationFunction()), new long[] {5}, 3, false),
                new Case("PReLU activation", z -> mlp(z, new ActivationPReLU(Nd4j.createFromArray(0.2, 0.1, 0.3, 0.25,
                        0.05, 0.15, 0.2), null)), new long[] {5}, 3, false),
                new Case("PReLU layer and activation layer", FrozenKinksTest::preluLayer, new long[] {5}, 3, false),
                new Case("1-D max pooling", FrozenKinksTest::pool1d, new long[] {2, 9}, 3, false),
                new Case("2-D max pooling, NHWC, overlapping", FrozenKinksTest::pool2dOverlapping,
                        new long[] {7, 7, 1}, 3, false),
                new Case("3-D max pooling", FrozenKinksTest::pool3d, new long[] {1, 4, 4, 4}, 3, false),
                new Case("global max pooling", FrozenKinksTest::globalPool, new long[] {1, 6, 6}, 3, false),
                new Case("LSTM with hard-sigmoid gates, bidirectional", FrozenKinksTest::lstm, new long[] {3, 5}, 3,
                        true),
                new Case("element-wise max vertex", FrozenKinksTest::maxVertex, new long[] {5}, 3, false));
    }

    private static Model preluLayer(boolean zeroBias) {
        MultiLayerNetwork net = new MultiLayerNetwork(base(zeroBias).list()
                .layer(new DenseLayer.Builder().nIn(5).nOut(6).activation(Activation.IDENTITY).build())
                .layer(new PReLULayer.Builder().inputShape(6).build())
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.IDENTITY).build())
                .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.feedForward(5)).build());
        net.init();
        net.getLayer(1).getParam("W").assign(Nd4j.createFromArray(0.2, -0.1, 0.3, 0.05, 0.4, 0.15));
        return randomBiases(net, zeroBias);
    }

    private static Model pool1d(boolean zeroBias) {
        MultiLayerNetwork net = new MultiLayerNetwork(base(zeroBias).list()
                .layer(new Convolution1DLayer.Builder(2).nOut(3).activation(Activation.RELU).build())
                .layer(new Subsampling1DLayer.Builder(SubsamplingLayer.PoolingType.MAX, 3, 2).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.recurrent(2, 9)).build());
        net.init();
        return randomBiases(net, zeroBias);
    }

    private static Model pool2dOverlapping(boolean zeroBias) {
        MultiLayerNetwork net = new MultiLayerNetwork(base(zeroBias).list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(2).dataFormat(org.deeplearning4j.nn.conf.CNN2DFormat.NHWC)
                        .activation(Activation.LEAKYRELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(1, 2)
                        .dataFormat(org.deeplearning4j.nn.conf.CNN2DFormat.NHWC).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(7, 7, 1, org.deeplearning4j.nn.conf.CNN2DFormat.NHWC)).build());
        net.init();
        return randomBiases(net, zeroBias);
    }

    private static Model pool3d(boolean zeroBias) {
        MultiLayerNetwork net = new MultiLayerNetwork(base(zeroBias).list()
                .layer(new Convolution3D.Builder(2, 2, 2).nOut(2).activation(Activation.RELU).build())
                .layer(new Subsampling3DLayer.Builder(Subsampling3DLayer.PoolingType.MAX, new int[] {2, 2, 2}, new int[] {1, 1, 1})
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, 4, 4, 4, 1)).build());
        net.init();
        return randomBiases(net, zeroBias);
    }

    private static Model globalPool(boolean zeroBias) {
        MultiLayerNetwork net = new MultiLayerNetwork(base(zeroBias).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.MAX).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(6, 6, 1)).build());
        net.init();
        return randomBiases(net, zeroBias);
    }

    private static Model lstm(boolean zeroBias) {
        MultiLayerNetwork net = new MultiLayerNetwork(base(zeroBias).list()
                .layer(new Bidirectional(new LSTM.Builder().nIn(3).nOut(4).activation(Activation.RELU)
                        .gateActivationFunction(Activation.HARDSIGMOID).build()))
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3, 5)).build());
        net.init();
        return randomBiases(net, zeroBias);
    }

    private static Model maxVertex(boolean zeroBias) {
        ComputationGraphConfiguration conf = base(zeroBias).graphBuilder().addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(5).nOut(6).activation(Activation.IDENTITY).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nIn(5).nOut(6).activation(Activation.IDENTITY).build(), "in")
                .addVertex("max", new ElementWiseVertex(ElementWiseVertex.Op.Max), "a", "b")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "max")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return randomBiases(g, zeroBias);
    }

    /** Gaussian inputs; with {@code kinks}, the first half of the examples all zero (units exactly at kinks, ties). */
    private static MultiDataSet batch(Case c, boolean kinks) {
        int n = 6;
        long[] shape = new long[c.inputShape().length + 1];
        shape[0] = n;
        System.arraycopy(c.inputShape(), 0, shape, 1, c.inputShape().length);
        INDArray x = Nets.gaussian(3, Nd4j.zeros(DataType.DOUBLE, shape).length(), 1.0).reshape(shape);
        if (kinks) {
            x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n / 2)).assign(0.0);
        }
        INDArray y;
        Random r = new Random(9);
        if (c.sequence()) {
            y = Nd4j.zeros(DataType.DOUBLE, n, c.classes(), shape[2]);
            for (int i = 0; i < n; i++) {
                for (int t = 0; t < shape[2]; t++) {
                    y.putScalar(new long[] {i, r.nextInt(c.classes()), t}, 1.0);
                }
            }
        } else {
            y = Nd4j.zeros(DataType.DOUBLE, n, c.classes());
            for (int i = 0; i < n; i++) {
                y.putScalar(i, r.nextInt(c.classes()), 1.0);
            }
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(x, y);
    }

    private static INDArray rademacher(long n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextBoolean() ? 1 : -1;
        }
        return Nd4j.createFromArray(v);
    }

    private static double relative(INDArray a, INDArray b) {
        return a.sub(b).norm2Number().doubleValue() / b.norm2Number().doubleValue();
    }

    /** Cases whose DL4J gradient is the gradient of their forward function (plain differences are a reference). */
    static Stream<Case> awayCases() {
        return cases().filter(Case::dl4jGradientIsTheForwards);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("awayCases")
    void awayFromKinksFrozenProductsAreThePlainOnes(Case c) {
        Model model = c.build().apply(false);
        MultiDataSet data = batch(c, false);
        INDArray v = rademacher(model.numParams(), 1);
        String before = c.name().startsWith("PReLU activation") ? null : configuration(model); // PReLU has no JSON
        try (HessianOperator frozen = HessianOperator.of(model, data, true, 1e-6);
             HessianOperator plain = HessianOperator.of(model, data, false, 1e-6)) {
            assertTrue(frozen.frozen().size() > 0, c + ": something is frozen");
            assertEquals(List.of(), frozen.notExact(), c + ": nothing is left inexact");
            INDArray f = frozen.apply(v);
            INDArray p = plain.apply(v);
            assertTrue(f.norm2Number().doubleValue() > 0, c + ": a non-zero product");
            assertTrue(relative(f, p) <= 1e-5, c + ": frozen against plain " + relative(f, p));
        }
        if (before != null) {
            assertEquals(before, configuration(model), c + ": the network's own configuration is untouched");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void atKinksFrozenProductsDoNotDependOnTheStepAndAreSymmetric(Case c) {
        Model model = c.build().apply(true);
        MultiDataSet data = batch(c, true);
        // Gaussian directions: a Rademacher one can fall in the null space of the softmax's curvature (v = +-1 on all
        // of an output bias), which zero inputs leave as the only curvature of some of these networks
        INDArray u = Nets.gaussian(2, model.numParams(), 1.0);
        INDArray v = Nets.gaussian(3, model.numParams(), 1.0);
        INDArray[] hv = new INDArray[3];
        double[] steps = {1e-4, 1e-5, 1e-6};
        double uhv = 0;
        double vhu = 0;
        for (int s = 0; s < 3; s++) {
            try (HessianOperator h = HessianOperator.of(model, data, true, steps[s])) {
                hv[s] = h.apply(v);
                if (s == 1) {
                    uhv = u.mul(hv[s]).sumNumber().doubleValue();
                    vhu = v.mul(h.apply(u)).sumNumber().doubleValue();
                }
            }
        }
        double scale = hv[1].norm2Number().doubleValue();
        assertTrue(scale > 0, c + ": a non-zero product");
        for (int s = 0; s < 3; s += 2) {
            assertTrue(relative(hv[s], hv[1]) <= 1e-6, c + ": step " + steps[s] + " against 1e-5: "
                    + relative(hv[s], hv[1]));
        }
        assertEquals(uhv, vhu, 1e-7 * Math.sqrt(model.numParams()) * scale, c + ": u^T H v = v^T H u");
    }
}
