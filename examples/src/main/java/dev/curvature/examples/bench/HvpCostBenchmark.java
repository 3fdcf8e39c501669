package dev.curvature.examples.bench;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.hessian.ProbeCopy;
import dev.curvature.hessian.math.FiniteDifferenceHvp;
import dev.curvature.hessian.math.GradientFunction;
import dev.curvature.hessian.math.Rademacher;
import dev.curvature.examples.Args;
import dev.curvature.examples.SyntheticTask;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Cost of Hessian probes on an MLP 784-256-256-10 (FLOAT training, batch 64):
 * <ol>
 *   <li>one Hessian-vector product (central differences on the DOUBLE probe copy) in units of one gradient
 *       evaluation on the same copy, and in units of one FLOAT training gradient;</li>
 *   <li>the listener's overhead with its default schedule (a 5% time budget): probe time over training time as
 *       the listener accounts it, and the wall times of whole runs with and without the listener (best of
 *       {@code rounds}; noisy on a shared machine).</li>
 * </ol>
 * Prints a table and writes {@code hvp-cost.csv}. Not a unit test (about a minute per round with the defaults).
 * ({@code OMP_NUM_THREADS=1} keeps timings stable on a shared 2-core machine.)
 */
public final class HvpCostBenchmark {
    private static final int BATCH = 64;

    private HvpCostBenchmark() {
    }

    static MultiLayerNetwork mlp() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU).updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(256).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(256).nOut(256).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(256).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private record Row(String measure, double value, String unit) {
    }

    public static final String HELP = """
            bench-hvp: cost of Hessian probes on an MLP 784-256-256-10 trained with DL4J Adam (batch 64): one
                       Hessian-vector product in gradient evaluations, probe time, and the listener's overhead with
                       its default schedule (5% time budget) against the same training without it.
              --iterations N   training iterations per overhead run (default 4000)
              --rounds N       overhead rounds, best of (default 2)
              --reps N         timed gradient/HVP calls (default 60)
              --out DIR        where to write hvp-cost.csv (default target/benchmarks)
            """;

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv, java.util.Set.of("iterations", "rounds", "reps", "out"), java.util.Set.of("help"));
        if (args.flag("help")) {
            System.out.print(HELP);
            return;
        }
        int iterations = args.getInt("iterations", 4000, 1);
        int rounds = args.getInt("rounds", 2, 1);
        int reps = args.getInt("reps", 60, 1);
        Path out = Path.of(args.get("out", "target/benchmarks")).resolve("hvp-cost.csv");
        List<DataSet> batches = SyntheticTask.make(7, 16 * BATCH, BATCH, 784, 10)[0].batchBy(BATCH);
        List<Row> rows = new ArrayList<>();

        // 1. one Hessian-vector product in gradient evaluations
        System.out.println("[bench-hvp] 1/3 gradient and Hessian-vector product timings (" + reps + " calls each)");
        MultiLayerNetwork net = mlp();
        for (int i = 0; i < 20; i++) {
            net.fit(batches.get(i % batches.size()));
        }
        ProbeCopy copy = ProbeCopy.of(net, batches.get(0));
        GradientFunction gradient = copy.gradientFunction();
        INDArray theta = copy.parameters().dup();
        FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(gradient, theta, FiniteDifferenceHvp.DEFAULT_RELATIVE_STEP);
        INDArray v;
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(1)) {
            v = Rademacher.sample(DataType.DOUBLE, theta.length(), rng);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // interleaved single calls, medians: robust to other load on the machine
        double[] grad = new double[reps];
        double[] product = new double[reps];
        double[] floatGrad = new double[reps];
        for (int warmup = 0; warmup < 5; warmup++) {
            gradient.gradient(theta).close();
            hvp.apply(v).close();
        }
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            gradient.gradient(theta).close();
            long t1 = System.nanoTime();
            hvp.apply(v).close();
            long t2 = System.nanoTime();
            net.setInput(batches.get(0).getFeatures());
            net.setLabels(batches.get(0).getLabels());
            net.computeGradientAndScore();
            long t3 = System.nanoTime();
            grad[i] = (t1 - t0) / 1e6;
            product[i] = (t2 - t1) / 1e6;
            floatGrad[i] = (t3 - t2) / 1e6;
        }
        double gradMs = median(grad);
        double hvpMs = median(product);
        double floatGradMs = median(floatGrad);
        rows.add(new Row("parameters", net.numParams(), "count"));
        rows.add(new Row("gradient evaluation, DOUBLE probe copy (median)", gradMs, "ms"));
        rows.add(new Row("gradient evaluation, FLOAT training net (median)", floatGradMs, "ms"));
        rows.add(new Row("Hessian-vector product (median)", hvpMs, "ms"));
        rows.add(new Row("HVP cost in DOUBLE gradient evaluations", hvpMs / gradMs, "x"));
        rows.add(new Row("HVP cost in FLOAT training gradients", hvpMs / floatGradMs, "x"));

        // 2. probe cost against the number of probes per block (the products grow linearly with it)
        System.out.println("[bench-hvp] 2/3 probe time for 1, 2, 4 probes per block");
        for (int probes : new int[] {1, 2, 4}) {
            HessianBlockEstimator e = HessianBlockEstimator.builder().probesPerBlock(probes).build();
            e.estimate(net, batches.get(0)); // warm-up
            double[] ms = new double[3];
            long products = 0;
            for (int r = 0; r < ms.length; r++) {
                BlockHessianReport report = e.estimate(net, batches.get(0));
                ms[r] = report.elapsed().toNanos() / 1e6;
                products = report.hessianVectorProducts();
            }
            rows.add(new Row("probe time, " + probes + " probes per block (" + products + " products)", median(ms), "ms"));
        }

        // 3. listener overhead with the default schedule (a time budget): the listener's own accounting of probe
        // time over training time, and whole-run wall times (noisy on a shared machine).
        double[] plain = null;
        double[] probed = null;
        List<BlockHessianReport> reports = List.of();
        double bestPlain = Double.POSITIVE_INFINITY;
        double bestProbed = Double.POSITIVE_INFINITY;
        double accounted = Double.NaN;
        for (int round = 0; round < rounds; round++) {
            System.out.printf(Locale.ROOT, "[bench-hvp] 3/3 listener overhead, round %d/%d: %d iterations without and"
                    + " with the listener%n", round + 1, rounds, iterations);
            plain = train(batches, iterations, null);
            HessianBlockListener listener = HessianBlockListener.builder().build();
            probed = train(batches, iterations, listener);
            reports = listener.history();
            accounted = 100.0 * listener.probeNanos() / listener.trainingNanos();
            bestPlain = Math.min(bestPlain, sum(plain));
            bestProbed = Math.min(bestProbed, sum(probed));
        }
        double probeMs = reports.stream().mapToDouble(r -> r.elapsed().toNanos() / 1e6).average().orElse(Double.NaN);
        HessianBlockEstimator defaults = HessianBlockListener.builder().build().estimator();
        rows.add(new Row("training iterations per run", iterations, "count"));
        rows.add(new Row("default schedule: time budget", 100 * HessianBlockListener.DEFAULT_MAX_OVERHEAD, "%"));
        rows.add(new Row("probes run", reports.size(), "count"));
        rows.add(new Row("median training iteration without listener", median(plain), "ms"));
        rows.add(new Row("median training iteration with listener", median(probed), "ms"));
        rows.add(new Row("one probe (default estimator, from the reports)", probeMs, "ms"));
        rows.add(new Row("Hessian-vector products per probe",
                reports.isEmpty() ? Double.NaN : reports.get(0).hessianVectorProducts(), "count"));
        rows.add(new Row("overhead: probe time / training time (listener's accounting)", accounted, "%"));
        rows.add(new Row("wall time without listener (best of " + rounds + ")", bestPlain, "ms"));
        rows.add(new Row("wall time with listener (best of " + rounds + ")", bestProbed, "ms"));
        rows.add(new Row("overhead from wall times (noisy on a shared machine)",
                100 * (bestProbed - bestPlain) / bestPlain, "%"));

        System.out.println("HvpCostBenchmark: MLP 784-256-256-10, batch " + BATCH + ", default estimator " + defaults);
        System.out.printf(Locale.ROOT, "%-58s %14s  %s%n", "measure", "value", "unit");
        StringBuilder csv = new StringBuilder("measure,value,unit\n");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-58s %14.3f  %s%n", r.measure(), r.value(), r.unit());
            csv.append('"').append(r.measure()).append("\",").append(String.format(Locale.ROOT, "%.6f", r.value()))
                    .append(',').append(r.unit()).append('\n');
        }
        Files.createDirectories(out.getParent());
        Files.writeString(out, csv);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    /** Time in ms of each of {@code iterations} training steps (iterations 1..n) of a fresh seeded network. */
    private static double[] train(List<DataSet> batches, int iterations, HessianBlockListener listener) {
        MultiLayerNetwork net = mlp();
        if (listener != null) {
            net.setListeners(listener);
        }
        net.fit(batches.get(0)); // iteration 0 (updater creation, workspaces, first probe) is not timed
        double[] ms = new double[iterations];
        for (int i = 1; i <= iterations; i++) {
            long t0 = System.nanoTime();
            net.fit(batches.get(i % batches.size()));
            ms[i - 1] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    private static double sum(double[] a) {
        return java.util.Arrays.stream(a).sum();
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }
}
