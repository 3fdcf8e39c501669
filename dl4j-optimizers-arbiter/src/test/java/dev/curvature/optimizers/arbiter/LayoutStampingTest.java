package dev.curvature.optimizers.arbiter;

import dev.curvature.optimizers.Layouts;
import dev.curvature.optimizers.layout.LayoutAware;
import org.deeplearning4j.arbiter.ComputationGraphSpace;
import org.deeplearning4j.arbiter.MultiLayerSpace;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.TaskCreator;
import org.deeplearning4j.arbiter.optimize.api.TaskCreatorProvider;
import org.deeplearning4j.arbiter.optimize.api.saving.ResultReference;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.deeplearning4j.arbiter.optimize.runner.CandidateStatus;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.task.ComputationGraphTaskCreator;
import org.deeplearning4j.arbiter.task.MultiLayerNetworkTaskCreator;
import org.deeplearning4j.arbiter.task.TaskListener;
import org.deeplearning4j.arbiter.layers.DenseLayerSpace;
import org.deeplearning4j.arbiter.layers.OutputLayerSpace;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layout stamping inside Arbiter's task creators: with this module's task creators (explicit or as Arbiter's
 * defaults) candidates are stamped and train; with Arbiter's plain task creators they fail loudly, and Arbiter
 * reports them as failed with the message naming {@code Layouts.attach}.
 */
class LayoutStampingTest {
    private static final int EPOCHS = 2;

    private static UpdaterChoiceSpace adamMiniOrMuon() {
        return UpdaterChoiceSpace.of(AdamMiniSpace.withLR(new ContinuousParameterSpace(1e-3, 1e-2)),
                MuonSpace.withLR(new ContinuousParameterSpace(1e-3, 5e-2)));
    }

    @Test
    void plainMultiLayerTaskCreatorReportsUnstampedCandidatesAsFailedNamingLayoutsAttach() {
        MultiLayerSpace space = SearchFixtures.multiLayerSpace(adamMiniOrMuon(), EPOCHS);
        LocalOptimizationRunner runner = SearchFixtures.run(SearchFixtures.randomSearch(space, 2, 3),
                new MultiLayerNetworkTaskCreator());
        assertAllFailedNamingLayoutsAttach(runner, 2);
    }

    @Test
    void plainGraphTaskCreatorReportsUnstampedCandidatesAsFailedNamingLayoutsAttach() {
        ComputationGraphSpace space = SearchFixtures.graphSpace(adamMiniOrMuon(), EPOCHS);
        LocalOptimizationRunner runner = SearchFixtures.run(SearchFixtures.randomSearch(space, 1, 3),
                new ComputationGraphTaskCreator());
        assertAllFailedNamingLayoutsAttach(runner, 1);
    }

    private static void assertAllFailedNamingLayoutsAttach(LocalOptimizationRunner runner, int candidates) {
        assertEquals(candidates, runner.numCandidatesFailed());
        assertEquals(0, runner.numCandidatesCompleted());
        List<CandidateInfo> infos = runner.getCandidateStatus();
        assertEquals(candidates, infos.size());
        for (CandidateInfo ci : infos) {
            assertEquals(CandidateStatus.Failed, ci.getCandidateStatus());
            String trace = ci.getExceptionStackTrace();
            assertNotNull(trace, "candidate " + ci.getIndex() + " failed without a stack trace");
            assertTrue(trace.contains("has no parameter layout") && trace.contains(Layouts.MISSING_LAYOUT_HINT),
                    "candidate " + ci.getIndex() + " should fail naming Layouts.attach, got:\n" + trace);
        }
    }

    /**
     * With early stopping, DL4J's {@code BaseEarlyStoppingTrainer} catches the training exception, logs it (WARN, with
     * the Layouts.attach message) and then dereferences the best model, which {@code InMemoryModelSaver} does not have
     * yet: Arbiter still reports the candidate as failed, but its recorded stack trace is that NullPointerException.
     * With this module's task creator the same early-stopping candidate trains.
     */
    @Test
    void earlyStoppingCandidatesFailWithThePlainTaskCreatorAndTrainWithOurs() {
        SyntheticDataSource data = new SyntheticDataSource();
        data.configure(SyntheticDataSource.defaults());
        EarlyStoppingConfiguration<MultiLayerNetwork> es = new EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
                .epochTerminationConditions(new MaxEpochsTerminationCondition(EPOCHS))
                .modelSaver(new InMemoryModelSaver<>())
                .scoreCalculator(new DataSetLossCalculator(data.testData(), true))
                .build();
        MultiLayerSpace space = new MultiLayerSpace.Builder()
                .updater(AdamMiniSpace.withLR(new ContinuousParameterSpace(1e-3, 1e-2)))
                .setInputType(InputType.feedForward(SyntheticDataSource.N_IN))
                .addLayer(new DenseLayerSpace.Builder().nOut(SearchFixtures.HIDDEN).activation(Activation.TANH).build())
                .addLayer(new OutputLayerSpace.Builder().nOut(SyntheticDataSource.N_CLASSES)
                        .activation(Activation.SOFTMAX).lossFunction(LossFunction.MCXENT).build())
                .earlyStoppingConfiguration(es)
                .build();

        LocalOptimizationRunner plain = SearchFixtures.run(SearchFixtures.randomSearch(space, 1, 1),
                new MultiLayerNetworkTaskCreator());
        assertEquals(1, plain.numCandidatesFailed());
        CandidateInfo failed = plain.getCandidateStatus().get(0);
        assertEquals(CandidateStatus.Failed, failed.getCandidateStatus());
        assertTrue(failed.getExceptionStackTrace().contains("BaseEarlyStoppingTrainer"), failed.getExceptionStackTrace());

        LocalOptimizationRunner ours = SearchFixtures.run(SearchFixtures.randomSearch(space, 1, 1),
                CurvatureTaskCreators.multiLayer());
        assertEquals(0, ours.numCandidatesFailed(), () -> RandomSearchTest.failures(ours));
        assertEquals(1, ours.numCandidatesCompleted());
    }

    @Test
    void graphTaskCreatorStampsEveryCandidate() throws Exception {
        ComputationGraphSpace space = SearchFixtures.graphSpace(adamMiniOrMuon(), EPOCHS);
        LocalOptimizationRunner runner = SearchFixtures.run(SearchFixtures.randomSearch(space, 2, 5),
                CurvatureTaskCreators.graph());
        assertEquals(0, runner.numCandidatesFailed(), () -> RandomSearchTest.failures(runner));
        assertEquals(2, runner.numCandidatesCompleted());
        for (ResultReference r : runner.getResults()) {
            ComputationGraph graph = (ComputationGraph) r.getResultModel();
            for (String layer : List.of("h1", "h2", "out")) {
                IUpdater u = ((BaseLayer) ((LayerVertex) graph.getConfiguration().getVertices().get(layer))
                        .getLayerConf().getLayer()).getIUpdater();
                assertNotNull(assertInstanceOf(LayoutAware.class, u).getLayout(), layer + " not stamped");
            }
            assertTrue(Double.isFinite(r.getResult().getScore()));
        }
    }

    @Test
    void runnerWithoutTaskCreatorUsesTheStampingDefaultsRegisteredByTheSpaces() throws Exception {
        MultiLayerSpace space = SearchFixtures.multiLayerSpace(adamMiniOrMuon(), EPOCHS);
        TaskCreator viaProvider = TaskCreatorProvider.defaultTaskCreatorFor(MultiLayerSpace.class);
        assertInstanceOf(CurvatureTaskCreators.DefaultMultiLayer.class, viaProvider);
        assertInstanceOf(CurvatureTaskCreators.DefaultGraph.class,
                TaskCreatorProvider.defaultTaskCreatorFor(ComputationGraphSpace.class));

        LocalOptimizationRunner runner = SearchFixtures.run(SearchFixtures.randomSearch(space, 2, 11), null);
        assertEquals(0, runner.numCandidatesFailed(), () -> RandomSearchTest.failures(runner));
        assertEquals(2, runner.numCandidatesCompleted());
        for (ResultReference r : runner.getResults()) {
            MultiLayerNetwork net = (MultiLayerNetwork) r.getResultModel();
            for (int i = 0; i < net.getnLayers(); i++) {
                IUpdater u = ((BaseLayer) net.getLayerWiseConfigurations().getConf(i).getLayer()).getIUpdater();
                assertNotNull(assertInstanceOf(LayoutAware.class, u).getLayout(), "layer " + i + " not stamped");
            }
        }
    }

    @Test
    void registrationIsIdempotentAndKeepsSomeoneElsesDefault() {
        CurvatureTaskCreators.registerAsArbiterDefaults();
        CurvatureTaskCreators.registerAsArbiterDefaults();
        assertInstanceOf(CurvatureTaskCreators.DefaultMultiLayer.class,
                TaskCreatorProvider.defaultTaskCreatorFor(MultiLayerSpace.class));
        try {
            TaskCreatorProvider.registerDefaultTaskCreatorClass(MultiLayerSpace.class, CustomCreator.class);
            CurvatureTaskCreators.registerAsArbiterDefaults();
            assertInstanceOf(CustomCreator.class, TaskCreatorProvider.defaultTaskCreatorFor(MultiLayerSpace.class));
        } finally {
            TaskCreatorProvider.registerDefaultTaskCreatorClass(MultiLayerSpace.class,
                    CurvatureTaskCreators.DefaultMultiLayer.class);
        }
    }

    /** A task creator someone else registered as Arbiter's default. */
    public static final class CustomCreator extends MultiLayerNetworkTaskCreator {
    }

    @Test
    void layoutTaskListenerStampsBeforeTheUserListenerAndChainsPostProcess() {
        MultiLayerSpace space = SearchFixtures.multiLayerSpace(AdamMiniSpace.builder().learningRate(1e-3).build(), 1);
        MultiLayerNetwork net = new MultiLayerNetwork(space.getValue(new double[0]).getMultiLayerConfiguration());
        net.init();
        RecordingListener user = new RecordingListener();
        LayoutTaskListener listener = new LayoutTaskListener(user);

        MultiLayerNetwork processed = listener.preProcess(net, null);
        listener.postProcess(processed, null);

        assertSame(net, processed);
        assertEquals(List.of("pre: stamped", "post"), user.events);
        SyntheticDataSource data = new SyntheticDataSource();
        data.configure(SyntheticDataSource.defaults());
        net.fit(data.trainData()); // trains: stamped
    }

    /** Records what a user's task listener sees. */
    private static final class RecordingListener implements TaskListener {
        final List<String> events = new ArrayList<>();

        @Override
        public <T extends Model> T preProcess(T model, Candidate candidate) {
            IUpdater u = ((BaseLayer) ((MultiLayerNetwork) model).getLayerWiseConfigurations().getConf(0).getLayer())
                    .getIUpdater();
            events.add(((LayoutAware) u).getLayout() != null ? "pre: stamped" : "pre: not stamped");
            return model;
        }

        @Override
        public void postProcess(Model model, Candidate candidate) {
            events.add("post");
        }
    }
}
