package dev.curvature.hessian;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A reference Hessian computed by PyTorch's autograd in float64 ({@code src/test/python/hessian_fixtures.py}, output
 * committed under {@code src/test/resources/hessian-fixtures}), and the same network built in DL4J, as a
 * MultiLayerNetwork or a ComputationGraph, with the fixture's parameters.
 */
record TorchFixture(String name, double[] params, DataSet data, double loss, double[] gradient, double[][] hessian,
                    double[] eigenvalues, double trace, List<Spec> layers, boolean piecewiseLinear) {

    /** One parameterised layer, in flat-parameter order: what the reference block partition needs. */
    record Spec(String kind, int nIn, int nOut, int kernel) {
        int size() {
            return kind.equals("dense") ? nIn * nOut + nOut : nOut + nOut * nIn * kernel * kernel;
        }
    }

    static final List<String> NAMES = List.of("relu-mlp", "cnn-near-tie", "cnn-zero-bias", "lrelu-mse",
            "cnn-overlap-mixed");

    static TorchFixture load(String name) {
        try (InputStream in = TorchFixture.class.getResourceAsStream("/hessian-fixtures/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name);
            }
            JsonNode j = new ObjectMapper().readTree(in);
            double[] params = doubles(j.get("params"));
            INDArray features = Nd4j.createFromArray(doubles(j.get("features"))).reshape(longs(j.get("featureShape")));
            INDArray labels = Nd4j.createFromArray(doubles(j.get("labels"))).reshape(longs(j.get("labelShape")));
            double[] flat = doubles(j.get("hessian"));
            int p = params.length;
            double[][] h = new double[p][p];
            for (int a = 0; a < p; a++) {
                System.arraycopy(flat, a * p, h[a], 0, p);
            }
            return new TorchFixture(name, params, new DataSet(features, labels), j.get("loss").asDouble(),
                    doubles(j.get("gradient")), h, doubles(j.get("eigenvalues")), j.get("trace").asDouble(),
                    specs(name), !name.equals("cnn-overlap-mixed"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    private static List<Spec> specs(String name) {
        return switch (name) {
            case "relu-mlp" -> List.of(new Spec("dense", 6, 10, 0), new Spec("dense", 10, 8, 0),
                    new Spec("dense", 8, 4, 0));
            case "cnn-near-tie" -> List.of(new Spec("conv", 1, 3, 3), new Spec("dense", 12, 3, 0));
            case "cnn-zero-bias" -> List.of(new Spec("conv", 1, 4, 3), new Spec("dense", 64, 3, 0));
            case "lrelu-mse" -> List.of(new Spec("dense", 5, 8, 0), new Spec("dense", 8, 3, 0));
            case "cnn-overlap-mixed" -> List.of(new Spec("conv", 1, 2, 3), new Spec("dense", 8, 5, 0),
                    new Spec("dense", 5, 3, 0));
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The DL4J layers of the fixture's network, in order (pooling layers included). */
    private List<Layer> dl4jLayers() {
        List<Layer> out = new ArrayList<>();
        LossFunctions.LossFunction xent = LossFunctions.LossFunction.MCXENT;
        switch (name) {
            case "relu-mlp" -> {
                out.add(dense(10, Activation.RELU.getActivationFunction()));
                out.add(dense(8, Activation.RELU.getActivationFunction()));
                out.add(output(4, xent, Activation.SOFTMAX));
            }
            case "cnn-near-tie" -> {
                out.add(conv(3, Activation.RELU.getActivationFunction()));
                out.add(maxPool(2, 2));
                out.add(output(3, xent, Activation.SOFTMAX));
            }
            case "cnn-zero-bias" -> {
                out.add(conv(4, Activation.RELU.getActivationFunction()));
                out.add(maxPool(2, 2));
                out.add(output(3, xent, Activation.SOFTMAX));
            }
            case "lrelu-mse" -> {
                out.add(dense(8, Activation.LEAKYRELU.getActivationFunction()));
                out.add(output(3, LossFunctions.LossFunction.MSE, Activation.IDENTITY));
            }
            case "cnn-overlap-mixed" -> {
                out.add(conv(2, Activation.HARDTANH.getActivationFunction()));
                out.add(maxPool(3, 2));
                out.add(dense(5, new ActivationELU(2.0)));
                out.add(output(3, xent, Activation.SOFTMAX));
            }
            default -> throw new IllegalArgumentException(name);
        }
        return out;
    }

    private static Layer dense(int nOut, IActivation a) {
        return new DenseLayer.Builder().nOut(nOut).activation(a).build();
    }

    private static Layer conv(int nOut, IActivation a) {
        return new ConvolutionLayer.Builder(3, 3).nOut(nOut).activation(a).build();
    }

    private static Layer maxPool(int kernel, int stride) {
        return new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(kernel, kernel).stride(stride, stride).build();
    }

    private static Layer output(int nOut, LossFunctions.LossFunction loss, Activation a) {
        return new OutputLayer.Builder(loss).nOut(nOut).activation(a).build();
    }

    private InputType inputType() {
        long[] shape = data.getFeatures().shape();
        return shape.length == 4 ? InputType.convolutional(shape[2], shape[3], shape[1])
                : InputType.feedForward(shape[1]);
    }

    /** The fixture's network as a MultiLayerNetwork (DOUBLE) with the fixture's parameters. */
    MultiLayerNetwork multiLayerNetwork() {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list();
        for (Layer l : dl4jLayers()) {
            b.layer(l);
        }
        MultiLayerConfiguration conf = b.setInputType(inputType()).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init(Nd4j.createFromArray(params).reshape(1, params.length), true);
        return net;
    }

    /** The fixture's network as a ComputationGraph chain (DOUBLE) with the fixture's parameters. */
    ComputationGraph graph() {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .graphBuilder().addInputs("in");
        String previous = "in";
        List<Layer> layers = dl4jLayers();
        for (int i = 0; i < layers.size(); i++) {
            String name = "v" + i;
            b.addLayer(name, layers.get(i), previous);
            previous = name;
        }
        ComputationGraph g = new ComputationGraph(b.setOutputs(previous).setInputTypes(inputType()).build());
        g.init(Nd4j.createFromArray(params).reshape(1, params.length), true);
        return g;
    }

    /**
     * Per-output-neuron block of every parameter, written from the layer specs alone: a dense W [nIn, nOut] in 'f'
     * order has output neuron k's column contiguous; a convolution has its bias first, then W [nOut, nIn, kH, kW] in
     * 'c' order with output channel k contiguous; each bias vector is one block. Blocks are keyed
     * "layerOrdinal/param/index" (index -1 for a whole-tensor block).
     */
    String[] perOutputNeuronKeys() {
        String[] keys = new String[params.length];
        int at = 0;
        for (int l = 0; l < layers.size(); l++) {
            Spec s = layers.get(l);
            if (s.kind().equals("dense")) {
                for (int k = 0; k < s.nOut(); k++) {
                    for (int i = 0; i < s.nIn(); i++) {
                        keys[at++] = l + "/W/" + k;
                    }
                }
                for (int k = 0; k < s.nOut(); k++) {
                    keys[at++] = l + "/b/-1";
                }
            } else {
                for (int k = 0; k < s.nOut(); k++) {
                    keys[at++] = l + "/b/-1";
                }
                int fanIn = s.nIn() * s.kernel() * s.kernel();
                for (int k = 0; k < s.nOut(); k++) {
                    for (int i = 0; i < fanIn; i++) {
                        keys[at++] = l + "/W/" + k;
                    }
                }
            }
        }
        if (at != params.length) {
            throw new IllegalStateException("layer specs cover " + at + " of " + params.length + " parameters");
        }
        return keys;
    }
}
