package dev.curvature.hessian;

import dev.curvature.hessian.internal.ProbeBatches;
import dev.curvature.hessian.internal.ProbeCopy;
import dev.curvature.optimizers.internal.Checks;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A DL4J {@link org.deeplearning4j.optimize.api.TrainingListener} that measures the block structure of the loss
 * Hessian during training (Dong, Zhang, Luo, Yao, Sun 2025, arXiv 2505.02809): on a schedule (below), once an
 * iteration's gradient is computed and before its update is applied ({@code onGradientCalculation}), it runs its
 * {@link HessianBlockEstimator} on a fixed probe batch, keeps the {@link BlockHessianReport} in {@link #history()}
 * and passes it to its {@link ReportSink}s. The report of iteration {@code t} therefore measures the parameters of
 * iteration {@code t} before its update: the first report is the initial network, the same for every optimizer.
 *
 * <p>Schedule. By default the listener keeps to a time budget: it probes at the first iteration (the structure at
 * initialisation), then whenever the probes so far plus one more (costed as the last probe) stay within
 * {@code maxOverhead} (default 5%) of the training wall time measured between iterations, probe time excluded. So
 * the overhead stays
 * bounded on any machine and backend, however expensive a probe is relative to an iteration. With
 * {@link Builder#frequency(int)} it probes instead at iterations 0, f, 2f, ... regardless of cost.
 *
 * <p>The probe batch is the one given to the builder, or else the first minibatch the network trains on (its
 * inputs, labels and masks, copied from the model in {@code onBackwardPass}). Keeping it fixed makes reports
 * comparable over training.
 *
 * <p>Training is never changed by a probe: the estimator works on a private DOUBLE copy of the network with its
 * own random generator, so parameters after a seeded run with this listener are bit-identical to the run without.
 * The copy is built at the first probe and kept; later probes copy the current parameters into it in place. It holds
 * the network's parameters and the probe batch in DOUBLE, plus the recorded kink pieces of one gradient evaluation.
 *
 * <p>Failure safety: a probe that fails (an exception, non-finite values, out of memory) is logged and training
 * goes on; after {@code maxConsecutiveFailures} failures in a row the listener disables itself and logs that it did.
 * A failing sink is logged and does not count as a failed probe.
 *
 * <p>Cost: each probe costs about {@code 2 x (Hessian-vector products)} gradient evaluations on the probe batch
 * (see {@link HessianBlockEstimator}); history keeps every report ({@code 16 B x probed} bytes of block data each).
 * Meant for one training thread, like DL4J's own listeners.
 */
public final class HessianBlockListener extends BaseTrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(HessianBlockListener.class);

    /**
     * Default time budget: probes take at most this fraction of the training wall time (after the first probe).
     * A probe with the default estimator costs 66 Hessian-vector products, about 135 DOUBLE gradient evaluations
     * on the probe batch; on an MLP 784-256-256-10 with batches of 64 that is a few hundred training iterations'
     * worth of work (see the examples' {@code bench-hvp}), so a fixed interval cannot give a bounded overhead everywhere.
     */
    public static final double DEFAULT_MAX_OVERHEAD = 0.05;
    public static final int DEFAULT_MAX_CONSECUTIVE_FAILURES = 3;

    private final HessianBlockEstimator estimator;
    private final int frequency;
    private final double maxOverhead;
    private final LongSupplier clock;
    private long lastIterationEnd;
    private long trainingNanos;
    private long probeNanos;
    private long lastProbeNanos;
    private long probeNanosThisIteration;
    private ProbeCopy copy;
    private boolean probedOnce;
    private final int maxConsecutiveFailures;
    private final List<ReportSink> sinks;
    private final List<BlockHessianReport> history = new ArrayList<>();
    private MultiDataSet probeBatch;
    private int consecutiveFailures;
    private boolean disabled;
    private boolean warnedNoBatch;

    private HessianBlockListener(Builder b) {
        this.estimator = b.estimator;
        this.frequency = b.frequency;
        this.maxOverhead = b.maxOverhead;
        this.clock = b.clock;
        this.maxConsecutiveFailures = b.maxConsecutiveFailures;
        this.sinks = List.copyOf(b.sinks);
        this.probeBatch = b.probeBatch == null ? null : ProbeBatches.detachedCopy(b.probeBatch);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Captures the probe batch if none is set yet. The backward pass is the last moment the labels are reachable:
     * a {@code ComputationGraph} keeps them only in its output layers and clears those before
     * {@code onGradientCalculation}.
     */
    @Override
    public void onBackwardPass(Model model) {
        if (probeBatch != null || disabled) {
            return;
        }
        try {
            probeBatch = ProbeBatches.current(model);
        } catch (RuntimeException | OutOfMemoryError e) {
            failed("Capturing the probe batch from the training minibatch", e);
        }
    }

    /**
     * Probes, when due, the network as it is for this iteration: the gradient has just been computed and the update
     * is not applied yet, so the report of iteration {@code t} measures the parameters that iteration {@code t}'s
     * gradient was taken at, and the first report measures the initial network whatever the optimizer.
     */
    @Override
    public void onGradientCalculation(Model model) {
        long iteration = model instanceof MultiLayerNetwork n ? n.getIterationCount()
                : model instanceof ComputationGraph g ? g.getIterationCount() : 0;
        int epoch = model instanceof MultiLayerNetwork n ? n.getEpochCount()
                : model instanceof ComputationGraph g ? g.getEpochCount() : 0;
        probe(model, iteration, epoch);
    }

    /** Counts the iteration's training time (its probe excluded) for the time budget. */
    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        long now = clock.getAsLong();
        if (lastIterationEnd != 0) {
            trainingNanos += Math.max(0, now - lastIterationEnd - probeNanosThisIteration);
        }
        lastIterationEnd = now;
        probeNanosThisIteration = 0;
    }

    /**
     * Probes {@code model} now if the schedule says so (iteration {@code iteration} is due, or the time budget
     * allows), as {@link #onGradientCalculation} does during DL4J training. For loops that are not DL4J's own, such
     * as a Spark driver probing the averaged network after each round; call it with the parameters to be measured.
     */
    public void probe(Model model, long iteration, int epoch) {
        if (disabled || !due(iteration)) {
            return;
        }
        if (probeBatch == null) {
            if (!warnedNoBatch) {
                warnedNoBatch = true;
                LOG.warn("Hessian probe at iteration {} skipped: no probe batch was given and none has been captured "
                        + "from training yet", iteration);
            }
            return;
        }
        long start = clock.getAsLong();
        BlockHessianReport report;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            report = estimator.estimate(copyOf(model), iteration, epoch);
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            releaseCopy(); // it may be half-updated; the next probe builds a new one
            failed("The Hessian probe at iteration " + iteration, e);
            return;
        } finally {
            long elapsed = clock.getAsLong() - start;
            lastProbeNanos = elapsed;
            probeNanos += elapsed;
            probeNanosThisIteration += elapsed;
            probedOnce = true;
        }
        consecutiveFailures = 0;
        synchronized (history) {
            history.add(report);
        }
        for (ReportSink sink : sinks) {
            try {
                sink.accept(report);
            } catch (Exception e) {
                LOG.warn("Hessian report sink {} failed at iteration {}; the report is kept in the history", sink,
                        iteration, e);
            }
        }
    }

    /** The probe copy, built at the first probe and refreshed in place (parameters only) at later ones. */
    private ProbeCopy copyOf(Model model) {
        if (copy != null && copy.network().numParams() == model.numParams()) {
            copy.refresh(model);
            return copy;
        }
        releaseCopy();
        copy = ProbeCopy.of(model, probeBatch, estimator.freezeKinks());
        return copy;
    }

    private void releaseCopy() {
        if (copy != null) {
            try {
                copy.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the probe copy failed", e);
            }
            copy = null;
        }
    }

    private boolean due(long iteration) {
        if (frequency > 0) {
            return iteration % frequency == 0;
        }
        return withinBudget(probedOnce, probeNanos, lastProbeNanos, trainingNanos, maxOverhead);
    }

    /**
     * The time-budget rule: the first probe always runs; later ones when the probe time so far plus one more probe
     * (costed as the last one) stays within {@code maxOverhead} of the training time.
     */
    static boolean withinBudget(boolean probedOnce, long probeNanos, long lastProbeNanos, long trainingNanos,
                                double maxOverhead) {
        return !probedOnce || probeNanos + lastProbeNanos <= maxOverhead * trainingNanos;
    }

    /** Wall time spent in probes so far, in nanoseconds (failed probes included). */
    public long probeNanos() {
        return probeNanos;
    }

    /** Training wall time measured between iterations, probes excluded, in nanoseconds. */
    public long trainingNanos() {
        return trainingNanos;
    }

    private void failed(String what, Throwable e) {
        consecutiveFailures++;
        LOG.warn("{} failed ({} of {} consecutive failures allowed); training continues", what, consecutiveFailures,
                maxConsecutiveFailures, e);
        if (consecutiveFailures >= maxConsecutiveFailures) {
            disabled = true;
            releaseCopy();
            LOG.error("HessianBlockListener disabled itself after {} consecutive failures; no further Hessian probes "
                    + "will run in this training", consecutiveFailures);
        }
    }

    /** The reports so far, oldest first (a snapshot). */
    public List<BlockHessianReport> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    /** True once the listener has disabled itself after repeated failures. */
    public boolean isDisabled() {
        return disabled;
    }

    /** Failures since the last successful probe. */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** The probe batch (given or captured), or null before the first minibatch. */
    public MultiDataSet probeBatch() {
        return probeBatch;
    }

    public HessianBlockEstimator estimator() {
        return estimator;
    }

    /** Iterations between probes, or 0 when the listener keeps to a time budget ({@link #maxOverhead()}). */
    public int frequency() {
        return frequency;
    }

    /** The time budget (fraction of training wall time), or 0 with a fixed frequency. */
    public double maxOverhead() {
        return frequency > 0 ? 0 : maxOverhead;
    }

    @Override
    public String toString() {
        String schedule = frequency > 0 ? "every " + frequency + " iterations"
                : "within " + (100 * maxOverhead) + "% of training time";
        return "HessianBlockListener[" + schedule + ", " + estimator + ", " + sinks.size()
                + " sinks" + (disabled ? ", disabled" : "") + "]";
    }

    /** Builder; every setter validates its value and names the allowed range when it rejects one. */
    public static final class Builder {
        private HessianBlockEstimator estimator = HessianBlockEstimator.builder().build();
        private int frequency;
        private double maxOverhead = DEFAULT_MAX_OVERHEAD;
        private boolean overheadSet;
        private final LongSupplier clock = System::nanoTime;
        private int maxConsecutiveFailures = DEFAULT_MAX_CONSECUTIVE_FAILURES;
        private final List<ReportSink> sinks = new ArrayList<>();
        private MultiDataSet probeBatch;

        private Builder() {
        }

        /** The estimator (default: {@code HessianBlockEstimator.builder().build()}). */
        public Builder estimator(HessianBlockEstimator estimator) {
            this.estimator = Checks.notNull("estimator", estimator);
            return this;
        }

        /**
         * Probe at iterations 0, f, 2f, ... whatever a probe costs; f >= 1. Exclusive with {@link #maxOverhead}.
         */
        public Builder frequency(int frequency) {
            this.frequency = Checks.atLeast("frequency", frequency, 1);
            return this;
        }

        /**
         * Keep probes within this fraction of the training wall time, in (0, 1] (default
         * {@value HessianBlockListener#DEFAULT_MAX_OVERHEAD}). Exclusive with {@link #frequency}.
         */
        public Builder maxOverhead(double maxOverhead) {
            this.maxOverhead = Checks.inLeftOpen("maxOverhead", maxOverhead, 0, 1);
            this.overheadSet = true;
            return this;
        }

        /** A fixed probe batch (copied); default: the first training minibatch. */
        public Builder probeBatch(DataSet batch) {
            if (batch == null || batch.getFeatures() == null || batch.getLabels() == null) {
                throw new IllegalArgumentException("the probe batch needs features and labels, got " + batch);
            }
            this.probeBatch = ProbeBatches.toMulti(batch);
            return this;
        }

        /** A fixed probe batch for graphs with several inputs or outputs (copied). */
        public Builder probeBatch(MultiDataSet batch) {
            if (batch == null || batch.getFeatures() == null || batch.getLabels() == null) {
                throw new IllegalArgumentException("the probe batch needs features and labels, got " + batch);
            }
            this.probeBatch = batch;
            return this;
        }

        /** Adds a sink for every report. */
        public Builder sink(ReportSink sink) {
            sinks.add(Checks.notNull("sink", sink));
            return this;
        }

        /** Disable after this many failed probes in a row, >= 1 (default 3). */
        public Builder maxConsecutiveFailures(int maxConsecutiveFailures) {
            this.maxConsecutiveFailures = Checks.atLeast("maxConsecutiveFailures", maxConsecutiveFailures, 1);
            return this;
        }

        public HessianBlockListener build() {
            if (frequency > 0 && overheadSet) {
                throw new IllegalArgumentException("set either frequency (" + frequency + ") or maxOverhead ("
                        + maxOverhead + "), not both");
            }
            return new HessianBlockListener(this);
        }
    }
}
