package dev.curvature.examples;

import dev.curvature.examples.data.FashionMnist;
import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.hessian.sink.CsvReportSink;
import dev.curvature.hessian.sink.Slf4jReportSink;
import dev.curvature.hessian.ui.HessianUi;
import dev.curvature.optimizers.OptimizerMemory;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * One network, one seed, every optimizer of a {@link Compare} run, trained so that the timings are comparable.
 * <ul>
 *   <li>Warm-up: before anything is timed, each optimizer trains {@code warmup} steps on a throwaway copy of its
 *       network (same configuration and batches), so the JIT and ND4J's first-call costs fall on no timed step.</li>
 *   <li>Interleaved rounds: a round trains every optimizer up to its next evaluation point; the order rotates by one
 *       each round, so a slow spell of a shared machine falls on all optimizers alike and none always goes first.</li>
 *   <li>Timing: training seconds and {@code ms/step} count {@code net.fit} only, minus the Hessian listener's probe
 *       time; evaluation is outside the clock; {@code ms/step} is the median over the steps without a probe.</li>
 * </ul>
 * Every optimizer sees the same batches in the same order (one permutation per epoch from the seed).
 */
final class CompareRounds {
    /** One training step in the order it ran: warm-up (on the throwaway copy) or timed. */
    record Event(String model, long seed, String optimizer, boolean warmup, int step) {
    }

    private final Networks.Kind model;
    private final String tag;
    private final Compare.Data data;
    private final Compare.Settings s;
    private final long seed;
    private final int stepsPerEpoch;
    private final int totalSteps;
    private final Map<Integer, int[]> orders = new HashMap<>();

    CompareRounds(Networks.Kind model, Compare.Data data, Compare.Settings settings, long seed) {
        this.model = model;
        this.tag = model.name().toLowerCase(Locale.ROOT);
        this.data = data;
        this.s = settings;
        this.seed = seed;
        int n = data.train().numExamples();
        this.stepsPerEpoch = (n + s.batch() - 1) / s.batch();
        this.totalSteps = stepsPerEpoch * s.epochs();
    }

    int totalSteps() {
        return totalSteps;
    }

    /** Steps between evaluations: {@code --eval-every}, or a tenth of the run (so at least 10 points). */
    int evalEvery() {
        return s.evalEvery() > 0 ? s.evalEvery() : Math.max(1, totalSteps / 10);
    }

    /** Trains every optimizer of {@code optimizers}; appends curve points, timeline events and written files. */
    List<Compare.Summary> run(Map<String, Compare.OptimizerChoice> optimizers, List<Compare.Point> points,
                              List<Event> timeline, List<Path> files) throws IOException {
        List<Runner> runners = new ArrayList<>();
        for (Map.Entry<String, Compare.OptimizerChoice> e : optimizers.entrySet()) {
            warmUp(e.getKey(), e.getValue(), timeline);
        }
        for (Map.Entry<String, Compare.OptimizerChoice> e : optimizers.entrySet()) {
            runners.add(new Runner(e.getKey(), e.getValue(), files, points));
        }
        int every = evalEvery();
        int rounds = (totalSteps + every - 1) / every;
        for (int r = 0; r < rounds; r++) {
            int until = Math.min(totalSteps, (r + 1) * every);
            for (int k = 0; k < runners.size(); k++) {
                runners.get((r + k) % runners.size()).advance(until, points, timeline);
            }
        }
        return runners.stream().map(Runner::summary).toList();
    }

    private void warmUp(String name, Compare.OptimizerChoice choice, List<Event> timeline) {
        if (s.warmup() == 0) {
            return;
        }
        MultiLayerNetwork copy = Networks.build(model, choice.updater().clone(), FashionMnist.CLASSES, seed,
                choice.dl4jWeightDecay());
        for (int step = 0; step < s.warmup(); step++) {
            copy.fit(batch(step % totalSteps));
            timeline.add(new Event(tag, seed, name, true, step + 1));
        }
    }

    /** The batch of global step {@code step} (0-based): the same for every optimizer. */
    private DataSet batch(int step) {
        int epoch = step / stepsPerEpoch + 1;
        int[] order = orders.computeIfAbsent(epoch, e -> permutation(data.train().numExamples(),
                new Random(seed * 31 + e)));
        int start = (step % stepsPerEpoch) * s.batch();
        return data.train().get(Arrays.copyOfRange(order, start, Math.min(order.length, start + s.batch())));
    }

    static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The state of one optimizer's run between rounds. */
    private final class Runner {
        private final String name;
        private final Compare.OptimizerChoice choice;
        private final MultiLayerNetwork net;
        private final HessianBlockListener hessian;
        private final double[] stepNanos = new double[totalSteps];
        private int timedSteps;
        private long trainNanos;
        private long probeNanos;
        private double lossSum;
        private int lossCount;
        private int step;
        private int stepsToTarget = -1;
        private double secondsToTarget = Double.NaN;
        private long stateBytes = -1;
        private Compare.Point last;
        private double best;

        Runner(String name, Compare.OptimizerChoice choice, List<Path> files, List<Compare.Point> points)
                throws IOException {
            this.name = name;
            this.choice = choice;
            this.net = Networks.build(model, choice.updater().clone(), FashionMnist.CLASSES, seed,
                    choice.dl4jWeightDecay());
            List<TrainingListener> listeners = new ArrayList<>();
            if (s.hessian()) {
                HessianBlockListener.Builder b = HessianBlockListener.builder().estimator(s.estimator())
                        .sink(new Slf4jReportSink());
                if (s.hessianEvery() > 0) {
                    b.frequency(s.hessianEvery());
                }
                Path csv = s.out().resolve("hessian-" + tag + "-" + name
                        + (s.seeds() > 1 ? "-seed" + seed : "") + ".csv");
                b.sink(new CsvReportSink(csv));
                files.add(csv);
                if (s.uiStorage() != null) {
                    StatsListener stats = new StatsListener(s.uiStorage());
                    listeners.add(stats);
                    HessianUi.attach(b, s.uiStorage(), stats.getSessionID(), label());
                }
                hessian = b.build();
                listeners.add(hessian);
            } else {
                hessian = null;
            }
            net.setListeners(listeners);
            double[] initial = Compare.evaluate(net, data.test());
            points.add(new Compare.Point(tag, name, seed, 0, 0, 0, Double.NaN, initial[0], initial[1]));
        }

        /** The session label in the UI: network, optimizer, its settings and the seed. */
        String label() {
            return model.name() + " " + name + " (" + choice.settings() + "), seed " + seed;
        }

        void advance(int until, List<Compare.Point> points, List<Event> timeline) {
            while (step < until) {
                DataSet batch = batch(step);
                long probeBefore = hessian == null ? 0 : hessian.probeNanos();
                long t0 = System.nanoTime();
                net.fit(batch);
                long elapsed = System.nanoTime() - t0;
                long probe = hessian == null ? 0 : hessian.probeNanos() - probeBefore;
                trainNanos += elapsed - probe;
                probeNanos += probe;
                if (probe == 0) {
                    stepNanos[timedSteps++] = elapsed;
                }
                if (stateBytes < 0) {
                    stateBytes = OptimizerMemory.stateBytes(net);
                }
                // DL4J's score adds the weight-decay penalty; report the data loss (penalty taken at the updated
                // parameters, which differ from the scored ones by one step)
                lossSum += net.score() - net.calcRegularizationScore(true);
                lossCount++;
                step++;
                timeline.add(new Event(tag, seed, name, false, step));
            }
            evaluate(points);
        }

        private void evaluate(List<Compare.Point> points) {
            double[] eval = Compare.evaluate(net, data.test());
            int epoch = (step - 1) / stepsPerEpoch + 1;
            last = new Compare.Point(tag, name, seed, step, epoch, trainNanos / 1e9, lossSum / lossCount, eval[0],
                    eval[1]);
            points.add(last);
            best = Math.max(best, eval[1]);
            lossSum = 0;
            lossCount = 0;
            if (stepsToTarget < 0 && eval[1] >= s.target()) {
                stepsToTarget = step;
                secondsToTarget = last.trainSeconds();
            }
            System.out.printf(Locale.ROOT, "[%-8s %s seed %d] step %5d/%d  epoch %d  train loss %.4f  test loss %.4f"
                            + "  test acc %.4f  %.1fs%s%n", name, tag, seed, step, totalSteps, epoch,
                    last.trainLoss(), last.testLoss(), last.testAccuracy(), last.trainSeconds(),
                    hessian == null || hessian.history().isEmpty() ? "" : String.format(Locale.ROOT,
                            "  Hessian pairwiseRatio %.4f",
                            hessian.history().get(hessian.history().size() - 1).pairwiseRatio()));
        }

        Compare.Summary summary() {
            double[] sorted = Arrays.copyOf(stepNanos, timedSteps);
            Arrays.sort(sorted);
            double msPerStep = timedSteps == 0 ? Double.NaN : sorted[timedSteps / 2] / 1e6;
            return new Compare.Summary(tag, name, choice.settings(), seed, last.testAccuracy(), best,
                    last.testLoss(), stepsToTarget, secondsToTarget, stateBytes, msPerStep, step, trainNanos / 1e9,
                    probeNanos / 1e9, hessian == null ? List.of() : hessian.history());
        }
    }
}
