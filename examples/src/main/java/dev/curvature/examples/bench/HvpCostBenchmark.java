package dev.curvature.examples.bench;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.hessian.internal.ProbeCopy;
import dev.curvature.hessian.math.FiniteDifferenceHvp;
import dev.curvature.hessian.math.Rademacher;
import dev.curvature.examples.Args;
import dev.curvature.examples.Networks;
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
 * Cost of Hessian probes (FLOAT training, batch 64, DOUBLE probe copies), in one run:
 * <ol>
 *   <li>exact products against plain central differences, on the MLP 784-256-256-10 and on {@code compare}'s CNN
 *       (c16-pool-c32-pool-d128-10): one gradient evaluation of the plain and of the frozen probe copy, one product of
 *       each (in units of a plain copy's gradient evaluation: the floor for central differences is 2), and the
 *       recording of the kinks against a default 66-product probe; calls interleaved, medians;</li>
 *   <li>the probe time of the default estimator for 1, 2 and 4 probes per block (MLP);</li>
 *   <li>the listener's overhead with its default schedule (a 5% time budget) by wall time: the median over
 *       {@code rounds} interleaved pairs of whole runs with and without the listener, first iteration and first probe
 *       included, against the listener's own accounting (probe time over training time).</li>
 * </ol>
 * Prints a table and writes {@code hvp-cost.csv}. Not a unit test (minutes with the defaults).
 */
public final class HvpCostBenchmark {
    private static final int BATCH = 64;
    /** Products of a probe with the default estimator (2 probes x 24 blocks + 10 Lanczos + 8 Hutchinson). */
    private static final int DEFAULT_PRODUCTS = 66;

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
            bench-hvp: cost of Hessian probes (batch 64): exact (frozen-kink) products against plain central
                       differences on the MLP 784-256-256-10 and the compare CNN, probe time, and the listener's
                       overhead with its default schedule (5% time budget) by wall time, against the same training
                       without it.
              --iterations N   training iterations per overhead run (default 10000)
              --rounds N       interleaved overhead rounds, median of (default 3)
              --reps N         timed gradient/product calls (default 40)
              --out DIR        where to write hvp-cost.csv (default target/benchmarks)
            """;

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv, java.util.Set.of("iterations", "rounds", "reps", "out"), java.util.Set.of("help"));
        if (args.flag("help")) {
            System.out.print(HELP);
            return;
        }
        int iterations = args.getInt("iterations", 10000, 1);
        int rounds = args.getInt("rounds", 3, 1);
        int reps = args.getInt("reps", 40, 1);
        Path out = Path.of(args.get("out", "target/benchmarks")).resolve("hvp-cost.csv");
        List<DataSet> batches = SyntheticTask.make(7, 16 * BATCH, BATCH, 784, 10)[0].batchBy(BATCH);
        List<Row> rows = new ArrayList<>();

        // 1. exact products against plain central differences, on the MLP and the CNN
        MultiLayerNetwork net = mlp();
        for (int i = 0; i < 20; i++) {
            net.fit(batches.get(i % batches.size()));
        }
        MultiLayerNetwork cnn = Networks.build(Networks.Kind.CNN, new Adam(1e-3), 10, 42, 0);
        for (int i = 0; i < 5; i++) {
            cnn.fit(batches.get(i % batches.size()));
        }
        for (MultiLayerNetwork model : List.of(net, cnn)) {
            String label = model == net ? "MLP" : "CNN";
            System.out.println("[bench-hvp] 1/3 " + label + ": gradients and products, frozen and plain (" + reps
                    + " interleaved calls each)");
            rows.addAll(productCosts(label, model, batches.get(0), reps));
        }
        rows.add(0, new Row("MLP parameters", net.numParams(), "count"));
        rows.add(1, new Row("CNN parameters", cnn.numParams(), "count"));

        // 2. probe cost against the number of probes per block (the products grow linearly with it)
        System.out.println("[bench-hvp] 2/3 probe time for 1, 2, 4 probes per block (MLP)");
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
            rows.add(new Row("MLP probe time, " + probes + " probes per block (" + products + " products)",
                    median(ms), "ms"));
        }

        // 3. listener overhead with the default schedule (a time budget), by wall time and by its own accounting
        double[] plainWall = new double[rounds];
        double[] probedWall = new double[rounds];
        double[] accounted = new double[rounds];
        int probes = 0;
        double probeMs = Double.NaN;
        train(batches, Math.min(iterations, 500), null); // warm-up of both code paths before the timed rounds
        train(batches, Math.min(iterations, 500), HessianBlockListener.builder().build());
        for (int round = 0; round < rounds; round++) {
            System.out.printf(Locale.ROOT, "[bench-hvp] 3/3 listener overhead, round %d/%d: %d iterations without and"
                    + " with the listener%n", round + 1, rounds, iterations);
            plainWall[round] = train(batches, iterations, null);
            HessianBlockListener listener = HessianBlockListener.builder().build();
            probedWall[round] = train(batches, iterations, listener);
            accounted[round] = 100.0 * listener.probeNanos() / listener.trainingNanos();
            probes = listener.history().size();
            probeMs = listener.history().stream().mapToDouble(r -> r.elapsed().toNanos() / 1e6).average()
                    .orElse(Double.NaN);
        }
        double[] overhead = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            overhead[r] = 100 * (probedWall[r] - plainWall[r]) / plainWall[r];
        }
        rows.add(new Row("training iterations per run", iterations, "count"));
        rows.add(new Row("default schedule: time budget", 100 * HessianBlockListener.DEFAULT_MAX_OVERHEAD, "%"));
        rows.add(new Row("probes run (last round)", probes, "count"));
        rows.add(new Row("one probe (default estimator, last round's mean)", probeMs, "ms"));
        rows.add(new Row("wall time without listener (median of " + rounds + ")", median(plainWall), "ms"));
        rows.add(new Row("wall time with listener (median of " + rounds + ")", median(probedWall), "ms"));
        rows.add(new Row("overhead by wall time (median of " + rounds + " interleaved pairs)", median(overhead), "%"));
        rows.add(new Row("overhead by the listener's accounting (median)", median(accounted), "%"));

        System.out.println("HvpCostBenchmark: batch " + BATCH + ", default estimator "
                + HessianBlockListener.builder().build().estimator());
        System.out.printf(Locale.ROOT, "%-72s %14s  %s%n", "measure", "value", "unit");
        StringBuilder csv = new StringBuilder("measure,value,unit\n");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-72s %14.3f  %s%n", r.measure(), r.value(), r.unit());
            csv.append('"').append(r.measure()).append("\",").append(String.format(Locale.ROOT, "%.6f", r.value()))
                    .append(',').append(r.unit()).append('\n');
        }
        Files.createDirectories(out.getParent());
        Files.writeString(out, csv);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    /**
     * Gradient and product costs of the plain and the frozen probe copy of {@code model}, interleaved single calls
     * (medians are robust to other load on the machine), and the recording against a default probe.
     */
    private static List<Row> productCosts(String label, MultiLayerNetwork model, DataSet batch, int reps) {
        org.nd4j.linalg.dataset.api.MultiDataSet multi = new org.nd4j.linalg.dataset.MultiDataSet(batch.getFeatures(),
                batch.getLabels());
        try (ProbeCopy plain = ProbeCopy.of(model, multi, false);
             ProbeCopy frozen = ProbeCopy.of(model, multi, true)) {
            INDArray theta = plain.parameters().dup();
            plain.record(theta).close();
            frozen.record(theta).close();
            FiniteDifferenceHvp plainHvp = new FiniteDifferenceHvp(plain.gradientFunction(), theta,
                    FiniteDifferenceHvp.DEFAULT_RELATIVE_STEP);
            FiniteDifferenceHvp frozenHvp = new FiniteDifferenceHvp(frozen.gradientFunction(), theta,
                    FiniteDifferenceHvp.DEFAULT_RELATIVE_STEP);
            INDArray v;
            try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(1)) {
                v = Rademacher.sample(DataType.DOUBLE, theta.length(), rng);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            double[] plainGrad = new double[reps];
            double[] frozenGrad = new double[reps];
            double[] plainProduct = new double[reps];
            double[] frozenProduct = new double[reps];
            double[] recording = new double[reps];
            for (int i = -5; i < reps; i++) { // 5 warm-up rounds
                long t0 = System.nanoTime();
                plain.gradientFunction().gradient(theta).close();
                long t1 = System.nanoTime();
                frozen.gradientFunction().gradient(theta).close();
                long t2 = System.nanoTime();
                plainHvp.apply(v).close();
                long t3 = System.nanoTime();
                frozenHvp.apply(v).close();
                long t4 = System.nanoTime();
                frozen.record(theta).close();
                long t5 = System.nanoTime();
                if (i >= 0) {
                    plainGrad[i] = (t1 - t0) / 1e6;
                    frozenGrad[i] = (t2 - t1) / 1e6;
                    plainProduct[i] = (t3 - t2) / 1e6;
                    frozenProduct[i] = (t4 - t3) / 1e6;
                    recording[i] = (t5 - t4) / 1e6;
                }
            }
            double g = median(plainGrad);
            double probe = DEFAULT_PRODUCTS * median(frozenProduct);
            return List.of(
                    new Row(label + " gradient evaluation, plain DOUBLE probe copy (median)", g, "ms"),
                    new Row(label + " gradient evaluation, frozen probe copy (median)", median(frozenGrad), "ms"),
                    new Row(label + " product, plain central differences (median)", median(plainProduct), "ms"),
                    new Row(label + " product, exact (frozen kinks) (median)", median(frozenProduct), "ms"),
                    new Row(label + " product cost, plain, in plain gradient evaluations", median(plainProduct) / g, "x"),
                    new Row(label + " product cost, exact, in plain gradient evaluations", median(frozenProduct) / g, "x"),
                    new Row(label + " recording the kinks (median)", median(recording), "ms"),
                    new Row(label + " kinked calls recorded", frozen.recordedCalls(), "count"),
                    new Row(label + " recording / 66 exact products", 100 * median(recording) / probe, "%"));
        }
    }

    /** Wall time in ms of a whole run of {@code iterations} steps of a fresh seeded network, first step included. */
    private static double train(List<DataSet> batches, int iterations, HessianBlockListener listener) {
        MultiLayerNetwork net = mlp();
        if (listener != null) {
            net.setListeners(listener);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            net.fit(batches.get(i % batches.size()));
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }
}
