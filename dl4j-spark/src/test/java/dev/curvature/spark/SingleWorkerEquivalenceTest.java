package dev.curvature.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With one worker and averaging after every minibatch, parameter averaging is plain sequential training: the
 * worker rebuilds the network from the stamped configuration, the parameters and the updater state, takes one
 * step, and the driver takes its parameters and state back. So after N steps the Spark-trained parameters and
 * updater state must equal those of a plain {@code MultiLayerNetwork.fit} on the same batches in the same order.
 * Each batch is one {@code fit} call on a one-element RDD, which fixes the order (one call on the whole RDD would
 * visit its batches in a seeded random split order). Tolerance: 1e-5 absolute (float32 parameters of order 1;
 * worker and driver run the same ops, so in practice the difference is 0).
 */
class SingleWorkerEquivalenceTest {
    static final int STEPS = 12;
    static final double TOLERANCE = 1e-5;
    static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = SparkTesting.start("local[1]", "single-worker-equivalence");
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    @Test
    void oneWorkerAveragingEveryStepMatchesLocalTraining() {
        List<DataSet> batches = SparkTesting.data(5, STEPS * SparkTesting.BATCH).batchBy(SparkTesting.BATCH);
        for (Map.Entry<String, IUpdater> e : SparkTesting.updaters().entrySet()) {
            MultiLayerNetwork local = SparkTesting.mlp(e.getValue(), 7);
            MultiLayerNetwork distributed = SparkTesting.mlp(e.getValue(), 7);
            SparkDl4jMultiLayer spark = CurvatureSpark.multiLayer(sc, distributed, SparkTesting.averaging(1, 1).build());
            for (DataSet batch : batches) {
                local.fit(batch);
                spark.fit(sc.parallelize(List.of(batch), 1));
            }
            double paramDiff = SparkTesting.maxAbsDiff(local.params(), distributed.params());
            double stateDiff = SparkTesting.maxAbsDiff(local.getUpdater().getStateViewArray(),
                    distributed.getUpdater().getStateViewArray());
            System.out.printf("1 worker, averaging frequency 1, %d steps, %-12s max |param diff| %.3g, "
                    + "max |state diff| %.3g%n", STEPS, e.getKey(), paramDiff, stateDiff);
            assertEquals(STEPS, distributed.getIterationCount(), e.getKey() + ": iteration count on the driver");
            assertTrue(paramDiff <= TOLERANCE, e.getKey() + ": parameters differ by " + paramDiff);
            assertTrue(stateDiff <= TOLERANCE, e.getKey() + ": updater state differs by " + stateDiff);
            assertTrue(local.params().sub(SparkTesting.mlp(e.getValue(), 7).params()).norm2Number().doubleValue() > 0.01,
                    "training moved the parameters");
        }
    }
}
