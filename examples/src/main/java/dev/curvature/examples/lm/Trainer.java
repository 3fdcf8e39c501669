package dev.curvature.examples.lm;

import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.optimizers.OptimizerMemory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains a language model on random training windows (the same sequence of batches for every optimizer given the
 * same seed) and evaluates the validation loss at fixed steps. Training time excludes the first
 * {@value #WARMUP_STEPS} steps (JIT and workspace warm-up), Hessian probes and evaluations.
 */
public final class Trainer {
    /** Steps at the start whose time is not counted. */
    public static final int WARMUP_STEPS = 10;
    /** Validation examples per forward pass. */
    static final int EVAL_CHUNK = 256;

    private Trainer() {
    }

    /** One evaluation point; {@code trainLoss} is the mean training loss since the previous point. */
    public record Point(String optimizer, int classes, int step, double trainSeconds, double trainLoss,
                        double valLoss) {
        public double valPerplexity() {
            return Math.exp(valLoss);
        }
    }

    /** What one run measured. */
    public record Run(List<Point> points, long stateBytes, double msPerStep, double trainSeconds) {
        public Point last() {
            return points.get(points.size() - 1);
        }
    }

    /**
     * Trains {@code graph} for {@code steps} steps of {@code batch} windows; evaluates on {@code validation} at step 0,
     * every {@code evalEvery} steps and at the end. {@code hessian} (may be null) is the Hessian listener attached to
     * the graph, whose probe time is excluded. {@code log} receives a progress line per evaluation.
     */
    public static Run train(String name, ComputationGraph graph, Windows windows, int steps, int batch, int evalEvery,
                            long seed, MultiDataSet validation, HessianBlockListener hessian, Consumer<String> log) {
        int classes = (int) graph.getLayer(LmModel.OUTPUT).getParam("W").size(1);
        Random random = new Random(seed);
        List<Point> points = new ArrayList<>();
        points.add(new Point(name, classes, 0, 0, Double.NaN, validationLoss(graph, validation)));
        double[] stepNanos = new double[steps];
        int timed = 0;
        long trainNanos = 0;
        long stateBytes = -1;
        double lossSum = 0;
        int lossCount = 0;
        for (int step = 1; step <= steps; step++) {
            MultiDataSet b = windows.randomTrainBatch(batch, random);
            long probeBefore = hessian == null ? 0 : hessian.probeNanos();
            // DL4J's score adds the weight-decay penalty at the parameters the gradient is taken at: remove that one
            double penalty = graph.calcRegularizationScore(true);
            long t0 = System.nanoTime();
            graph.fit(b);
            long elapsed = System.nanoTime() - t0;
            long probe = hessian == null ? 0 : hessian.probeNanos() - probeBefore;
            if (step > WARMUP_STEPS) {
                trainNanos += elapsed - probe;
                if (probe == 0) {
                    stepNanos[timed++] = elapsed;
                }
            }
            if (stateBytes < 0) {
                stateBytes = OptimizerMemory.stateBytes(graph);
            }
            lossSum += graph.score() - penalty;
            lossCount++;
            if (step % evalEvery == 0 || step == steps) {
                Point p = new Point(name, classes, step, trainNanos / 1e9, lossSum / lossCount,
                        validationLoss(graph, validation));
                points.add(p);
                lossSum = 0;
                lossCount = 0;
                log.accept(String.format(Locale.ROOT, "[%-8s C=%d] step %5d/%d  train loss %.4f  val loss %.4f"
                                + "  val ppl %9.2f  %.1fs", name, classes, step, steps, p.trainLoss(), p.valLoss(),
                        p.valPerplexity(), p.trainSeconds()));
            }
        }
        double[] sorted = Arrays.copyOf(stepNanos, timed);
        Arrays.sort(sorted);
        double ms = timed == 0 ? Double.NaN : sorted[timed / 2] / 1e6;
        return new Run(points, stateBytes, ms, trainNanos / 1e9);
    }

    /** Mean cross-entropy (natural log) of the next token over {@code validation}. */
    public static double validationLoss(ComputationGraph graph, MultiDataSet validation) {
        long n = validation.getFeatures(0).size(0);
        double sum = 0;
        for (long start = 0; start < n; start += EVAL_CHUNK) {
            long end = Math.min(n, start + EVAL_CHUNK);
            INDArray x = validation.getFeatures(0).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(start, end));
            INDArray p = validation.getFeatures(1).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(start, end));
            INDArray y = validation.getLabels(0);
            INDArray probs = graph.output(false, x, p)[0].dup('c');
            int[] targets = y.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(start, end),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(0)).toIntVector();
            long classes = probs.size(1);
            long[] flat = new long[targets.length];
            for (int k = 0; k < targets.length; k++) {
                flat[k] = k * classes + targets[k]; // row-major position of (k, target k)
            }
            INDArray picked = probs.reshape(probs.length()).get(org.nd4j.linalg.indexing.NDArrayIndex.indices(flat));
            sum -= org.nd4j.linalg.ops.transforms.Transforms.log(
                    org.nd4j.linalg.ops.transforms.Transforms.max(picked, 1e-30, false), false).sumNumber().doubleValue();
        }
        return sum / n;
    }
}
