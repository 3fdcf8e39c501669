package dev.curvature.spark;

import dev.curvature.optimizers.Layouts;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * DL4J's {@link ParameterAveragingTrainingMaster} with two driver-side additions for the curvature optimizers:
 * <ol>
 *   <li>Before each round's network is broadcast, the driver's network is stamped with {@link Layouts#attach} (a
 *       no-op when it already is), so a network built by {@code new SparkDl4jMultiLayer(sc, conf, this)} from an
 *       unstamped configuration trains correctly instead of failing on every worker. A network that has already
 *       trained with another layout is refused on the driver with {@code Layouts.attach}'s error.</li>
 *   <li>After each averaging round, when the driver's network holds the averaged parameters and updater state,
 *       every {@link AveragingRoundListener} is called (for instance a {@link SparkHessianProbe}). A listener that
 *       throws is logged and skipped; training goes on.</li>
 * </ol>
 * Training itself is DL4J's, unchanged: splits, repartitioning, worker code and averaging.
 *
 * <p>Note on {@code saveUpdater}: DL4J's builder leaves it false unless {@code .saveUpdater(true)} is called. Then
 * the workers start every round with fresh updater state: Adam's, Adam-mini's and Muon's moments are reset every
 * {@code averagingFrequency} steps. This class logs a warning once when it sees that with a stateful updater.
 *
 * <p>Usage: {@code new CurvatureTrainingMaster(new ParameterAveragingTrainingMaster.Builder(n).batchSizePerWorker(b)
 * .averagingFrequency(f).saveUpdater(true))}, then {@link #addRoundListener}.
 */
public class CurvatureTrainingMaster extends ParameterAveragingTrainingMaster {
    private static final Logger LOG = LoggerFactory.getLogger(CurvatureTrainingMaster.class);

    private final transient List<AveragingRoundListener> roundListeners = new CopyOnWriteArrayList<>();
    private long rounds;
    private boolean warnedNoUpdaterState;

    /** A training master with the settings of {@code builder} (DL4J's builder, not built yet). */
    public CurvatureTrainingMaster(ParameterAveragingTrainingMaster.Builder builder) {
        super(requireBuilder(builder));
    }

    private static ParameterAveragingTrainingMaster.Builder requireBuilder(ParameterAveragingTrainingMaster.Builder b) {
        if (b == null) {
            throw new IllegalArgumentException("builder must not be null (a ParameterAveragingTrainingMaster.Builder)");
        }
        return b;
    }

    /** Adds a listener called on the driver after every averaging round; returns this. */
    public CurvatureTrainingMaster addRoundListener(AveragingRoundListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        roundListeners.add(listener);
        return this;
    }

    /** The round listeners, in call order. */
    public List<AveragingRoundListener> roundListeners() {
        return List.copyOf(roundListeners);
    }

    /** Averaging rounds finished so far (all {@code fit} calls). */
    public long rounds() {
        return rounds;
    }

    @Override
    public ParameterAveragingTrainingWorker getWorkerInstance(SparkDl4jMultiLayer network) {
        prepare(network.getNetwork());
        return super.getWorkerInstance(network);
    }

    @Override
    public ParameterAveragingTrainingWorker getWorkerInstance(SparkComputationGraph graph) {
        prepare(graph.getNetwork());
        return super.getWorkerInstance(graph);
    }

    private void prepare(Model model) {
        Layouts.attach(model);
        if (!isSaveUpdater() && !warnedNoUpdaterState && hasStatefulUpdater(model)) {
            warnedNoUpdaterState = true;
            LOG.warn("saveUpdater is false: Spark workers start every averaging round with fresh updater state, so "
                    + "the optimizer's moments are reset every {} steps. Use "
                    + "ParameterAveragingTrainingMaster.Builder.saveUpdater(true) to average and keep them",
                    getAveragingFrequency());
        }
    }

    private static boolean hasStatefulUpdater(Model model) {
        INDArray state = model instanceof MultiLayerNetwork n ? n.getUpdater().getStateViewArray()
                : ((ComputationGraph) model).getUpdater().getStateViewArray();
        return state != null && state.length() > 0;
    }

    @Override
    protected void processResults(SparkDl4jMultiLayer network, SparkComputationGraph graph,
                                  JavaRDD<ParameterAveragingTrainingResult> results, int splitNum, int totalSplits) {
        super.processResults(network, graph, results, splitNum, totalSplits);
        rounds++;
        Model model = network != null ? network.getNetwork() : graph.getNetwork();
        int iteration = model instanceof MultiLayerNetwork n ? n.getIterationCount()
                : ((ComputationGraph) model).getIterationCount();
        AveragingRoundListener.AveragingRound round =
                new AveragingRoundListener.AveragingRound(rounds, splitNum, totalSplits, iteration);
        for (AveragingRoundListener listener : roundListeners) {
            try {
                listener.roundDone(model, round);
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError | OutOfMemoryError e) {
                LOG.warn("Averaging round listener {} failed after round {}; training continues", listener,
                        round.round(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "CurvatureTrainingMaster[" + super.toString() + ", " + roundListeners.size() + " round listeners]";
    }
}
