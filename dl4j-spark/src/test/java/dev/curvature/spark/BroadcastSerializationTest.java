package dev.curvature.spark;

import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.Muon;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * In local mode Spark hands executor threads the driver's broadcast object without serialising it, so the Spark
 * tests alone do not show that a stamped configuration survives the trip to another JVM. This test does that trip
 * with Spark's own serializers (Java, and Kryo with DL4J's {@code Nd4jRegistrator}): it serialises the
 * {@link NetBroadcastTuple} DL4J broadcasts (configuration, parameters, updater state after two local steps),
 * deserialises it, rebuilds the worker's network the way DL4J's parameter averaging worker does
 * ({@code new MultiLayerNetwork(conf.clone())}, {@code init(params)}, {@code MultiLayerUpdater(state)}), and
 * checks that the rebuilt network is stamped and that its next step equals the driver's next step exactly.
 */
class BroadcastSerializationTest {

    @Test
    void stampedConfigurationSurvivesSparkSerializers() {
        List<DataSet> batches = SparkTesting.data(41, 3 * SparkTesting.BATCH).batchBy(SparkTesting.BATCH);
        SparkConf conf = new SparkConf().set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator");
        for (Serializer serializer : List.of(new JavaSerializer(conf), new KryoSerializer(conf))) {
            for (IUpdater updater : List.of(new AdamMini(5e-3),
                    Muon.builder().learningRate(0.02).auxiliary(new Adam(5e-3)).build())) {
                String name = serializer.getClass().getSimpleName() + " / " + updater.getClass().getSimpleName();
                MultiLayerNetwork driver = SparkTesting.mlp(updater, 12);
                driver.fit(batches.get(0));
                driver.fit(batches.get(1));
                NetBroadcastTuple sent = new NetBroadcastTuple(driver.getLayerWiseConfigurations(),
                        driver.params(), driver.getUpdater().getStateViewArray());

                SerializerInstance instance = serializer.newInstance();
                ClassTag<NetBroadcastTuple> tag = ClassTag$.MODULE$.apply(NetBroadcastTuple.class);
                ByteBuffer bytes = instance.serialize(sent, tag);
                NetBroadcastTuple received = instance.deserialize(bytes, tag);

                MultiLayerNetwork worker = new MultiLayerNetwork(received.getConfiguration().clone());
                worker.init(received.getParameters().dup(), false);
                worker.setUpdater(new MultiLayerUpdater(worker, received.getUpdaterState().dup()));
                assertEquals(List.of(), CurvatureSpark.unstampedLayers(worker), name);
                assertEquals(driver.getLayerWiseConfigurations(), worker.getLayerWiseConfigurations(), name);
                assertEquals(2, worker.getIterationCount(), name + ": iteration count travels with the configuration");

                driver.fit(batches.get(2));
                worker.fit(batches.get(2));
                assertEquals(driver.params(), worker.params(), name + ": the worker's step equals the driver's");
                assertEquals(driver.getUpdater().getStateViewArray(), worker.getUpdater().getStateViewArray(), name);
            }
        }
    }
}
