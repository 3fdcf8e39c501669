package dev.curvature.optimizers.arbiter;

import org.deeplearning4j.arbiter.ComputationGraphSpace;
import org.deeplearning4j.arbiter.MultiLayerSpace;
import org.deeplearning4j.arbiter.optimize.api.TaskCreator;
import org.deeplearning4j.arbiter.optimize.api.TaskCreatorProvider;
import org.deeplearning4j.arbiter.optimize.api.evaluation.ModelEvaluator;
import org.deeplearning4j.arbiter.task.ComputationGraphTaskCreator;
import org.deeplearning4j.arbiter.task.MultiLayerNetworkTaskCreator;
import org.deeplearning4j.arbiter.task.TaskListener;

/**
 * Arbiter's own task creators with {@link LayoutTaskListener} wired in, so candidates using Adam-mini or Muon are
 * stamped ({@code Layouts.attach}) after {@code init()} and before training.
 *
 * <p><b>What you have to do.</b> Either
 * <ul>
 *   <li>pass one of these to the runner (works always):
 *   {@code new LocalOptimizationRunner(config, CurvatureTaskCreators.multiLayer())} instead of
 *   {@code new LocalOptimizationRunner(config, new MultiLayerNetworkTaskCreator())}, or {@link #graph()} for a
 *   {@code ComputationGraphSpace}; or</li>
 *   <li>pass no task creator: {@code new LocalOptimizationRunner(config)} (or {@code (n, config)}). Arbiter then
 *   asks its {@link TaskCreatorProvider} for the default task creator of the space's class; loading
 *   {@link AdamMiniSpace}, {@link MuonSpace} or {@link UpdaterChoiceSpace} registers {@link DefaultMultiLayer} and
 *   {@link DefaultGraph} there (see {@link #registerAsArbiterDefaults()}). If your spaces use Adam-mini or Muon only
 *   as {@code FixedValue}s, none of these classes is loaded: call {@link #registerAsArbiterDefaults()} yourself.</li>
 * </ul>
 * Passing Arbiter's plain {@code new MultiLayerNetworkTaskCreator()} (or replacing the listener with
 * {@code setTaskListener}) leaves candidates un-stamped: each fails at its first training step with an
 * {@code IllegalStateException} naming {@code Layouts.attach}, and Arbiter counts it as failed with that stack trace
 * ({@code CandidateInfo.getExceptionStackTrace()}). With an early-stopping configuration the candidate is still
 * reported as failed, but DL4J's {@code BaseEarlyStoppingTrainer} only logs that exception (WARN) and then throws a
 * {@code NullPointerException} (no best model saved yet), which is the stack trace Arbiter records.
 *
 * <p>Why a task creator at all: DL4J runs no user code when a network or its updater is created, and Arbiter's task
 * creators construct and {@code init()} the candidate network themselves; {@code TaskListener.preProcess} is the
 * only point between {@code init()} and the first {@code fit}.
 */
public final class CurvatureTaskCreators {
    private CurvatureTaskCreators() {
    }

    /** Arbiter's {@link MultiLayerNetworkTaskCreator} stamping layouts; no model evaluator, no user listener. */
    public static MultiLayerNetworkTaskCreator multiLayer() {
        return multiLayer(null, null);
    }

    /** Arbiter's {@link MultiLayerNetworkTaskCreator} stamping layouts, with a model evaluator (may be null). */
    public static MultiLayerNetworkTaskCreator multiLayer(ModelEvaluator modelEvaluator) {
        return multiLayer(modelEvaluator, null);
    }

    /**
     * Arbiter's {@link MultiLayerNetworkTaskCreator} stamping layouts, then running {@code userListener}.
     *
     * @param modelEvaluator Arbiter's additional evaluation, or null
     * @param userListener   your task listener (sees stamped models), or null
     */
    public static MultiLayerNetworkTaskCreator multiLayer(ModelEvaluator modelEvaluator, TaskListener userListener) {
        return new MultiLayerNetworkTaskCreator(modelEvaluator, new LayoutTaskListener(userListener));
    }

    /** Arbiter's {@link ComputationGraphTaskCreator} stamping layouts; no model evaluator, no user listener. */
    public static ComputationGraphTaskCreator graph() {
        return graph(null, null);
    }

    /** Arbiter's {@link ComputationGraphTaskCreator} stamping layouts, with a model evaluator (may be null). */
    public static ComputationGraphTaskCreator graph(ModelEvaluator modelEvaluator) {
        return graph(modelEvaluator, null);
    }

    /**
     * Arbiter's {@link ComputationGraphTaskCreator} stamping layouts, then running {@code userListener}.
     *
     * @param modelEvaluator Arbiter's additional evaluation, or null
     * @param userListener   your task listener (sees stamped models), or null
     */
    public static ComputationGraphTaskCreator graph(ModelEvaluator modelEvaluator, TaskListener userListener) {
        return new ComputationGraphTaskCreator(modelEvaluator, new LayoutTaskListener(userListener));
    }

    /**
     * Makes {@link DefaultMultiLayer} and {@link DefaultGraph} Arbiter's default task creators for
     * {@link MultiLayerSpace} and {@link ComputationGraphSpace} (used by {@code LocalOptimizationRunner} when it is
     * given no task creator). Only replaces Arbiter's own defaults ({@code MultiLayerNetworkTaskCreator},
     * {@code ComputationGraphTaskCreator}), never a creator someone else registered; idempotent. The replacements
     * behave exactly like Arbiter's for networks without Adam-mini or Muon.
     */
    public static synchronized void registerAsArbiterDefaults() {
        replaceArbiterDefault(MultiLayerSpace.class, MultiLayerNetworkTaskCreator.class, DefaultMultiLayer.class);
        replaceArbiterDefault(ComputationGraphSpace.class, ComputationGraphTaskCreator.class, DefaultGraph.class);
    }

    private static void replaceArbiterDefault(Class<?> spaceClass, Class<? extends TaskCreator> arbiterDefault,
                                              Class<? extends TaskCreator> ours) {
        try {
            // the space class registers Arbiter's default in its static initializer: run it first, so ours wins
            Class.forName(spaceClass.getName(), true, spaceClass.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Arbiter class missing from the classpath: " + spaceClass.getName(), e);
        }
        @SuppressWarnings("unchecked")
        Class<? extends org.deeplearning4j.arbiter.optimize.api.ParameterSpace> key =
                (Class<? extends org.deeplearning4j.arbiter.optimize.api.ParameterSpace>) spaceClass;
        TaskCreator current = TaskCreatorProvider.defaultTaskCreatorFor(key);
        if (current == null || current.getClass() == arbiterDefault) {
            TaskCreatorProvider.registerDefaultTaskCreatorClass(key, ours);
        }
    }

    /**
     * Arbiter's {@link MultiLayerNetworkTaskCreator} with {@link LayoutTaskListener}, as a class with a public
     * no-argument constructor (what Arbiter's {@link TaskCreatorProvider} instantiates).
     */
    public static final class DefaultMultiLayer extends MultiLayerNetworkTaskCreator {
        public DefaultMultiLayer() {
            super(null, new LayoutTaskListener());
        }
    }

    /**
     * Arbiter's {@link ComputationGraphTaskCreator} with {@link LayoutTaskListener}, as a class with a public
     * no-argument constructor (what Arbiter's {@link TaskCreatorProvider} instantiates).
     */
    public static final class DefaultGraph extends ComputationGraphTaskCreator {
        public DefaultGraph() {
            super(null, new LayoutTaskListener());
        }
    }
}
