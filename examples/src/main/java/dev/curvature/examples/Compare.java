package dev.curvature.examples;

import dev.curvature.examples.data.FashionMnist;
import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.hessian.sink.CsvReportSink;
import dev.curvature.hessian.sink.Slf4jReportSink;
import dev.curvature.hessian.ui.HessianUi;
import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.Muon;
import dev.curvature.optimizers.OptimizerMemory;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.api.UIServer;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Trains the same network with DL4J's Adam, Adam with decoupled weight decay, Adam-mini and Muon on Fashion-MNIST
 * (or a synthetic 10-class task when the data is absent) and reports, per optimizer, test accuracy and loss against
 * steps and training time, optimizer-state bytes and time per step. Writes CSV and one PNG per network.
 */
public final class Compare {
    private Compare() {
    }

    public static final String HELP = """
            compare: DL4J Adam, Adam + decoupled weight decay, Adam-mini and Muon on the same network and batches.
              --data DIR          Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist, from the Debian
                                  package dataset-fashion-mnist); when absent: a synthetic 10-class task, said so
              --synthetic         use the synthetic task even when Fashion-MNIST is there
              --model M           mlp, cnn or both (default mlp)
              --optimizers LIST   any of adam,adamw,adammini,muon (default all four)
              --epochs N          epochs (default 3)
              --train N           training examples used (default all)
              --test N            test examples used (default all)
              --batch N           minibatch size (default 128)
              --eval-every N      steps between test evaluations (default 100)
              --lr-adam X         DL4J Adam (default 0.001)
              --lr-adamw X        Adam with decoupled weight decay (default 0.001)
              --wd X              decoupled weight decay of adamw (default 0.05; DL4J WeightDecay with applyLR)
              --lr-adammini X     Adam-mini (default 0.001)
              --lr-muon X         Muon on the hidden weight matrices (default 0.02)
              --lr-muon-aux X     Muon's auxiliary Adam for biases and the output layer (default: --lr-adam)
              --target X          test accuracy whose first crossing is reported (default 0.88)
              --hessian           attach the Hessian block listener (default schedule: at most 5% of training time)
              --hessian-every N   with --hessian: probe every N iterations instead
              --hessian-blocks N  blocks probed per probe (default 24 of the per-output-neuron blocks)
              --hessian-probes N  random probes per block (default 2); also sets the Hutchinson trace probes
              --hessian-lanczos N Lanczos steps for the top/bottom eigenvalues (default 10; 0 = none)
              --ui                start the DL4J UI server with the Hessian tab (implies --hessian), print its address
                                  and keep serving after training until Enter is pressed (or stdin closes)
              --ui-port N         port of the UI server (default 9000 or -Dorg.deeplearning4j.ui.port; 0 = any free)
              --seed N            seed of initialisation and batch order (default 12345)
              --out DIR           where to write CSV and PNG (default target/compare)
            """;

    /** One evaluation point. */
    public record Point(String model, String optimizer, int step, int epoch, double trainSeconds, double trainLoss,
                        double testLoss, double testAccuracy) {
    }

    /** What one optimizer reached on one network. */
    public record Summary(String model, String optimizer, String settings, double finalAccuracy, double bestAccuracy,
                          double finalLoss, int stepsToTarget, double secondsToTarget, long stateBytes,
                          double msPerStep, int steps, double trainSeconds, List<BlockHessianReport> hessian) {
    }

    /** Everything a run produced. */
    public record Result(String dataDescription, boolean fashionMnist, List<Point> points, List<Summary> summaries,
                         List<Path> files, String uiAddress, StatsStorage uiStorage) {
    }

    record Data(DataSet train, DataSet test, String description, boolean fashionMnist) {
    }

    record Settings(int epochs, int batch, int evalEvery, double target, boolean hessian, int hessianEvery, long seed,
                    Path out, StatsStorage uiStorage, HessianBlockEstimator estimator) {
    }

    public static void main(String[] argv) throws IOException {
        run(argv);
    }

    /** Runs the comparison; returns what it measured and wrote ({@code null} for --help). */
    public static Result run(String[] argv) throws IOException {
        return run(argv, Compare::waitForEnter);
    }

    private static void waitForEnter(Result result) {
        System.out.println("UI still serving at " + result.uiAddress() + "; press Enter to stop.");
        try {
            System.in.read();
        } catch (IOException e) {
            // stdin unusable: stop serving
        }
    }

    /**
     * As {@link #run(String[])}; with {@code --ui}, {@code whileServing} is called with the finished result while the
     * UI server is still up, and the server is stopped when it returns.
     */
    public static Result run(String[] argv, java.util.function.Consumer<Result> whileServing) throws IOException {
        Args args = new Args(argv, Set.of("data", "model", "optimizers", "epochs", "train", "test", "batch",
                "eval-every", "lr-adam", "lr-adamw", "wd", "lr-adammini", "lr-muon", "lr-muon-aux", "target",
                "hessian-every", "seed", "out", "ui-port", "hessian-blocks", "hessian-probes", "hessian-lanczos"),
                Set.of("help", "synthetic", "hessian", "ui"));
        if (args.flag("help")) {
            System.out.print(HELP);
            return null;
        }
        List<Networks.Kind> models = switch (args.get("model", "mlp").toLowerCase(Locale.ROOT)) {
            case "both" -> List.of(Networks.Kind.MLP, Networks.Kind.CNN);
            default -> List.of(Networks.Kind.parse(args.get("model", "mlp")));
        };
        Map<String, OptimizerChoice> optimizers = optimizers(args);
        double target = args.getDouble("target", 0.88);
        if (!(target > 0 && target <= 1)) {
            throw new IllegalArgumentException("--target must be in (0, 1], got " + target);
        }
        boolean ui = args.flag("ui");
        boolean hessian = ui || args.flag("hessian");
        if (args.get("ui-port", null) != null && !ui) {
            throw new IllegalArgumentException("--ui-port needs --ui");
        }
        for (String o : List.of("hessian-every", "hessian-blocks", "hessian-probes", "hessian-lanczos")) {
            if (args.get(o, null) != null && !hessian) {
                throw new IllegalArgumentException("--" + o + " needs --hessian (or --ui)");
            }
        }
        HessianBlockEstimator.Builder estimator = HessianBlockEstimator.builder();
        if (args.get("hessian-blocks", null) != null) {
            estimator.maxBlocks(args.getInt("hessian-blocks", 24, 1));
        }
        if (args.get("hessian-probes", null) != null) {
            int probes = args.getInt("hessian-probes", 2, 1);
            estimator.probesPerBlock(probes).traceProbes(probes);
        }
        if (args.get("hessian-lanczos", null) != null) {
            estimator.lanczosSteps(args.getInt("hessian-lanczos", 10, 0));
        }
        Path out = Path.of(args.get("out", "target/compare"));
        Files.createDirectories(out);
        long seed = args.getInt("seed", 12345, 0);
        Data data = data(args, seed);
        System.out.println(data.description());

        StatsStorage storage = null;
        String uiAddress = null;
        if (ui) {
            int port = args.getInt("ui-port", Integer.getInteger("org.deeplearning4j.ui.port", 9000), 0);
            UIServer server = VertxUIServer.getInstance(port, false, null);
            storage = new InMemoryStatsStorage();
            server.attach(storage);
            uiAddress = "http://localhost:" + server.getPort() + HessianUi.PATH;
            System.out.println("DL4J UI: " + uiAddress + "  (training overview: http://localhost:" + server.getPort()
                    + "/train/overview)");
        }
        Settings settings = new Settings(args.getInt("epochs", 3, 1), args.getInt("batch", 128, 1),
                args.getInt("eval-every", 100, 1), target, hessian, args.getInt("hessian-every", 0, 1), seed, out,
                storage, estimator.build());

        List<Point> points = new ArrayList<>();
        List<Summary> summaries = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (Networks.Kind model : models) {
            System.out.printf(Locale.ROOT, "%n== %s, %d epochs of %d examples, batch %d ==%n", model.description(),
                    settings.epochs(), data.train().numExamples(), settings.batch());
            List<Point> modelPoints = new ArrayList<>();
            List<Summary> modelSummaries = new ArrayList<>();
            for (Map.Entry<String, OptimizerChoice> e : optimizers.entrySet()) {
                modelSummaries.add(train(model, e.getKey(), e.getValue(), data, settings, modelPoints, files));
            }
            printTable(model, modelSummaries, target);
            String tag = model.name().toLowerCase(Locale.ROOT);
            files.add(CompareOutput.writeCurves(out.resolve("compare-" + tag + "-curves.csv"), modelPoints));
            files.add(CompareOutput.writeSummary(out.resolve("compare-" + tag + "-summary.csv"), modelSummaries, target));
            files.add(CompareOutput.plot(out.resolve("compare-" + tag + ".png"), model.name() + " on "
                    + (data.fashionMnist() ? "Fashion-MNIST" : "synthetic task"), modelPoints, target));
            points.addAll(modelPoints);
            summaries.addAll(modelSummaries);
        }
        for (Path f : files) {
            System.out.println("wrote " + f.toAbsolutePath());
        }
        Result result = new Result(data.description(), data.fashionMnist(), points, summaries, files, uiAddress,
                storage);
        if (ui) {
            try {
                whileServing.accept(result);
            } finally {
                try {
                    UIServer.stopInstance();
                } catch (Exception e) {
                    System.err.println("could not stop the UI server cleanly: " + e);
                }
            }
        }
        return result;
    }

    /** An optimizer to compare: its updater, the DL4J weight decay it needs, and a description of its settings. */
    public record OptimizerChoice(IUpdater updater, double dl4jWeightDecay, String settings) {
    }

    public static Map<String, OptimizerChoice> optimizers(Args args) {
        double lrAdam = positive(args, "lr-adam", 1e-3);
        double lrAdamW = positive(args, "lr-adamw", 1e-3);
        double wd = args.getDouble("wd", 0.05);
        if (!(wd >= 0) || Double.isInfinite(wd)) {
            throw new IllegalArgumentException("--wd must be a finite number >= 0, got " + wd);
        }
        double lrMini = positive(args, "lr-adammini", 1e-3);
        double lrMuon = positive(args, "lr-muon", 0.02);
        double lrAux = positive(args, "lr-muon-aux", lrAdam);
        Map<String, OptimizerChoice> all = new LinkedHashMap<>();
        all.put("adam", new OptimizerChoice(new Adam(lrAdam), 0, "Adam (DL4J) lr " + lrAdam));
        all.put("adamw", new OptimizerChoice(new Adam(lrAdamW), wd,
                "Adam (DL4J) lr " + lrAdamW + " + WeightDecay(" + wd + ", applyLR)"));
        all.put("adammini", new OptimizerChoice(new AdamMini(lrMini), 0, "AdamMini lr " + lrMini));
        all.put("muon", new OptimizerChoice(Muon.builder().learningRate(lrMuon).auxiliary(new Adam(lrAux)).build(), 0,
                "Muon lr " + lrMuon + ", auxiliary Adam lr " + lrAux));
        Map<String, OptimizerChoice> chosen = new LinkedHashMap<>();
        for (String name : args.get("optimizers", "adam,adamw,adammini,muon").split(",")) {
            String key = name.trim().toLowerCase(Locale.ROOT);
            OptimizerChoice c = all.get(key);
            if (c == null) {
                throw new IllegalArgumentException("unknown optimizer '" + name + "'; expected some of " + all.keySet());
            }
            chosen.put(key, c);
        }
        // an option for an optimizer that is not compared would be silently ignored: refuse it
        Map<String, List<String>> usedBy = Map.of("lr-adam", List.of("adam", "muon"), "lr-adamw", List.of("adamw"),
                "wd", List.of("adamw"), "lr-adammini", List.of("adammini"), "lr-muon", List.of("muon"),
                "lr-muon-aux", List.of("muon"));
        for (Map.Entry<String, List<String>> e : usedBy.entrySet()) {
            if (args.get(e.getKey(), null) != null && e.getValue().stream().noneMatch(chosen::containsKey)) {
                throw new IllegalArgumentException("--" + e.getKey() + " is set but " + String.join(" or ", e.getValue())
                        + " is not among --optimizers " + chosen.keySet());
            }
        }
        return chosen;
    }

    private static double positive(Args args, String name, double fallback) {
        double v = args.getDouble(name, fallback);
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("--" + name + " must be a finite number > 0, got " + v);
        }
        return v;
    }

    static Data data(Args args, long seed) {
        int trainLimit = args.getInt("train", 0, 0);
        int testLimit = args.getInt("test", 0, 0);
        var located = FashionMnist.choose(args.get("data", null), args.flag("synthetic"));
        if (located.isPresent()) {
            DataSet train = FashionMnist.load(located.get(), FashionMnist.Split.TRAIN, trainLimit);
            DataSet test = FashionMnist.load(located.get(), FashionMnist.Split.TEST, testLimit);
            return new Data(train, test, "Fashion-MNIST from " + located.get() + ": " + train.numExamples()
                    + " train / " + test.numExamples() + " test images", true);
        }
        int train = trainLimit > 0 ? trainLimit : 12_000;
        int test = testLimit > 0 ? testLimit : 2_000;
        DataSet[] d = SyntheticTask.make(seed, train, test, FashionMnist.PIXELS, FashionMnist.CLASSES);
        return new Data(d[0], d[1], "Synthetic 10-class task (Gaussian 784-d inputs, labels from a random tanh"
                + " teacher): " + train + " train / " + test + " test examples", false);
    }

    static Summary train(Networks.Kind model, String name, OptimizerChoice choice, Data data, Settings s,
                         List<Point> points, List<Path> files) throws IOException {
        MultiLayerNetwork net = Networks.build(model, choice.updater(), FashionMnist.CLASSES, s.seed(),
                choice.dl4jWeightDecay());
        String tag = model.name().toLowerCase(Locale.ROOT);
        HessianBlockListener hessian = null;
        List<TrainingListener> listeners = new ArrayList<>();
        if (s.hessian()) {
            HessianBlockListener.Builder b = HessianBlockListener.builder().estimator(s.estimator())
                    .sink(new Slf4jReportSink());
            if (s.hessianEvery() > 0) {
                b.frequency(s.hessianEvery());
            }
            Path csv = s.out().resolve("hessian-" + tag + "-" + name + ".csv");
            b.sink(new CsvReportSink(csv));
            files.add(csv);
            if (s.uiStorage() != null) {
                StatsListener stats = new StatsListener(s.uiStorage());
                listeners.add(stats);
                HessianUi.attach(b, s.uiStorage(), stats.getSessionID());
            }
            hessian = b.build();
            listeners.add(hessian);
        }
        net.setListeners(listeners);

        DataSet train = data.train();
        int n = train.numExamples();
        int stepsPerEpoch = (n + s.batch() - 1) / s.batch();
        int totalSteps = stepsPerEpoch * s.epochs();
        double[] stepNanos = new double[totalSteps];
        int timedSteps = 0;
        long trainNanos = 0;
        double lossSum = 0;
        int lossCount = 0;
        int step = 0;
        int stepsToTarget = -1;
        double secondsToTarget = Double.NaN;
        long stateBytes = -1;
        Point last = null;
        double[] initial = evaluate(net, data.test());
        points.add(new Point(tag, name, 0, 0, 0, Double.NaN, initial[0], initial[1]));
        double best = 0;
        for (int epoch = 1; epoch <= s.epochs(); epoch++) {
            int[] order = permutation(n, new Random(s.seed() * 31 + epoch)); // the same batches for every optimizer
            for (int start = 0; start < n; start += s.batch()) {
                DataSet batch = train.get(Arrays.copyOfRange(order, start, Math.min(n, start + s.batch())));
                long probeBefore = hessian == null ? 0 : hessian.probeNanos();
                long t0 = System.nanoTime();
                net.fit(batch);
                long elapsed = System.nanoTime() - t0;
                long probe = hessian == null ? 0 : hessian.probeNanos() - probeBefore;
                trainNanos += elapsed - probe;
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
                if (step % s.evalEvery() == 0 || step == totalSteps) {
                    double[] eval = evaluate(net, data.test());
                    last = new Point(tag, name, step, epoch, trainNanos / 1e9, lossSum / lossCount, eval[0], eval[1]);
                    points.add(last);
                    best = Math.max(best, eval[1]);
                    lossSum = 0;
                    lossCount = 0;
                    if (stepsToTarget < 0 && eval[1] >= s.target()) {
                        stepsToTarget = step;
                        secondsToTarget = last.trainSeconds();
                    }
                    System.out.printf(Locale.ROOT, "[%-8s %s] step %5d/%d  epoch %d  train loss %.4f  test loss %.4f"
                                    + "  test acc %.4f  %.1fs%s%n", name, tag, step, totalSteps, epoch,
                            last.trainLoss(), last.testLoss(), last.testAccuracy(), last.trainSeconds(),
                            hessian == null || hessian.history().isEmpty() ? "" : String.format(Locale.ROOT,
                                    "  Hessian pairwiseRatio %.4f",
                                    hessian.history().get(hessian.history().size() - 1).pairwiseRatio()));
                }
            }
        }
        double[] sorted = Arrays.copyOf(stepNanos, timedSteps);
        Arrays.sort(sorted);
        double msPerStep = timedSteps == 0 ? Double.NaN : sorted[timedSteps / 2] / 1e6;
        return new Summary(tag, name, choice.settings(), last.testAccuracy(), best, last.testLoss(), stepsToTarget,
                secondsToTarget, stateBytes, msPerStep, step, trainNanos / 1e9,
                hessian == null ? List.of() : hessian.history());
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

    /** {@code [mean cross-entropy, accuracy]} on the test set, in chunks of 1000 examples. */
    static double[] evaluate(MultiLayerNetwork net, DataSet test) {
        Evaluation eval = new Evaluation(FashionMnist.CLASSES);
        double lossSum = 0;
        for (DataSet chunk : test.batchBy(1000)) {
            INDArray p = net.output(chunk.getFeatures(), false);
            eval.eval(chunk.getLabels(), p);
            lossSum -= Transforms.log(p.add(1e-12), false).muli(chunk.getLabels()).sumNumber().doubleValue();
        }
        return new double[] {lossSum / test.numExamples(), eval.accuracy()};
    }

    static void printTable(Networks.Kind model, List<Summary> summaries, double target) {
        Summary adam = summaries.stream().filter(x -> x.optimizer().equals("adam")).findFirst().orElse(null);
        System.out.printf(Locale.ROOT, "%n%s%n%-9s %9s %9s %9s %12s %12s %12s %8s %9s %8s%n", model.description(),
                "optimizer", "test acc", "best acc", "test loss", "steps>=" + target, "state bytes", "vs Adam",
                "ms/step", "vs Adam", "seconds");
        for (Summary x : summaries) {
            System.out.printf(Locale.ROOT, "%-9s %9.4f %9.4f %9.4f %12s %12d %12s %8.2f %9s %8.1f%n", x.optimizer(),
                    x.finalAccuracy(), x.bestAccuracy(), x.finalLoss(),
                    x.stepsToTarget() < 0 ? "not reached" : Integer.toString(x.stepsToTarget()), x.stateBytes(),
                    adam == null ? "-" : String.format(Locale.ROOT, "%.3fx", (double) x.stateBytes() / adam.stateBytes()),
                    x.msPerStep(), adam == null ? "-" : String.format(Locale.ROOT, "%.2fx", x.msPerStep() / adam.msPerStep()),
                    x.trainSeconds());
        }
        for (Summary x : summaries) {
            System.out.println("  " + x.optimizer() + ": " + x.settings());
        }
    }

    static void writeLines(Path file, List<String> lines) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            lines.forEach(w::println);
        }
    }
}
