package dev.curvature.optimizers.arbiter;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.BlockPartition;
import dev.curvature.hessian.HessianBlockEstimator;
import org.deeplearning4j.arbiter.MultiLayerSpace;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.saving.InMemoryResultSaver;
import org.deeplearning4j.arbiter.optimize.api.saving.ResultReference;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxCandidatesCondition;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.serde.jackson.JsonMapper;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import static dev.curvature.optimizers.arbiter.SyntheticDataSource.N_CLASSES;
import static dev.curvature.optimizers.arbiter.SyntheticDataSource.N_IN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link HessianRatioScoreFunction}: equals the estimator, scores an Arbiter search, JSON, validation. */
class HessianRatioScoreFunctionTest {
    private static final int CANDIDATES = 3;

    private static MultiLayerNetwork trainedNet() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(42)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(1e-2))
                .list()
                .layer(new DenseLayer.Builder().nIn(N_IN).nOut(16).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(16).nOut(N_CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        SyntheticDataSource ds = new SyntheticDataSource();
        ds.configure(SyntheticDataSource.defaults());
        net.fit(ds.trainData(), 2);
        return net;
    }

    private static DataSet firstTestBatch() {
        SyntheticDataSource ds = new SyntheticDataSource();
        ds.configure(SyntheticDataSource.defaults());
        DataSetIterator it = ds.testData();
        return it.next();
    }

    @Test
    void scoreEqualsTheEstimatorOnTheFirstTestBatch() {
        MultiLayerNetwork net = trainedNet();
        ComputationGraph graph = net.toComputationGraph();
        DataSet batch = firstTestBatch();
        assertEquals(64, batch.numExamples());
        for (HessianRatioScoreFunction.Ratio ratio : HessianRatioScoreFunction.Ratio.values()) {
            HessianRatioScoreFunction f = new HessianRatioScoreFunction(ratio);
            HessianBlockEstimator estimator = HessianBlockEstimator.builder()
                    .partition(BlockPartition.perOutputNeuron())
                    .method(HessianBlockEstimator.Method.STOCHASTIC)
                    .probesPerBlock(HessianBlockEstimator.DEFAULT_PROBES_PER_BLOCK)
                    .seed(HessianBlockEstimator.DEFAULT_SEED)
                    .lanczosSteps(0)
                    .traceProbes(0)
                    .build();
            long t0 = System.nanoTime();
            BlockHessianReport report = estimator.estimate(net, batch);
            double estimateSeconds = (System.nanoTime() - t0) / 1e9;
            double expected = ratio == HessianRatioScoreFunction.Ratio.PAIRWISE ? report.pairwiseRatio()
                    : report.offDiagonalMassRatio();
            assertTrue(expected > 0 && Double.isFinite(expected), ratio + ": " + expected);

            double viaDataSource = f.score(net, SyntheticDataSource.class, SyntheticDataSource.defaults());
            assertEquals(expected, viaDataSource, 0.0, ratio + " via DataSource");
            double viaProvider = f.score(net, new org.deeplearning4j.arbiter.optimize.api.data.DataProvider() {
                @Override
                public Object trainData(java.util.Map<String, Object> dataParameters) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public Object testData(java.util.Map<String, Object> dataParameters) {
                    SyntheticDataSource ds = new SyntheticDataSource();
                    ds.configure(SyntheticDataSource.defaults());
                    return ds.testData();
                }

                @Override
                public Class<?> getDataType() {
                    return DataSetIterator.class;
                }
            }, java.util.Map.of());
            assertEquals(expected, viaProvider, 0.0, ratio + " via DataProvider");
            // the same network as a ComputationGraph
            assertEquals(expected, f.score(graph, SyntheticDataSource.class, SyntheticDataSource.defaults()), 0.0,
                    ratio + " graph");
            System.out.printf(Locale.ROOT, "%s ratio of the trained 12-16-4 net on the first test batch: %.4f (se %.4f), %d HVPs, %.2f s%n",
                    ratio, expected, ratio == HessianRatioScoreFunction.Ratio.PAIRWISE
                            ? report.pairwiseRatioStandardError() : report.offDiagonalMassRatioStandardError(),
                    report.hessianVectorProducts(), estimateSeconds);
        }
    }

    @Test
    void randomSearchScoresEveryCandidateByItsHessianRatio() throws Exception {
        MultiLayerSpace space = SearchFixtures.multiLayerSpace(
                AdamMiniSpace.withLR(new ContinuousParameterSpace(new LogUniformDistribution(1e-3, 0.1))), 2);
        HessianRatioScoreFunction scoreFunction = new HessianRatioScoreFunction();
        OptimizationConfiguration config = new OptimizationConfiguration.Builder()
                .candidateGenerator(new RandomSearchGenerator(space, null))
                .dataSource(SyntheticDataSource.class, SyntheticDataSource.defaults())
                .modelSaver(new InMemoryResultSaver())
                .scoreFunction(scoreFunction)
                .terminationConditions(new MaxCandidatesCondition(CANDIDATES))
                .rngSeed(2024)
                .build();
        long start = System.nanoTime();
        LocalOptimizationRunner runner = SearchFixtures.run(config, CurvatureTaskCreators.multiLayer());
        double seconds = (System.nanoTime() - start) / 1e9;

        assertEquals(0, runner.numCandidatesFailed(), () -> {
            StringBuilder sb = new StringBuilder();
            for (CandidateInfo c : runner.getCandidateStatus()) {
                sb.append(c.getIndex()).append(": ").append(c.getExceptionStackTrace()).append('\n');
            }
            return sb.toString();
        });
        assertEquals(CANDIDATES, runner.numCandidatesCompleted());
        List<OptimizationResult> results = new ArrayList<>();
        for (ResultReference r : runner.getResults()) {
            results.add(r.getResult());
        }
        results.sort(Comparator.comparingInt(OptimizationResult::getIndex));
        assertEquals(CANDIDATES, results.size());
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "%nHessian-ratio search: %d candidates, %.1f s (Arbiter sleeps 2 s after each)%n"
                        + "| candidate | lr       | pairwise ratio | re-score time |%n", CANDIDATES, seconds));
        double min = Double.POSITIVE_INFINITY;
        int argmin = -1;
        for (OptimizationResult r : results) {
            Double score = r.getScore();
            assertNotNull(score, "candidate " + r.getIndex() + " has no score");
            assertTrue(score > 0 && Double.isFinite(score), "candidate " + r.getIndex() + ": " + score);
            // the recorded score is the ratio of the trained network on the first test batch
            Object model = assertDoesNotThrowGet(() -> r.getResultReference().getResultModel());
            long t0 = System.nanoTime();
            double rescored = scoreFunction.score(model, SyntheticDataSource.class, SyntheticDataSource.defaults());
            double rescoreSeconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(score, rescored, 0.0, "candidate " + r.getIndex() + " rescored");
            if (score < min) {
                min = score;
                argmin = r.getIndex();
            }
            double lr = ((org.deeplearning4j.arbiter.DL4JConfiguration) r.getCandidate().getValue())
                    .getMultiLayerConfiguration().getConf(0).getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b
                    ? b.getIUpdater().getLearningRate(0, 0) : Double.NaN;
            table.append(String.format(Locale.ROOT, "| %9d | %.2e | %14.4f | %11.2f s |%n", r.getIndex(), lr, score,
                    rescoreSeconds));
        }
        table.append(String.format(Locale.ROOT, "best: candidate %d, ratio %.4f%n", runner.bestScoreCandidateIndex(),
                runner.bestScore()));
        System.out.println(table);
        assertEquals(argmin, runner.bestScoreCandidateIndex());
        assertEquals(min, runner.bestScore(), 0.0);
    }

    private static Object assertDoesNotThrowGet(ThrowingSupplier s) {
        try {
            return s.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private interface ThrowingSupplier {
        Object get() throws Exception;
    }

    @Test
    void jsonRoundTripGivesAnEqualObject() throws Exception {
        List<HessianRatioScoreFunction> fs = List.of(
                new HessianRatioScoreFunction(),
                HessianRatioScoreFunction.builder().ratio(HessianRatioScoreFunction.Ratio.OFF_DIAGONAL_MASS)
                        .partition(BlockPartition.Kind.ADAM_MINI).method(HessianBlockEstimator.Method.EXACT)
                        .probesPerBlock(5).maxBlocks(7).seed(-3).build());
        for (HessianRatioScoreFunction f : fs) {
            String json = JsonMapper.getMapper().writeValueAsString(f);
            ScoreFunction back = JsonMapper.getMapper().readValue(json, ScoreFunction.class);
            assertEquals(f, back, json);
            assertEquals(f.hashCode(), back.hashCode());
            assertEquals(f, JsonMapper.getMapper().readValue(json, HessianRatioScoreFunction.class));
        }
        assertTrue(!fs.get(0).equals(fs.get(1)));
        // inside a whole optimisation configuration, as Arbiter writes it
        OptimizationConfiguration config = new OptimizationConfiguration.Builder()
                .candidateGenerator(new RandomSearchGenerator(SearchFixtures.multiLayerSpace(
                        AdamMiniSpace.withLR(new ContinuousParameterSpace(1e-3, 1e-2)), 1), null))
                .dataSource(SyntheticDataSource.class, SyntheticDataSource.defaults())
                .scoreFunction(fs.get(1))
                .terminationConditions(new MaxCandidatesCondition(1))
                .build();
        OptimizationConfiguration back = OptimizationConfiguration.fromJson(config.toJson());
        assertEquals(fs.get(1), back.getScoreFunction());
        // bad values in JSON are rejected as in the constructor
        String bad = JsonMapper.getMapper().writeValueAsString(fs.get(0)).replaceAll("\"probesPerBlock\"\\s*:\\s*2",
                "\"probesPerBlock\" : 0");
        assertTrue(bad.contains("\"probesPerBlock\" : 0"), bad);
        Exception e = assertThrows(Exception.class, () -> JsonMapper.getMapper().readValue(bad, ScoreFunction.class), bad);
        assertTrue(String.valueOf(rootMessage(e)).contains("probesPerBlock must be >= 1, got 0"), rootMessage(e));
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    @Test
    void badArgumentsAreRejectedWithValueAndRange() {
        expect(() -> HessianRatioScoreFunction.builder().probesPerBlock(0).build(), "probesPerBlock", ">= 1", "got 0");
        expect(() -> HessianRatioScoreFunction.builder().probesPerBlock(-2).build(), "probesPerBlock", ">= 1", "got -2");
        expect(() -> HessianRatioScoreFunction.builder().maxBlocks(-1).build(), "maxBlocks", ">= 1", "0 for", "got -1");
        expect(() -> HessianRatioScoreFunction.builder().ratio(null).build(), "ratio", "PAIRWISE", "OFF_DIAGONAL_MASS");
        expect(() -> HessianRatioScoreFunction.builder().method(null).build(), "method", "EXACT", "STOCHASTIC");
        expect(() -> HessianRatioScoreFunction.builder().partition(null).build(), "partition", "PER_OUTPUT_NEURON");
        expect(() -> new HessianRatioScoreFunction(null), "ratio");
        // boundaries build
        HessianRatioScoreFunction.builder().probesPerBlock(1).maxBlocks(1).build();
        HessianRatioScoreFunction.builder().maxBlocks(HessianRatioScoreFunction.DEFAULT_MAX_BLOCKS).build();
    }

    private static void expect(Supplier<?> build, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().startsWith("HessianRatioScoreFunction: "), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + e.getMessage() + "' should contain '" + p + "'");
        }
    }
}
