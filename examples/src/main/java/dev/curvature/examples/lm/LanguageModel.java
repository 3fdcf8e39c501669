package dev.curvature.examples.lm;

import dev.curvature.examples.Args;
import dev.curvature.examples.ClassesReproduction;
import dev.curvature.examples.Compare;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code lm}: a next-token language model with a vocabulary of thousands of words on real English text (by default
 * the GNU Collaborative International Dictionary of English from Debian's {@code dict-gcide}). Part one measures the
 * output layer's Hessian pairwiseRatio against the vocabulary size C at initialisation and after training (the
 * 1/C law of Dong et al. 2025 on real text); part two trains DL4J Adam, Adam with decoupled weight decay, Adam-mini
 * and Muon at the largest C from the same initialisation on the same batches.
 */
public final class LanguageModel {
    private LanguageModel() {
    }

    public static final Path DEFAULT_CORPUS = Path.of("/usr/share/dictd/gcide.dict.dz");
    static final String CORPUS_HINT = "give a UTF-8 text file (or .gz/.dz) with --corpus FILE, or install the default "
            + "corpus with 'apt-get install dict-gcide' (" + DEFAULT_CORPUS + ")";

    public static final String HELP = """
            lm: a word-level next-token model (embedding + learned positions, multi-head self-attention, MLP, softmax
                over C) on real English text. (1) the output layer's Hessian pairwiseRatio against the vocabulary size
                C at initialisation and after --steps Adam steps, with the fitted log-log slope; (2) Adam, Adam +
                decoupled weight decay, Adam-mini and Muon at the largest C: same initialisation, same batches.
              --corpus FILE       UTF-8 text, or gzip/dictzip if it ends in .gz/.dz (default
                                  /usr/share/dictd/gcide.dict.dz from the Debian package dict-gcide)
              --max-chars N       read only the first N characters of the corpus (default all; --quick: 2000000)
              --classes LIST      vocabulary sizes C, comma-separated: the C-1 most frequent tokens (ties: first
                                  occurrence first) plus <unk> (default 256,1024,4096,16384; --quick: 16,64)
              --window K          tokens of context k >= 1 (default 8; --quick: 4)
              --dim D             embedding and attention width (default 64; --quick: 16)
              --heads H           attention heads, dividing --dim (default 4; --quick: 2)
              --hidden N          MLP width (default 128; --quick: 32)
              --batch N           training windows per step (default 64; --quick: 16)
              --steps N           Adam steps of the sweep before the 'trained' ratio (default 100; --quick: 20)
              --compare-steps N   steps of each optimizer in the comparison (default 300; --quick: 20)
              --eval-every N      steps between validation evaluations (default 25; --quick: 10)
              --val-windows N     validation windows evaluated, evenly spaced over the last 5% (default 1024;
                                  --quick: 256)
              --probe-batches N   probe batches per ratio, >= 2; the standard error is over them (default 3; --quick: 2)
              --probe-size N      training windows per probe batch (default 32)
              --hessian-blocks N  output neurons probed per probe batch, a stratified sample (default 8; --quick: 4)
              --hessian-probes N  Rademacher probes per probed block (default 1)
              --optimizers LIST   any of adam,adamw,adammini,muon (default all four)
              --lr-adam X         DL4J Adam, also the sweep's optimizer (default 0.001)
              --lr-adamw X        Adam with decoupled weight decay (default 0.001)
              --wd X              decoupled weight decay of adamw (default 0.05; DL4J WeightDecay with applyLR)
              --lr-adammini X     Adam-mini (default 0.001)
              --lr-muon X         Muon on the attention and MLP matrices (default 0.02)
              --lr-muon-aux X     Muon's auxiliary Adam for embeddings, output layer, biases (default: --lr-adam)
              --ui                serve the DL4J UI with training stats and the Hessian tab (Adam-mini's run carries
                                  the Hessian listener with BlockPartition.adamMini() in any case); keeps serving
                                  after the run until Enter is pressed (or stdin closes)
              --ui-port N         port of the UI server (default 9000; 0 = any free)
              --seed N            seed of initialisation, batches and probes (default 12345)
              --quick             tiny smoke run (under a minute): the --quick defaults above
              --out DIR           where to write lm-ratio.csv, lm-summary.csv, lm-curves.csv, lm-ratio.png,
                                  lm-compare.png and hessian-adammini.csv (default target/lm)
            """;

    /** Everything the command was configured with. */
    record Settings(Path corpus, long maxChars, int[] classes, LmModel.Shape shape, int batch, int steps,
                    int compareSteps, int evalEvery, int valWindows, RatioSweep.Probe probe, long seed, Path out,
                    boolean ui, int uiPort) {
    }

    /** What a run produced. */
    public record Result(List<LmOutput.RatioRow> ratios, double initSlope, double trainedSlope,
                         List<LmOutput.SummaryRow> summary, List<Trainer.Point> points, List<Path> files,
                         String uiAddress) {
    }

    public static void main(String[] argv) throws IOException {
        run(argv, r -> {
            System.out.println("UI still serving at " + r.uiAddress() + "; press Enter to stop.");
            try {
                System.in.read();
            } catch (IOException e) {
                // stdin unusable: stop serving
            }
        });
    }

    /** Runs the command; {@code null} for --help. With --ui, {@code whileServing} runs before the server stops. */
    public static Result run(String[] argv, Consumer<Result> whileServing) throws IOException {
        Args args = new Args(argv, Set.of("corpus", "max-chars", "classes", "window", "dim", "heads", "hidden",
                "batch", "steps", "compare-steps", "eval-every", "val-windows", "probe-batches", "probe-size",
                "hessian-blocks", "hessian-probes", "optimizers", "lr-adam", "lr-adamw", "wd", "lr-adammini",
                "lr-muon", "lr-muon-aux", "ui-port", "seed", "out"), Set.of("help", "quick", "ui"));
        if (args.flag("help")) {
            System.out.print(HELP);
            return null;
        }
        // --lr-adam is also the sweep's learning rate, so it is used even when adam and muon are not compared
        Map<String, Compare.OptimizerChoice> optimizers = Compare.optimizers(args, Set.of("lr-adam"));
        Settings s = settings(args);
        double lrAdam = args.getDouble("lr-adam", 1e-3);
        return run(s, optimizers, lrAdam, whileServing);
    }

    static Settings settings(Args args) {
        boolean q = args.flag("quick");
        int[] classes = ClassesReproduction.parseList(args.get("classes", q ? "16,64" : "256,1024,4096,16384"));
        classes = Arrays.stream(classes).distinct().sorted().toArray();
        String window = args.get("window", null);
        if (window != null && window.trim().matches("-?\\d+") && Integer.parseInt(window.trim()) < 1) {
            throw new IllegalArgumentException("--window (the context length k) must be >= 1, got " + window);
        }
        int k = args.getInt("window", q ? 4 : 8, 1);
        int dim = args.getInt("dim", q ? 16 : 64, 1);
        int heads = args.getInt("heads", q ? 2 : 4, 1);
        int hidden = args.getInt("hidden", q ? 32 : 128, 1);
        LmModel.Shape shape = new LmModel.Shape(classes[classes.length - 1], k, dim, heads, hidden);
        RatioSweep.Probe probe = new RatioSweep.Probe(args.getInt("probe-batches", q ? 2 : 3, 2),
                args.getInt("probe-size", 32, 1), args.getInt("hessian-blocks", q ? 4 : 8, 1),
                args.getInt("hessian-probes", 1, 1), args.getInt("seed", 12345, 0));
        boolean ui = args.flag("ui");
        if (args.get("ui-port", null) != null && !ui) {
            throw new IllegalArgumentException("--ui-port needs --ui");
        }
        int uiPort = args.getInt("ui-port", Integer.getInteger("org.deeplearning4j.ui.port", 9000), 0);
        long maxChars = args.get("max-chars", null) != null ? args.getInt("max-chars", 0, 1)
                : q ? 2_000_000 : Long.MAX_VALUE;
        Path corpus = Path.of(args.get("corpus", DEFAULT_CORPUS.toString()));
        Settings s = new Settings(corpus, maxChars, classes, shape, args.getInt("batch", q ? 16 : 64, 1),
                args.getInt("steps", q ? 20 : 100, 1), args.getInt("compare-steps", q ? 20 : 300, 1),
                args.getInt("eval-every", q ? 10 : 25, 1), args.getInt("val-windows", q ? 256 : 1024, 1), probe,
                args.getInt("seed", 12345, 0), Path.of(args.get("out", "target/lm")), ui, uiPort);
        // last, so that every option is checked whether or not the corpus is there
        if (!Files.isRegularFile(corpus) || !Files.isReadable(corpus)) {
            throw new IllegalArgumentException("corpus " + corpus + " is not a readable file; " + CORPUS_HINT);
        }
        return s;
    }

    static Result run(Settings s, Map<String, Compare.OptimizerChoice> optimizers, double lrAdam,
                      Consumer<Result> whileServing) throws IOException {
        long start = System.nanoTime();
        Consumer<String> log = line -> System.out.printf(Locale.ROOT, "%s  [%.0fs]%n", line,
                (System.nanoTime() - start) / 1e9);
        System.out.printf(Locale.ROOT, "[lm] corpus %s; C in %s; model %s; batch %d; %d sweep steps, %d comparison"
                        + " steps of %s%n", s.corpus(), Arrays.toString(s.classes()), s.shape(), s.batch(), s.steps(),
                s.compareSteps(), optimizers.keySet());
        System.out.printf(Locale.ROOT, "[lm] time estimate: about %.0f min on 2 unshared cores, plus reading the"
                + " corpus (~%.0f s for the 40 MB default)%n", TimeEstimate.minutes(s, optimizers.size()), 5.0);
        Tokens tokens = Tokens.read(s.corpus(), s.maxChars(), chars -> log.accept(String.format(Locale.ROOT,
                "[lm] reading %s: %.1f M characters", s.corpus().getFileName(), chars / 1e6)));
        log.accept(String.format(Locale.ROOT, "[lm] %d tokens, %d distinct", tokens.size(), tokens.distinctCount()));
        checkCorpus(s, tokens);
        Files.createDirectories(s.out());

        List<LmOutput.RatioRow> ratios = new ArrayList<>();
        Windows windows = null;
        for (int c : s.classes()) {
            Vocabulary vocab = Vocabulary.build(tokens, c);
            windows = new Windows(vocab.encode(), s.shape().window());
            log.accept(String.format(Locale.ROOT, "[lm] C=%d: coverage %.2f%% of tokens (rest <unk>); train %d tokens"
                            + " (%d windows), validation %d tokens (%d windows)", c, 100 * vocab.coverage(),
                    windows.trainTokens(), windows.trainExamples(), windows.validationTokens(),
                    windows.validationExamples()));
            ComputationGraph graph = LmModel.build(s.shape().withClasses(c), new Adam(lrAdam), 0, s.seed());
            List<MultiDataSet> probes = RatioSweep.probeBatches(windows, s.probe());
            RatioSweep.Ratio init = RatioSweep.measure(graph, probes, s.probe());
            log.accept(String.format(Locale.ROOT, "[lm] C=%d init    output pairwiseRatio %.4g ± %.2g", c, init.mean(),
                    init.standardError()));
            MultiDataSet validation = windows.batch(windows.validationTargets(s.valWindows()));
            Trainer.train("sweep", graph, windows, s.steps(), s.batch(), s.steps(), s.seed(), validation, null, log);
            RatioSweep.Ratio trained = RatioSweep.measure(graph, probes, s.probe());
            log.accept(String.format(Locale.ROOT, "[lm] C=%d trained output pairwiseRatio %.4g ± %.2g", c,
                    trained.mean(), trained.standardError()));
            ratios.add(new LmOutput.RatioRow(c, "init", LmModel.OUTPUT, init.mean(), init.standardError()));
            ratios.add(new LmOutput.RatioRow(c, "trained", LmModel.OUTPUT, trained.mean(), trained.standardError()));
        }
        double initSlope = slope(ratios, "init");
        double trainedSlope = slope(ratios, "trained");
        List<Path> files = new ArrayList<>();
        files.add(LmOutput.writeRatios(s.out().resolve("lm-ratio.csv"), ratios));
        files.add(LmOutput.plotRatios(s.out().resolve("lm-ratio.png"), ratios, initSlope, trainedSlope,
                String.format(Locale.ROOT, "LM output layer, k=%d, d=%d, %d heads, MLP %d", s.shape().window(),
                        s.shape().dim(), s.shape().heads(), s.shape().hidden())));
        printRatios(ratios, initSlope, trainedSlope);

        OptimizerComparison.Outcome cmp = OptimizerComparison.run(s, optimizers, windows, log);
        files.addAll(cmp.files());
        Result result = new Result(ratios, initSlope, trainedSlope, cmp.summary(), cmp.points(), files,
                cmp.uiAddress());
        printGoals(result, optimizers);
        for (Path f : files) {
            System.out.println("wrote " + f.toAbsolutePath());
        }
        log.accept("[lm] done");
        if (s.ui()) {
            Compare.serveThenStop(() -> whileServing.accept(result));
        }
        return result;
    }

    /** Refuses a corpus too small for one validation window and a training batch, or with too few distinct tokens. */
    static void checkCorpus(Settings s, Tokens tokens) {
        Windows w = new Windows(new int[tokens.size()], s.shape().window());
        if (tokens.size() == 0) {
            throw new IllegalArgumentException("corpus " + s.corpus() + " has no tokens; " + CORPUS_HINT);
        }
        if (w.validationExamples() < 1 || w.trainExamples() < s.batch()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "corpus %s is too small: %d tokens give %d"
                            + " training windows (need >= --batch %d) and %d validation windows (need >= 1) of k = %d;"
                            + " %s", s.corpus(), tokens.size(), w.trainExamples(), s.batch(), w.validationExamples(),
                    s.shape().window(), CORPUS_HINT));
        }
        int largest = s.classes()[s.classes().length - 1];
        if (largest > tokens.distinctCount()) {
            throw new IllegalArgumentException("--classes " + largest + " is larger than the number of distinct tokens"
                    + " of corpus " + s.corpus() + " (" + tokens.distinctCount() + "); use smaller --classes or "
                    + CORPUS_HINT);
        }
    }

    static double slope(List<LmOutput.RatioRow> rows, String phase) {
        List<LmOutput.RatioRow> s = rows.stream().filter(r -> r.phase().equals(phase) && r.ratio() > 0).toList();
        return ClassesReproduction.logLogSlope(s.stream().mapToDouble(LmOutput.RatioRow::classes).toArray(),
                s.stream().mapToDouble(LmOutput.RatioRow::ratio).toArray());
    }

    static void printRatios(List<LmOutput.RatioRow> rows, double initSlope, double trainedSlope) {
        System.out.printf(Locale.ROOT, "%n%8s %22s %22s%n", "C", "init ratio ± s.e.", "trained ratio ± s.e.");
        for (int i = 0; i + 1 < rows.size(); i += 2) {
            LmOutput.RatioRow a = rows.get(i);
            LmOutput.RatioRow b = rows.get(i + 1);
            System.out.printf(Locale.ROOT, "%8d %12.4g ± %-8.2g %12.4g ± %-8.2g%n", a.classes(), a.ratio(),
                    a.standardError(), b.ratio(), b.standardError());
        }
        System.out.printf(Locale.ROOT, "%8s %22.3f %22.3f%n%n", "slope", initSlope, trainedSlope);
    }

    static void printGoals(Result r, Map<String, Compare.OptimizerChoice> optimizers) {
        System.out.println("\nGoals:");
        if (Double.isNaN(r.initSlope())) {
            System.out.println("  init output-layer slope: not measured (needs two or more --classes)");
        } else {
            System.out.printf(Locale.ROOT, "  init output-layer slope %.3f: within 0.15 of -1? %s%n", r.initSlope(),
                    Math.abs(r.initSlope() + 1) <= 0.15 ? "met" : "missed");
        }
        LmOutput.SummaryRow adam = find(r.summary(), "adam");
        LmOutput.SummaryRow mini = find(r.summary(), "adammini");
        LmOutput.SummaryRow muon = find(r.summary(), "muon");
        if (adam != null && mini != null) {
            double ppl = Math.exp(mini.valLoss() - adam.valLoss());
            System.out.printf(Locale.ROOT, "  Adam-mini state %.4fx Adam's (<= 0.51: %s); val perplexity %.4fx Adam's"
                            + " (within 2%%: %s)%n", mini.stateVsAdam(), mini.stateVsAdam() <= 0.51 ? "met" : "missed",
                    ppl, Math.abs(ppl - 1) <= 0.02 ? "met" : "missed");
        }
        if (adam != null && muon != null) {
            double adamFinal = adam.valLoss();
            Trainer.Point reach = r.points().stream().filter(p -> p.optimizer().equals("muon") && p.step() > 0
                    && p.valLoss() <= adamFinal).findFirst().orElse(null);
            Trainer.Point adamLast = r.points().stream().filter(p -> p.optimizer().equals("adam"))
                    .reduce((a, b) -> b).orElseThrow();
            if (reach == null) {
                System.out.printf(Locale.ROOT, "  Muon did not reach Adam's final val loss %.4f in %d steps: missed%n",
                        adamFinal, adam.steps());
            } else {
                double steps = (double) reach.step() / adam.steps();
                System.out.printf(Locale.ROOT, "  Muon reached Adam's final val loss %.4f at step %d = %.2fx Adam's"
                                + " steps (<= 0.8: %s), after %.1f s = %.2fx Adam's %.1f training seconds%n", adamFinal,
                        reach.step(), steps, steps <= 0.8 ? "met" : "missed", reach.trainSeconds(),
                        reach.trainSeconds() / adamLast.trainSeconds(), adamLast.trainSeconds());
            }
        }
        for (Map.Entry<String, Compare.OptimizerChoice> e : optimizers.entrySet()) {
            System.out.println("  " + e.getKey() + ": " + e.getValue().settings());
        }
    }

    static LmOutput.SummaryRow find(List<LmOutput.SummaryRow> rows, String optimizer) {
        return rows.stream().filter(x -> x.optimizer().equals(optimizer)).findFirst().orElse(null);
    }
}
