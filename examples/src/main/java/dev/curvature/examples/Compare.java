package dev.curvature.examples;

import dev.curvature.examples.data.FashionMnist;
import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.ui.HessianUi;
import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.Muon;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.api.UIServer;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Trains the same network with DL4J's Adam, Adam with decoupled weight decay, Adam-mini and Muon on Fashion-MNIST
 * (or a synthetic 10-class task when the data is absent) and reports, per optimizer, test accuracy and loss against
 * steps and training time, steps and seconds to a target accuracy, optimizer-state bytes and time per step; with
 * {@code --seeds N}, mean ± sd over N seeds. The training and its timing are {@link CompareRounds}'. Writes CSV and
 * one PNG per network.
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
              --eval-every N      steps between test evaluations (default: a tenth of the run, so >= 10 points)
              --warmup N          untimed warm-up steps per optimizer on a throwaway copy of its network before the
                                  timed run (default 20; 0 = none)
              --seeds N           repeat the whole comparison with N seeds (--seed, --seed + 1, ...): other
                                  initialisations and batch orders; reports mean ± sd over the seeds (default 1)
              --lr-adam X         DL4J Adam (default 0.001)
              --beta2-adam X      its beta2 (default 0.999)
              --lr-adamw X        Adam with decoupled weight decay (default 0.001)
              --beta2-adamw X     its beta2 (default 0.999)
              --wd X              decoupled weight decay of adamw (default 0.05; DL4J WeightDecay with applyLR)
              --lr-adammini X     Adam-mini (default 0.001)
              --beta2-adammini X  its beta2 (default 0.999)
              --lr-muon X         Muon on the hidden weight matrices (default 0.02)
              --lr-muon-aux X     Muon's auxiliary Adam for biases and the output layer (default: --lr-adam)
              --target X          test accuracy whose first crossing is reported, in steps and in training seconds
                                  (default 0.88)
              --hessian           attach the Hessian block listener (default schedule: at most 5% of training time)
              --hessian-every N   with --hessian: probe every N iterations instead
              --hessian-blocks N  blocks probed per probe (default 24 of the per-output-neuron blocks)
              --hessian-probes N  random probes per block (default 2); also sets the Hutchinson trace probes
              --hessian-lanczos N Lanczos steps for the top/bottom eigenvalues (default 10; 0 = none)
              --ui                start the DL4J UI server with the Hessian tab (implies --hessian), print its address
                                  and keep serving after training until Enter is pressed (or stdin closes); each
                                  run is a session labelled with its network, optimizer, settings and seed
              --ui-port N         port of the UI server (default 9000 or -Dorg.deeplearning4j.ui.port; 0 = any free)
              --seed N            seed of initialisation and batch order (default 12345)
              --out DIR           where to write CSV and PNG (default target/compare)
            Timing: the optimizers train in interleaved rounds (one evaluation interval each, the order rotating every
            round) after their warm-up; training seconds and ms/step exclude the warm-up, the evaluations and the
            Hessian probes (ms/step is the median over the steps without a probe).
            """;

    /** One evaluation point. */
    public record Point(String model, String optimizer, long seed, int step, int epoch, double trainSeconds,
                        double trainLoss, double testLoss, double testAccuracy) {
    }

    /**
     * What one optimizer reached on one network with one seed. {@code trainSeconds} and {@code secondsToTarget}
     * count training only (no warm-up, evaluation or probe); {@code probeSeconds} is the Hessian listener's time.
     */
    public record Summary(String model, String optimizer, String settings, long seed, double finalAccuracy,
                          double bestAccuracy, double finalLoss, int stepsToTarget, double secondsToTarget,
                          long stateBytes, double msPerStep, int steps, double trainSeconds, double probeSeconds,
                          List<BlockHessianReport> hessian) {
    }

    /**
     * Everything a run produced: per-seed summaries, their aggregates over the seeds, the time-to-target verdict per
     * network, and the order in which every step ran ({@code timeline}: warm-up steps, then the timed rounds).
     */
    public record Result(String dataDescription, boolean fashionMnist, List<Point> points, List<Summary> summaries,
                         List<CompareStats.Aggregate> aggregates, Map<String, String> verdicts,
                         List<CompareRounds.Event> timeline, List<Path> files, String uiAddress,
                         StatsStorage uiStorage) {
    }

    record Data(DataSet train, DataSet test, String description, boolean fashionMnist) {
    }

    record Settings(int epochs, int batch, int evalEvery, int warmup, int seeds, double target, boolean hessian,
                    int hessianEvery, long seed, Path out, StatsStorage uiStorage, HessianBlockEstimator estimator) {
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
                "eval-every", "warmup", "seeds", "lr-adam", "beta2-adam", "lr-adamw", "beta2-adamw",
                "wd", "lr-adammini",
                "beta2-adammini", "lr-muon", "lr-muon-aux", "target", "hessian-every", "seed", "out", "ui-port",
                "hessian-blocks", "hessian-probes", "hessian-lanczos"),
                Set.of("help", "synthetic", "hessian", "ui"));
        if (args.flag("help")) {
            System.out.print(HELP);
            return null;
        }
        // every option is checked before any data is loaded
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
        int epochs = args.getInt("epochs", 3, 1);
        int batch = args.getInt("batch", 128, 1);
        int evalEvery = args.getInt("eval-every", 0, 1);
        int warmup = args.getInt("warmup", 20, 0);
        int seeds = args.getInt("seeds", 1, 1);
        int hessianEvery = args.getInt("hessian-every", 0, 1);
        long seed = args.getInt("seed", 12345, 0);
        int port = ui ? args.getInt("ui-port", Integer.getInteger("org.deeplearning4j.ui.port", 9000), 0) : 0;
        HessianBlockEstimator built = estimator.build();
        Path out = Path.of(args.get("out", "target/compare"));
        Data data = data(args, seed);
        Files.createDirectories(out);
        System.out.println(data.description());

        StatsStorage storage = null;
        String uiAddress = null;
        if (ui) {
            UIServer server = VertxUIServer.getInstance(port, false, null);
            storage = new InMemoryStatsStorage();
            server.attach(storage);
            uiAddress = "http://localhost:" + server.getPort() + HessianUi.PATH;
            System.out.println("DL4J UI: " + uiAddress + "  (training overview: http://localhost:" + server.getPort()
                    + "/train/overview)");
        }
        Settings settings = new Settings(epochs, batch, evalEvery, warmup, seeds, target, hessian, hessianEvery, seed,
                out, storage, built);

        List<Point> points = new ArrayList<>();
        List<Summary> summaries = new ArrayList<>();
        List<CompareStats.Aggregate> aggregates = new ArrayList<>();
        Map<String, String> verdicts = new LinkedHashMap<>();
        List<CompareRounds.Event> timeline = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (Networks.Kind model : models) {
            List<Point> modelPoints = new ArrayList<>();
            List<Summary> modelSummaries = new ArrayList<>();
            for (int i = 0; i < seeds; i++) {
                CompareRounds rounds = new CompareRounds(model, data, settings, seed + i);
                System.out.printf(Locale.ROOT, "%n== %s, seed %d, %d epochs of %d examples, batch %d: %d steps, "
                                + "evaluated every %d, %d warm-up steps per optimizer ==%n", model.description(),
                        seed + i, epochs, data.train().numExamples(), batch, rounds.totalSteps(), rounds.evalEvery(),
                        warmup);
                List<Summary> seedSummaries = rounds.run(optimizers, modelPoints, timeline, files);
                if (seeds > 1) {
                    printTable(model.description() + ", seed " + (seed + i), seedSummaries, target);
                }
                modelSummaries.addAll(seedSummaries);
            }
            List<CompareStats.Aggregate> modelAggregates = CompareStats.aggregate(modelSummaries);
            String verdict = CompareStats.verdict(modelAggregates, target);
            if (seeds == 1) {
                printTable(model.description(), modelSummaries, target);
            } else {
                CompareOutput.printAggregates(model.description(), modelAggregates, target);
            }
            System.out.println("time to target: " + verdict);
            String tag = model.name().toLowerCase(Locale.ROOT);
            files.add(CompareOutput.writeCurves(out.resolve("compare-" + tag + "-curves.csv"), modelPoints));
            files.add(CompareOutput.writeSummary(out.resolve("compare-" + tag + "-summary.csv"), modelSummaries,
                    target));
            files.add(CompareOutput.writeAggregate(out.resolve("compare-" + tag + "-aggregate.csv"), modelAggregates,
                    target));
            files.add(CompareOutput.plot(out.resolve("compare-" + tag + ".png"), model.name() + " on "
                    + (data.fashionMnist() ? "Fashion-MNIST" : "synthetic task")
                    + (seeds > 1 ? ", mean of " + seeds + " seeds" : ""), modelPoints, target));
            points.addAll(modelPoints);
            summaries.addAll(modelSummaries);
            aggregates.addAll(modelAggregates);
            verdicts.put(tag, verdict);
        }
        for (Path f : files) {
            System.out.println("wrote " + f.toAbsolutePath());
        }
        Result result = new Result(data.description(), data.fashionMnist(), points, summaries, aggregates, verdicts,
                timeline, files, uiAddress, storage);
        if (ui) {
            serveThenStop(() -> whileServing.accept(result));
        }
        return result;
    }

    /** Runs {@code whileServing} (e.g. wait for Enter), then stops DL4J's UI server whatever happened. */
    public static void serveThenStop(Runnable whileServing) {
        try {
            whileServing.run();
        } finally {
            try {
                UIServer.stopInstance();
            } catch (Exception e) {
                System.err.println("could not stop the UI server cleanly: " + e);
            }
        }
    }

    /** An optimizer to compare: its updater, the DL4J weight decay it needs, and a description of its settings. */
    public record OptimizerChoice(IUpdater updater, double dl4jWeightDecay, String settings) {
    }

    /** The optimizers chosen by {@code --optimizers} with their options; an option for none of them is refused. */
    public static Map<String, OptimizerChoice> optimizers(Args args) {
        return optimizers(args, Set.of());
    }

    /**
     * As {@link #optimizers(Args)}; {@code usedElsewhere} names options the calling command also uses for its own
     * purpose (so they are not refused when no compared optimizer takes them).
     */
    public static Map<String, OptimizerChoice> optimizers(Args args, Set<String> usedElsewhere) {
        double lrAdam = positive(args, "lr-adam", 1e-3);
        double lrAdamW = positive(args, "lr-adamw", 1e-3);
        double b2AdamW = beta2(args, "beta2-adamw");
        double wd = args.getDouble("wd", 0.05);
        if (!(wd >= 0) || Double.isInfinite(wd)) {
            throw new IllegalArgumentException("--wd must be a finite number >= 0, got " + wd);
        }
        double b2Adam = beta2(args, "beta2-adam");
        double lrMini = positive(args, "lr-adammini", 1e-3);
        double b2Mini = beta2(args, "beta2-adammini");
        double lrMuon = positive(args, "lr-muon", 0.02);
        double lrAux = positive(args, "lr-muon-aux", lrAdam);
        Map<String, OptimizerChoice> all = new LinkedHashMap<>();
        all.put("adam", new OptimizerChoice(Adam.builder().learningRate(lrAdam).beta2(b2Adam).build(), 0,
                "Adam (DL4J) lr " + lrAdam + (b2Adam == AdamMini.DEFAULT_BETA2 ? "" : " beta2 " + b2Adam)));
        all.put("adamw", new OptimizerChoice(Adam.builder().learningRate(lrAdamW).beta2(b2AdamW).build(), wd,
                "Adam (DL4J) lr " + lrAdamW + (b2AdamW == AdamMini.DEFAULT_BETA2 ? "" : " beta2 " + b2AdamW)
                        + " + WeightDecay(" + wd + ", applyLR)"));
        all.put("adammini", new OptimizerChoice(AdamMini.builder().learningRate(lrMini).beta2(b2Mini).build(), 0,
                "AdamMini lr " + lrMini + (b2Mini == AdamMini.DEFAULT_BETA2 ? "" : " beta2 " + b2Mini)));
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
                "lr-muon-aux", List.of("muon"), "beta2-adam", List.of("adam"), "beta2-adamw", List.of("adamw"),
                "beta2-adammini", List.of("adammini"));
        for (Map.Entry<String, List<String>> e : usedBy.entrySet()) {
            if (args.get(e.getKey(), null) != null && !usedElsewhere.contains(e.getKey())
                    && e.getValue().stream().noneMatch(chosen::containsKey)) {
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

    private static double beta2(Args args, String name) {
        double v = args.getDouble(name, AdamMini.DEFAULT_BETA2);
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException("--" + name + " must be in [0, 1), got " + v);
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

    static void printTable(String title, List<Summary> summaries, double target) {
        Summary adam = summaries.stream().filter(x -> x.optimizer().equals("adam")).findFirst().orElse(null);
        System.out.printf(Locale.ROOT, "%n%s%n%-9s %9s %9s %9s %12s %9s %12s %8s %8s %9s %8s%n", title,
                "optimizer", "test acc", "best acc", "test loss", "steps>=" + target, "seconds", "state bytes",
                "vs Adam", "ms/step", "vs Adam", "train s");
        for (Summary x : summaries) {
            boolean hit = x.stepsToTarget() >= 0;
            System.out.printf(Locale.ROOT, "%-9s %9.4f %9.4f %9.4f %12s %9s %12d %8s %8.2f %9s %8.1f%n",
                    x.optimizer(), x.finalAccuracy(), x.bestAccuracy(), x.finalLoss(),
                    hit ? Integer.toString(x.stepsToTarget()) : "not reached",
                    hit ? String.format(Locale.ROOT, "%.1f", x.secondsToTarget()) : "-", x.stateBytes(),
                    adam == null ? "-" : String.format(Locale.ROOT, "%.3fx",
                            (double) x.stateBytes() / adam.stateBytes()),
                    x.msPerStep(), adam == null ? "-" : String.format(Locale.ROOT, "%.2fx",
                            x.msPerStep() / adam.msPerStep()),
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
