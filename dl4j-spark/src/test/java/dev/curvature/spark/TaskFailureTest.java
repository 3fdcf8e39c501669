package dev.curvature.spark;

import dev.curvature.optimizers.AdamMini;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Spark worker task that throws in the middle of an averaging round, after it has already taken a training step
 * on its private copy of the network (a training hook throws after the task's second minibatch, in the first
 * attempt of partition 0, once per test).
 * <ul>
 *   <li>With task retries ({@code local[2,4]}: up to 4 attempts per task) Spark re-runs the task from the
 *       broadcast network; the job finishes and the model equals that of a clean run (same seeded splits).</li>
 *   <li>Without retries ({@code local[2]}: one attempt) the job fails with the worker's error; the driver's
 *       parameters, updater state and iteration count are exactly those from before the failed {@code fit}, and
 *       training can go on from there to the same model as a clean run.</li>
 * </ul>
 * The parameter comparisons are exact: with two workers the averaged sum does not depend on arrival order.
 */
class TaskFailureTest {
    static final String MESSAGE = "worker failure injected by TaskFailureTest";
    static final AtomicBoolean ARMED = new AtomicBoolean();
    static final AtomicInteger INJECTED = new AtomicInteger();

    /** Throws after the second minibatch of the first attempt of partition 0, while armed (JVM-wide: local mode). */
    static final class FailOnce implements TrainingHook {
        private int minibatches;

        @Override
        public void preUpdate(org.nd4j.linalg.dataset.api.DataSet minibatch, Model model) {
        }

        @Override
        public void postUpdate(org.nd4j.linalg.dataset.api.DataSet minibatch, Model model) {
            TaskContext task = TaskContext.get();
            if (++minibatches == 2 && task.partitionId() == 0 && task.attemptNumber() == 0
                    && ARMED.compareAndSet(true, false)) {
                INJECTED.incrementAndGet();
                throw new IllegalStateException(MESSAGE);
            }
        }

        @Override
        public void preUpdate(MultiDataSet minibatch, Model model) {
        }

        @Override
        public void postUpdate(MultiDataSet minibatch, Model model) {
        }
    }

    @BeforeEach
    void reset() {
        ARMED.set(false);
        INJECTED.set(0);
    }

    static ParameterAveragingTrainingMaster master(boolean failing) {
        ParameterAveragingTrainingMaster.Builder b = SparkTesting.averaging(2, 3);
        if (failing) {
            b.trainingHooks(new FailOnce());
        }
        return b.build();
    }

    /** A clean run: fresh network and master, one epoch. */
    static MultiLayerNetwork cleanRun(JavaSparkContext sc, JavaRDD<DataSet> rdd) {
        SparkDl4jMultiLayer clean = CurvatureSpark.multiLayer(sc, SparkTesting.mlp(new AdamMini(5e-3), 21),
                master(false));
        clean.fit(rdd);
        return clean.getNetwork();
    }

    @Test
    void failedTaskIsRetriedAndTheModelEqualsACleanRun() {
        JavaSparkContext sc = SparkTesting.start("local[2,4]", "task-retry");
        try {
            JavaRDD<DataSet> rdd = sc.parallelize(SparkTesting.data(23, 768).batchBy(SparkTesting.BATCH), 2);
            MultiLayerNetwork clean = cleanRun(sc, rdd);

            SparkDl4jMultiLayer spark = CurvatureSpark.multiLayer(sc, SparkTesting.mlp(new AdamMini(5e-3), 21),
                    master(true));
            ARMED.set(true);
            spark.fit(rdd);
            assertEquals(1, INJECTED.get(), "the failure was injected once");
            assertEquals(clean.params(), spark.getNetwork().params(), "parameters equal a clean run");
            assertEquals(clean.getUpdater().getStateViewArray(), spark.getNetwork().getUpdater().getStateViewArray());
            assertEquals(clean.getIterationCount(), spark.getNetwork().getIterationCount());
        } finally {
            sc.stop();
        }
    }

    @Test
    void withoutRetriesTheJobFailsClearlyAndTheDriverModelIsUntouched() {
        JavaSparkContext sc = SparkTesting.start("local[2]", "task-failure");
        try {
            JavaRDD<DataSet> rdd = sc.parallelize(SparkTesting.data(23, 768).batchBy(SparkTesting.BATCH), 2);
            MultiLayerNetwork clean = cleanRun(sc, rdd);

            MultiLayerNetwork net = SparkTesting.mlp(new AdamMini(5e-3), 21);
            SparkDl4jMultiLayer spark = CurvatureSpark.multiLayer(sc, net, master(true));
            INDArray paramsBefore = net.params().dup();
            INDArray stateBefore = net.getUpdater().getStateViewArray().dup();
            ARMED.set(true);
            SparkException e = assertThrows(SparkException.class, () -> spark.fit(rdd));
            assertTrue(ParameterAveragingTest.causeChain(e).contains(MESSAGE), ParameterAveragingTest.causeChain(e));
            assertEquals(1, INJECTED.get());
            assertEquals(paramsBefore, net.params(), "no partial round reached the driver");
            assertEquals(stateBefore, net.getUpdater().getStateViewArray());
            assertEquals(0, net.getIterationCount());
            assertFalse(ARMED.get());

            // training goes on from the untouched model (a fresh master repeats the clean run's seeded splits)
            CurvatureSpark.multiLayer(sc, net, master(false)).fit(rdd);
            assertEquals(clean.params(), net.params(), "continuing after the failure gives the clean run's model");
        } finally {
            sc.stop();
        }
    }
}
