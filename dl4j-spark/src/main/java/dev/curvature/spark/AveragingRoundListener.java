package dev.curvature.spark;

import org.deeplearning4j.nn.api.Model;

/**
 * Called on the Spark driver by {@link CurvatureTrainingMaster} after each parameter averaging round, when the
 * driver's network holds the averaged parameters and updater state. Runs on the driver thread that called
 * {@code fit}; an exception it throws is logged and never stops training.
 */
@FunctionalInterface
public interface AveragingRoundListener {

    /**
     * @param averaged the driver's {@code MultiLayerNetwork} or {@code ComputationGraph} (live: do not train it or
     *                 change its parameters)
     * @param round    which round just finished
     */
    void roundDone(Model averaged, AveragingRound round);

    /**
     * One averaging round.
     *
     * @param round       rounds finished by this training master so far, counting from 1 across {@code fit} calls
     * @param split       the split of the current {@code fit} call this round trained on, from 1
     * @param totalSplits the number of splits of the current {@code fit} call
     * @param iteration   the network's iteration count after the round (DL4J adds the averaging frequency per round)
     */
    record AveragingRound(long round, int split, int totalSplits, int iteration) {
    }
}
