package dev.curvature.hessian.ui;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.hessian.ReportSink;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Tiny seeded training runs with a {@link HessianBlockListener}, shared by the tests and the second JVM
 * ({@link SecondJvm}). Probes use STOCHASTIC mode with two Rademacher probes per block, so standard errors are
 * non-zero, and leave two blocks unprobed, so the heatmap has "not probed" cells.
 */
public final class TestTraining {
    /** A layer name that would run script if a page inserted it as markup. */
    public static final String HOSTILE_LAYER_NAME = "<img src=x onerror=alert(1)>";
    public static final int INPUTS = 4;
    public static final int CLASSES = 3;

    private TestTraining() {
    }

    /** A network nIn -> hidden (tanh, named {@code hiddenName}) -> CLASSES (softmax, named "out"). */
    public static MultiLayerNetwork network(String hiddenName, int hidden, long seed) {
        return network(hiddenName, hidden, seed, Activation.TANH);
    }

    /** As {@link #network(String, int, long)} with another hidden activation (ReLU has kinks). */
    public static MultiLayerNetwork network(String hiddenName, int hidden, long seed, Activation activation) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().name(hiddenName).nOut(hidden).activation(activation).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(INPUTS)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * Blocks of {@link #network} under the default per-output-neuron partition: one per column of each {@code W} and
     * one per bias vector.
     */
    public static int blocks(int hidden) {
        return hidden + 1 + CLASSES + 1;
    }

    /** The estimator of the tests: STOCHASTIC, 2 probes per block, all but two of the {@code blocks} probed. */
    public static HessianBlockEstimator estimator(int blocks) {
        return HessianBlockEstimator.builder().method(HessianBlockEstimator.Method.STOCHASTIC).probesPerBlock(2)
                .maxBlocks(blocks - 2).lanczosSteps(4).traceProbes(4).seed(7).build();
    }

    /** Features ~ N(0, 1), uniformly random one-hot labels. */
    public static DataSet data(long seed, int n) {
        Random rnd = new Random(seed);
        float[][] x = new float[n][INPUTS];
        float[][] y = new float[n][CLASSES];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < INPUTS; i++) {
                x[s][i] = (float) rnd.nextGaussian();
            }
            y[s][rnd.nextInt(CLASSES)] = 1;
        }
        return new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y));
    }

    /** A training run: network, data and listener; {@link #train(int)} advances it. */
    public static final class Run {
        public final MultiLayerNetwork net;
        public final DataSet data;
        public final HessianBlockListener listener;

        /**
         * @param frequency iterations between probes
         * @param sinks     where reports go besides the listener's history
         */
        public Run(String hiddenName, int hidden, long seed, int frequency, List<ReportSink> sinks,
                   TrainingListener... more) {
            this(network(hiddenName, hidden, seed), seed, withSinks(HessianBlockListener.builder().frequency(frequency)
                    .estimator(estimator(blocks(hidden))), sinks).build(), more);
        }

        /** A run of {@code net} with a listener built by the caller. */
        public Run(MultiLayerNetwork net, long seed, HessianBlockListener listener, TrainingListener... more) {
            this.net = net;
            this.data = data(seed + 1, 16);
            this.listener = listener;
            List<TrainingListener> all = new ArrayList<>(List.of(more));
            all.add(listener);
            net.setListeners(all);
        }

        /** Trains {@code iterations} iterations (one full batch each). */
        public Run train(int iterations) {
            for (int i = 0; i < iterations; i++) {
                net.fit(data);
            }
            return this;
        }

        private static HessianBlockListener.Builder withSinks(HessianBlockListener.Builder b, List<ReportSink> sinks) {
            sinks.forEach(b::sink);
            return b;
        }

        public List<BlockHessianReport> reports() {
            return listener.history();
        }
    }
}
