package dev.curvature.spark;

import dev.curvature.optimizers.Layouts;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.Muon;

import java.util.LinkedHashMap;
import java.util.Map;

/** Shared test setup: a loopback-only local Spark context, a small MLP and graph, the three optimizers. */
final class SparkTesting {
    static final int N_IN = 12;
    static final int CLASSES = 4;
    static final int BATCH = 32;

    private SparkTesting() {
    }

    /** A local Spark context bound to loopback, without the web UI. */
    static JavaSparkContext start(String master, String name) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName(name)
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.showConsoleProgress", "false");
        return new JavaSparkContext(conf);
    }

    /** Adam (DL4J), AdamMini and Muon (Adam on biases), with learning rates that suit the small MLP. */
    static Map<String, IUpdater> updaters() {
        Map<String, IUpdater> updaters = new LinkedHashMap<>();
        updaters.put("Adam (DL4J)", new Adam(5e-3));
        updaters.put("AdamMini", new AdamMini(5e-3));
        updaters.put("Muon", Muon.builder().learningRate(0.02).auxiliary(new Adam(5e-3)).build());
        return updaters;
    }

    /** An unstamped MLP configuration N_IN-24-24-CLASSES. */
    static MultiLayerConfiguration mlpConf(IUpdater updater, long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).updater(updater).list()
                .layer(new DenseLayer.Builder().nIn(N_IN).nOut(24).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(24).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(N_IN)).build();
    }

    /** An initialised, stamped MLP. */
    static MultiLayerNetwork mlp(IUpdater updater, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(mlpConf(updater, seed));
        net.init();
        return Layouts.attach(net);
    }

    /** A two-branch graph: in -> a, in -> b, merge -> out (unstamped configuration). */
    static ComputationGraphConfiguration graphConf(IUpdater updater, long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).updater(updater)
                .graphBuilder().addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(N_IN).nOut(16).activation(Activation.TANH).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nIn(N_IN).nOut(16).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "a", "b")
                .setOutputs("out").build();
    }

    static ComputationGraph graph(IUpdater updater, long seed) {
        ComputationGraph graph = new ComputationGraph(graphConf(updater, seed));
        graph.init();
        return Layouts.attach(graph);
    }

    /** Parameter averaging on in-memory data (no export to disk), updater state kept, seeded splits. */
    static ParameterAveragingTrainingMaster.Builder averaging(int workers, int frequency) {
        return new ParameterAveragingTrainingMaster.Builder(workers, BATCH).batchSizePerWorker(BATCH)
                .averagingFrequency(frequency).saveUpdater(true).rngSeed(12345)
                .rddTrainingApproach(RDDTrainingApproach.Direct).workerPrefetchNumBatches(0);
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    static DataSet data(long seed, int n) {
        return dev.curvature.testing.SyntheticData.classification(seed, n, N_IN, CLASSES, DataType.FLOAT);
    }
}
