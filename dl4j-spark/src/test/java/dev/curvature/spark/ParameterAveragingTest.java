package dev.curvature.spark;

import dev.curvature.hessian.BlockPartition;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.hessian.ui.storage.HessianProbePersistable;
import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.Muon;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parameter averaging with two Spark workers ({@code local[2]}): the optimizers train through
 * {@code SparkDl4jMultiLayer} and {@code SparkComputationGraph}, an unstamped network fails clearly or is stamped
 * by {@link CurvatureTrainingMaster}, updater state survives {@code ModelSerializer}, and driver-side Hessian
 * probes reach a stats storage without disturbing training.
 */
class ParameterAveragingTest {
    static final int EPOCHS = 6;
    static JavaSparkContext sc;
    static DataSet train;
    static JavaRDD<DataSet> rdd;

    @BeforeAll
    static void startSpark() {
        sc = SparkTesting.start("local[2]", "parameter-averaging");
        train = SparkTesting.data(17, 1024);
        rdd = sc.parallelize(train.batchBy(SparkTesting.BATCH), 2); // the training master persists it
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    static double initialLoss() {
        return SparkTesting.mlp(new Adam(), 3).score(train);
    }

    /**
     * Stated target: after 6 epochs of 2 workers averaging every 2 steps, the training loss of AdamMini and Muon is
     * below 60% of the initial loss (about ln 4 = 1.39) and at most 1.25x that of DL4J's Adam under the same setup.
     */
    @Test
    void adamMiniAndMuonTrainUnderParameterAveraging() {
        double initial = initialLoss();
        Map<String, Double> losses = new LinkedHashMap<>();
        for (Map.Entry<String, IUpdater> e : SparkTesting.updaters().entrySet()) {
            SparkDl4jMultiLayer spark = CurvatureSpark.multiLayer(sc, SparkTesting.mlp(e.getValue(), 3),
                    SparkTesting.averaging(2, 2).build());
            for (int epoch = 0; epoch < EPOCHS; epoch++) {
                spark.fit(rdd);
            }
            double loss = spark.getNetwork().score(train);
            losses.put(e.getKey(), loss);
            System.out.printf("Spark local[2], averaging every 2 steps, %d epochs, %-12s loss %.4f -> %.4f%n", EPOCHS,
                    e.getKey(), initial, loss);
        }
        double adam = losses.get("Adam (DL4J)");
        for (String name : new String[] {"AdamMini", "Muon"}) {
            assertTrue(losses.get(name) < 0.6 * initial, name + ": " + initial + " -> " + losses.get(name));
            assertTrue(losses.get(name) <= 1.25 * adam, name + ": " + losses.get(name) + " vs Adam " + adam);
        }
    }

    /** Stated target: the graph's training loss falls below 60% of its initial value in 6 epochs. */
    @Test
    void computationGraphTrainsWithSparkComputationGraph() {
        for (IUpdater updater : List.of(new AdamMini(5e-3),
                Muon.builder().learningRate(0.02).auxiliary(new Adam(5e-3)).build())) {
            // built from the unstamped configuration: the factory stamps it
            SparkComputationGraph spark = CurvatureSpark.graph(sc, SparkTesting.graphConf(updater, 4),
                    SparkTesting.averaging(2, 2).build());
            ComputationGraph graph = spark.getNetwork();
            assertEquals(List.of(), CurvatureSpark.unstampedLayers(graph));
            double initial = graph.score(train);
            for (int epoch = 0; epoch < EPOCHS; epoch++) {
                spark.fit(rdd);
            }
            double loss = graph.score(train);
            System.out.printf("SparkComputationGraph local[2], %-10s loss %.4f -> %.4f%n",
                    updater.getClass().getSimpleName(), initial, loss);
            assertTrue(loss < 0.6 * initial, updater.getClass().getSimpleName() + ": " + initial + " -> " + loss);
        }
    }

    /**
     * DL4J builds the network itself from an unstamped configuration: with DL4J's own training master the workers
     * fail at their first step, the job aborts with the error naming Layouts.attach, and the driver's parameters
     * are untouched. The check on the driver says the same before any job runs.
     */
    @Test
    void unstampedConfigurationFailsClearlyWithPlainTrainingMaster() {
        SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, SparkTesting.mlpConf(new AdamMini(5e-3), 3),
                SparkTesting.averaging(2, 2).build());
        INDArray before = spark.getNetwork().params().dup();
        Exception e = assertThrows(Exception.class, () -> spark.fit(rdd));
        assertTrue(causeChain(e).contains("Layouts.attach"), causeChain(e));
        assertEquals(before, spark.getNetwork().params(), "a failed job leaves the driver's parameters as they were");

        IllegalStateException check = assertThrows(IllegalStateException.class,
                () -> CurvatureSpark.requireStamped(spark.getNetwork()));
        assertTrue(check.getMessage().contains("layer0 (AdamMini)") && check.getMessage().contains("Layouts.attach"),
                check.getMessage());
    }

    /** The same unstamped configuration trains with CurvatureTrainingMaster, which stamps before each round. */
    @Test
    void curvatureTrainingMasterStampsUnstampedConfiguration() {
        CurvatureTrainingMaster master = new CurvatureTrainingMaster(SparkTesting.averaging(2, 2));
        SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc,
                SparkTesting.mlpConf(Muon.builder().learningRate(0.02).auxiliary(new Adam(5e-3)).build(), 3), master);
        assertEquals(3, CurvatureSpark.unstampedLayers(spark.getNetwork()).size());
        double initial = spark.getNetwork().score(train);
        spark.fit(rdd);
        spark.fit(rdd);
        assertEquals(List.of(), CurvatureSpark.unstampedLayers(spark.getNetwork()));
        assertEquals(16, master.rounds(), "1024 examples / (2 workers x 32 x 2 steps) = 8 rounds per epoch");
        assertTrue(spark.getNetwork().score(train) < initial);
    }

    /**
     * DL4J's default {@code saveUpdater(false)}: workers start each round with fresh updater state and none is
     * returned, so the driver's state stays zero (the warning of CurvatureTrainingMaster says so); training still
     * works.
     */
    @Test
    void withoutSaveUpdaterTheMomentsAreNotKeptAcrossRounds() {
        CurvatureTrainingMaster master = new CurvatureTrainingMaster(SparkTesting.averaging(2, 2).saveUpdater(false));
        SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, SparkTesting.mlpConf(new AdamMini(5e-3), 3), master);
        double initial = spark.getNetwork().score(train);
        spark.fit(rdd);
        assertEquals(0.0, spark.getNetwork().getUpdater().getStateViewArray().amaxNumber().doubleValue(),
                "no updater state came back to the driver");
        assertTrue(spark.getNetwork().score(train) < initial);
    }

    /**
     * Checkpointing: after distributed training, ModelSerializer saves parameters and updater state with the
     * stamped configuration; the restored network has equal state arrays and layouts, and training on Spark
     * resumes from there (the loss keeps falling).
     */
    @Test
    void updaterStateSurvivesSaveAndRestoreAndTrainingResumes(@TempDir File dir) throws IOException {
        for (IUpdater updater : List.of(new AdamMini(5e-3),
                Muon.builder().learningRate(0.02).auxiliary(new Adam(5e-3)).build())) {
            String name = updater.getClass().getSimpleName();
            SparkDl4jMultiLayer spark = CurvatureSpark.multiLayer(sc, SparkTesting.mlp(updater, 8),
                    SparkTesting.averaging(2, 2).build());
            spark.fit(rdd);
            spark.fit(rdd);
            MultiLayerNetwork trained = spark.getNetwork();
            double lossAtSave = trained.score(train);
            File file = new File(dir, name + ".zip");
            ModelSerializer.writeModel(trained, file, true);

            MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
            assertEquals(trained.params(), restored.params(), name + ": parameters");
            INDArray state = trained.getUpdater().getStateViewArray();
            assertTrue(state.amaxNumber().doubleValue() > 0, name + ": updater state was averaged back to the driver");
            assertEquals(state, restored.getUpdater().getStateViewArray(), name + ": updater state");
            assertEquals(trained.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations(),
                    name + ": configuration with its stamped layouts");
            assertEquals(trained.getIterationCount(), restored.getIterationCount());
            assertEquals(List.of(), CurvatureSpark.unstampedLayers(restored));

            SparkDl4jMultiLayer resumed = CurvatureSpark.multiLayer(sc, restored, SparkTesting.averaging(2, 2).build());
            resumed.fit(rdd);
            resumed.fit(rdd);
            double lossAfter = restored.score(train);
            System.out.printf("checkpoint %-8s loss at save %.4f, after 2 more epochs from the restored copy %.4f%n",
                    name, lossAtSave, lossAfter);
            assertTrue(lossAfter < lossAtSave, name + ": " + lossAtSave + " -> " + lossAfter);
        }
    }

    static HessianBlockEstimator smallEstimator() {
        return HessianBlockEstimator.builder().partition(BlockPartition.perTensor()).probesPerBlock(2)
                .lanczosSteps(0).traceProbes(0).seed(1).build();
    }

    /**
     * Driver-side Hessian probes: one report per averaging round reaches the InMemoryStatsStorage under the
     * session and worker id "driver"; a probe that fails every time (a probe batch of the wrong width) and a round
     * listener that throws do not stop training; and probing does not change training (parameters equal to a run
     * without probes: splits are seeded, and averaging two workers is order-independent).
     */
    @Test
    void hessianProbesOnTheDriverReachStatsStorageAndNeverStopTraining() {
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        DataSet probeBatch = train.batchBy(64).get(0);
        SparkHessianProbe probe = SparkHessianProbe.toStatsStorage(storage, "spark-session", smallEstimator(),
                probeBatch);
        SparkHessianProbe failing = new SparkHessianProbe(HessianBlockListener.builder().estimator(smallEstimator())
                .frequency(1).probeBatch(new DataSet(Nd4j.rand(DataType.FLOAT, 8, 5), probeBatch.getLabels().get(
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 8)))).build());
        AtomicInteger thrown = new AtomicInteger();
        CurvatureTrainingMaster master = new CurvatureTrainingMaster(SparkTesting.averaging(2, 2))
                .addRoundListener(failing)
                .addRoundListener((model, round) -> {
                    thrown.incrementAndGet();
                    throw new IllegalStateException("listener failure injected by the test");
                })
                .addRoundListener(probe);
        SparkDl4jMultiLayer spark = CurvatureSpark.multiLayer(sc, SparkTesting.mlp(new AdamMini(5e-3), 9), master);
        double initial = spark.getNetwork().score(train);
        spark.fit(rdd);
        spark.fit(rdd);

        assertEquals(16, master.rounds());
        assertEquals(16, thrown.get(), "the throwing listener was called every round");
        assertTrue(failing.history().isEmpty());
        assertTrue(failing.listener().isDisabled(), "the failing probe disabled itself after repeated failures");
        assertEquals(16, probe.history().size(), "one report per round");
        assertEquals(List.of(SparkHessianProbe.DRIVER_WORKER_ID),
                storage.listWorkerIDsForSessionAndType("spark-session", HessianProbePersistable.TYPE_ID));
        List<Persistable> updates = storage.getAllUpdatesAfter("spark-session", HessianProbePersistable.TYPE_ID,
                Long.MIN_VALUE);
        assertEquals(16, updates.size());
        List<Long> iterations = new ArrayList<>();
        for (Persistable p : updates) {
            assertEquals("driver", p.getWorkerID());
            iterations.add(((HessianProbePersistable) p).probe().iteration());
        }
        assertEquals(2L, iterations.get(0), "first report after the first round (2 steps)");
        assertEquals(32L, iterations.get(15));
        assertTrue(probe.history().get(15).pairwiseRatio() > 0);
        assertTrue(spark.getNetwork().score(train) < initial);

        SparkDl4jMultiLayer plain = CurvatureSpark.multiLayer(sc, SparkTesting.mlp(new AdamMini(5e-3), 9),
                SparkTesting.averaging(2, 2).build());
        plain.fit(rdd);
        plain.fit(rdd);
        assertEquals(plain.getNetwork().params(), spark.getNetwork().params(), "probes do not change training");
    }

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        MultiLayerNetwork net = SparkTesting.mlp(new AdamMini(), 1);
        HessianBlockListener noBatch = HessianBlockListener.builder().build();
        Map<String, org.junit.jupiter.api.function.Executable> cases = new LinkedHashMap<>();
        cases.put("sc (JavaSparkContext) must not be null",
                () -> CurvatureSpark.multiLayer(null, net, SparkTesting.averaging(1, 1).build()));
        cases.put("the training master must not be null", () -> CurvatureSpark.multiLayer(sc, net, null));
        cases.put("the network or configuration must not be null",
                () -> CurvatureSpark.graph(sc, (ComputationGraph) null, SparkTesting.averaging(1, 1).build()));
        cases.put("expected an initialised MultiLayerNetwork or ComputationGraph, got null",
                () -> CurvatureSpark.unstampedLayers(null));
        cases.put("builder must not be null", () -> new CurvatureTrainingMaster(null));
        cases.put("listener must not be null",
                () -> new CurvatureTrainingMaster(SparkTesting.averaging(1, 1)).addRoundListener(null));
        cases.put("needs a fixed probe batch", () -> new SparkHessianProbe(noBatch));
        cases.put("listener must not be null ", () -> new SparkHessianProbe(null));
        for (Map.Entry<String, org.junit.jupiter.api.function.Executable> c : cases.entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c.getValue(), c.getKey());
            assertNotNull(e.getMessage());
            assertTrue(e.getMessage().contains(c.getKey().trim()), c.getKey() + " vs " + e.getMessage());
        }
    }

    static String causeChain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
