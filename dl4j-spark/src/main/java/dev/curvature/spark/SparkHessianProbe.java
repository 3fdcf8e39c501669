package dev.curvature.spark;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.hessian.ui.HessianUi;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Hessian block probes for Spark training, run on the driver after each averaging round of a
 * {@link CurvatureTrainingMaster}. Spark workers train private copies that are discarded after each round, so the
 * network worth probing is the driver's averaged one; probing there also keeps probe cost off the workers.
 *
 * <p>It drives an ordinary {@link HessianBlockListener}, so schedule (time budget or fixed frequency), failure
 * handling (a failing probe is logged; repeated failures disable the listener), history and sinks are the local
 * ones. The listener must have a fixed probe batch ({@code HessianBlockListener.Builder.probeBatch}): on the
 * driver no training minibatch passes by to capture. The time budget counts the wall time between rounds (Spark
 * training plus communication) as training time. Probes never change the network: they work on a private DOUBLE
 * copy. Anything the listener throws is logged and training goes on.
 *
 * <p>For the DL4J UI: {@link #toStatsStorage} posts reports through a {@code StatsStorageReportSink} to a
 * {@link StatsStorageRouter} under a session id and a worker id ({@value #DRIVER_WORKER_ID} by default), next to
 * reports of local training.
 */
public final class SparkHessianProbe implements AveragingRoundListener {
    private static final Logger LOG = LoggerFactory.getLogger(SparkHessianProbe.class);

    /** The worker id reports from the driver are posted under by default. */
    public static final String DRIVER_WORKER_ID = "driver";

    private final HessianBlockListener listener;

    /**
     * @param listener a listener built with a fixed probe batch
     * @throws IllegalArgumentException if the listener is null or has no probe batch
     */
    public SparkHessianProbe(HessianBlockListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        if (listener.probeBatch() == null) {
            throw new IllegalArgumentException("the HessianBlockListener needs a fixed probe batch "
                    + "(HessianBlockListener.builder().probeBatch(..)): on the Spark driver no training minibatch "
                    + "is seen to capture one from");
        }
        this.listener = listener;
    }

    /**
     * A probe after every averaging round with {@code estimator} on {@code probeBatch}, posting each report to
     * {@code router} under {@code sessionId} and {@code workerId}.
     */
    public static SparkHessianProbe toStatsStorage(StatsStorageRouter router, String sessionId, String workerId,
                                                   HessianBlockEstimator estimator, DataSet probeBatch) {
        return new SparkHessianProbe(HessianBlockListener.builder()
                .estimator(estimator)
                .probeBatch(probeBatch)
                .frequency(1)
                .sink(HessianUi.sink(router, sessionId, workerId))
                .build());
    }

    /** As {@link #toStatsStorage(StatsStorageRouter, String, String, HessianBlockEstimator, DataSet)} as "driver". */
    public static SparkHessianProbe toStatsStorage(StatsStorageRouter router, String sessionId,
                                                   HessianBlockEstimator estimator, DataSet probeBatch) {
        return toStatsStorage(router, sessionId, DRIVER_WORKER_ID, estimator, probeBatch);
    }

    @Override
    public void roundDone(Model averaged, AveragingRound round) {
        int epoch = averaged instanceof MultiLayerNetwork n ? n.getEpochCount()
                : averaged instanceof ComputationGraph g ? g.getEpochCount() : 0;
        try {
            listener.probe(averaged, round.iteration(), epoch);
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError | OutOfMemoryError e) {
            LOG.warn("Hessian probe after averaging round {} failed; training continues", round.round(), e);
        }
    }

    /** The listener this probe drives. */
    public HessianBlockListener listener() {
        return listener;
    }

    /** The reports so far, oldest first. */
    public List<BlockHessianReport> history() {
        return listener.history();
    }

    @Override
    public String toString() {
        return "SparkHessianProbe[" + listener + "]";
    }
}
