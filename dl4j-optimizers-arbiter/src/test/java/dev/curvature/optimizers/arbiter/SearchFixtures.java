package dev.curvature.optimizers.arbiter;

import org.deeplearning4j.arbiter.ComputationGraphSpace;
import org.deeplearning4j.arbiter.MultiLayerSpace;
import org.deeplearning4j.arbiter.layers.DenseLayerSpace;
import org.deeplearning4j.arbiter.layers.OutputLayerSpace;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.api.TaskCreator;
import org.deeplearning4j.arbiter.optimize.api.saving.InMemoryResultSaver;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxCandidatesCondition;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.scoring.impl.TestSetLossScoreFunction;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import static dev.curvature.optimizers.arbiter.SyntheticDataSource.N_CLASSES;
import static dev.curvature.optimizers.arbiter.SyntheticDataSource.N_IN;

/** The small search problems the tests share: a 12-32-32-4 classifier as a MultiLayerSpace or a graph space. */
final class SearchFixtures {
    static final int HIDDEN = 32;

    private SearchFixtures() {
    }

    static MultiLayerSpace multiLayerSpace(ParameterSpace<IUpdater> updater, int epochs) {
        return new MultiLayerSpace.Builder()
                .seed(42)
                .weightInit(WeightInit.XAVIER)
                .updater(updater)
                .setInputType(InputType.feedForward(N_IN))
                .addLayer(new DenseLayerSpace.Builder().nOut(HIDDEN).activation(Activation.TANH).build())
                .addLayer(new DenseLayerSpace.Builder().nOut(HIDDEN).activation(Activation.TANH).build())
                .addLayer(new OutputLayerSpace.Builder().nOut(N_CLASSES).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunction.MCXENT).build())
                .numEpochs(epochs)
                .build();
    }

    static ComputationGraphSpace graphSpace(ParameterSpace<IUpdater> updater, int epochs) {
        return new ComputationGraphSpace.Builder()
                .seed(42)
                .weightInit(WeightInit.XAVIER)
                .updater(updater)
                .addInputs("in")
                .setInputTypes(InputType.feedForward(N_IN))
                .addLayer("h1", new DenseLayerSpace.Builder().nOut(HIDDEN).activation(Activation.TANH).build(), "in")
                .addLayer("h2", new DenseLayerSpace.Builder().nOut(HIDDEN).activation(Activation.TANH).build(), "h1")
                .addLayer("out", new OutputLayerSpace.Builder().nOut(N_CLASSES).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunction.MCXENT).build(), "h2")
                .setOutputs("out")
                .numEpochs(epochs)
                .build();
    }

    /** A random search over {@code space} for {@code candidates} candidates, seeded, results kept in memory. */
    static OptimizationConfiguration randomSearch(ParameterSpace<?> space, int candidates, long seed) {
        return new OptimizationConfiguration.Builder()
                .candidateGenerator(new RandomSearchGenerator(space, null))
                .dataSource(SyntheticDataSource.class, SyntheticDataSource.defaults())
                .modelSaver(new InMemoryResultSaver())
                .scoreFunction(new TestSetLossScoreFunction(true))
                .terminationConditions(new MaxCandidatesCondition(candidates))
                .rngSeed(seed)
                .build();
    }

    /** Runs the search with one candidate at a time (exactly {@code MaxCandidatesCondition} candidates run). */
    static LocalOptimizationRunner run(OptimizationConfiguration config, TaskCreator taskCreator) {
        LocalOptimizationRunner runner = taskCreator == null ? new LocalOptimizationRunner(config)
                : new LocalOptimizationRunner(config, taskCreator);
        runner.execute();
        return runner;
    }
}
