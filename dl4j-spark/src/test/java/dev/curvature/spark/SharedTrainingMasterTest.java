package dev.curvature.spark;

import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.Layouts;
import dev.curvature.optimizers.Muon;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's gradient-sharing {@link SharedTrainingMaster} (threshold-encoded updates over Aeron UDP, here on loopback
 * in {@code local[2]}) with both optimizers in one network: Muon on the hidden layers, AdamMini on the output
 * layer. DL4J keeps one parameter-server node per JVM, so the test uses one master for the whole JVM (a second
 * master in the same JVM hung in our runs). Threshold encoding (DL4J's default adaptive threshold, starting at 1e-3) sends only
 * large update elements and keeps the rest as residual, so progress per epoch is slower than with parameter
 * averaging. Stated target: training loss below 80% of its initial value after 6 epochs.
 *
 * <p>Not in the default build: in one of four full runs here the Spark job of this test never finished (Aeron over
 * loopback; the main thread waited in {@code DAGScheduler.runJob} with no CPU use for minutes), and a hang would
 * stall CI. Run it with {@code mvn -pl dl4j-spark -am verify -Pshared-training-master}.
 */
@Tag("aeron")
class SharedTrainingMasterTest {
    static final int EPOCHS = 6;
    static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = SparkTesting.start("local[2]", "shared-training-master");
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    @Test
    void muonAndAdamMiniTrainWithGradientSharing() {
        DataSet train = SparkTesting.data(31, 1024);
        JavaRDD<DataSet> rdd = sc.parallelize(train.batchBy(SparkTesting.BATCH), 2);
        Muon muon = Muon.builder().learningRate(0.02).auxiliary(new Adam(5e-3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(SparkTesting.N_IN).nOut(24).activation(Activation.TANH)
                        .updater(muon).build())
                .layer(new DenseLayer.Builder().nOut(24).activation(Activation.TANH).updater(muon).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(SparkTesting.CLASSES)
                        .activation(Activation.SOFTMAX).updater(new AdamMini(5e-3)).build())
                .setInputType(InputType.feedForward(SparkTesting.N_IN)).build());
        net.init();
        VoidConfiguration voidConf = VoidConfiguration.builder().unicastPort(40123).networkMask("127.0.0.0/8")
                .controllerAddress("127.0.0.1").build();
        SharedTrainingMaster tm = new SharedTrainingMaster.Builder(voidConf, SparkTesting.BATCH)
                .batchSizePerWorker(SparkTesting.BATCH).rngSeed(5).build();
        SparkDl4jMultiLayer spark = CurvatureSpark.multiLayer(sc, net, tm);
        assertEquals(0, CurvatureSpark.unstampedLayers(net).size());
        double initial = net.score(train);
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            spark.fit(rdd);
        }
        double loss = net.score(train);
        System.out.printf("SharedTrainingMaster local[2], %d epochs, Muon + AdamMini loss %.4f -> %.4f%n", EPOCHS,
                initial, loss);
        assertTrue(loss < 0.8 * initial, initial + " -> " + loss);
    }
}
