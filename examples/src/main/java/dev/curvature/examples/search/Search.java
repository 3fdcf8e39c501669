package dev.curvature.examples.search;

import dev.curvature.examples.Args;
import dev.curvature.examples.data.FashionMnist;
import dev.curvature.optimizers.arbiter.AdamMiniSpace;
import dev.curvature.optimizers.arbiter.CurvatureTaskCreators;
import dev.curvature.optimizers.arbiter.MuonSpace;
import org.deeplearning4j.arbiter.MultiLayerSpace;
import org.deeplearning4j.arbiter.conf.updater.AdamSpace;
import org.deeplearning4j.arbiter.layers.ConvolutionLayerSpace;
import org.deeplearning4j.arbiter.layers.DenseLayerSpace;
import org.deeplearning4j.arbiter.layers.OutputLayerSpace;
import org.deeplearning4j.arbiter.layers.SubsamplingLayerSpace;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.api.saving.InMemoryResultSaver;
import org.deeplearning4j.arbiter.optimize.api.saving.ResultReference;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxCandidatesCondition;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.deeplearning4j.arbiter.optimize.runner.CandidateStatus;
import org.deeplearning4j.arbiter.optimize.runner.IOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.listener.BaseStatusListener;
import org.deeplearning4j.arbiter.scoring.impl.EvaluationScoreFunction;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import dev.curvature.examples.Networks;
import dev.curvature.optimizers.AdamMini;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Arbiter search over DL4J Adam, Adam-mini and Muon and their learning rates (and, for Adam and Adam-mini, beta2)
 * on the Fashion-MNIST MLP or CNN of {@link Networks}: for each optimizer the same Arbiter grid search (log-spaced
 * learning rates over one range per optimizer, the same number of points, epochs and data, crossed with the beta2
 * list), scored by accuracy on images held out from the training split. Prints the result table, the best settings
 * per optimizer and the {@code compare} command that uses them; writes CSV.
 */
public final class Search {
    private Search() {
    }

    public static final String HELP = """
            search: Arbiter grid search over DL4J Adam, Adam-mini and Muon, their learning rates and (Adam, Adam-mini)
                    beta2 (score = validation accuracy on held-out training images).
              --model M          mlp (784-256-256-10, default) or cnn (c16-pool-c32-pool-d128-10), as compare
              --data DIR         Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist; synthetic task
                                 when absent, said so)
              --synthetic        use the synthetic task even when Fashion-MNIST is there
              --optimizers LIST  any of adam,adammini,muon (default all three)
              --points N         learning rates per optimizer, log-spaced (default 4)
              --range-adam A:B   learning-rate range of Adam (default 3e-4:3e-3)
              --range-adammini A:B   of Adam-mini (default 3e-4:3e-3)
              --range-muon A:B   of Muon (default 5e-3:5e-2); its auxiliary Adam (biases, output layer) stays 1e-3
              --beta2 LIST       beta2 values crossed with the rates of adam and adammini, e.g. 0.95,0.999
                                 (default 0.999 only); Muon has no beta2
              --train N          training images per candidate (default 10000)
              --validation N     held-out images of the training split used for the score (default 5000)
              --epochs N         epochs per candidate (default 2)
              --batch N          minibatch size (default 128)
              --out DIR          where to write search.csv and search.png (default target/search)
            """;

    /** One evaluated candidate. */
    public record Row(String optimizer, double learningRate, double beta2, double validationAccuracy,
                      double seconds, String status) {
    }

    public static void main(String[] argv) throws IOException {
        run(argv);
    }

    /** Runs the search; returns one row per candidate (empty for --help). */
    public static List<Row> run(String[] argv) throws IOException {
        Args args = new Args(argv, Set.of("data", "model", "optimizers", "points", "range-adam", "range-adammini",
                "range-muon", "beta2", "train", "validation", "epochs", "batch", "out"), Set.of("help", "synthetic"));
        if (args.flag("help")) {
            System.out.print(HELP);
            return List.of();
        }
        int points = args.getInt("points", 4, 1);
        int train = args.getInt("train", 10_000, 1);
        int validation = args.getInt("validation", 5_000, 1);
        int epochs = args.getInt("epochs", 2, 1);
        int batch = args.getInt("batch", 128, 1);
        Path out = Path.of(args.get("out", "target/search"));
        Networks.Kind model = Networks.Kind.parse(args.get("model", "mlp"));
        double[] beta2 = beta2(args.get("beta2", null));
        Map<String, double[]> ranges = new LinkedHashMap<>();
        for (String name : args.get("optimizers", "adam,adammini,muon").split(",")) {
            String key = name.trim().toLowerCase(Locale.ROOT);
            String fallback = switch (key) {
                case "adam", "adammini" -> "3e-4:3e-3";
                case "muon" -> "5e-3:5e-2";
                default -> throw new IllegalArgumentException("unknown optimizer '" + name
                        + "'; expected some of [adam, adammini, muon]");
            };
            ranges.put(key, range(args, "range-" + key, fallback));
        }
        for (String key : List.of("adam", "adammini", "muon")) {
            if (args.get("range-" + key, null) != null && !ranges.containsKey(key)) {
                throw new IllegalArgumentException("--range-" + key + " is set but " + key
                        + " is not among --optimizers " + ranges.keySet());
            }
        }
        if (args.get("beta2", null) != null && !ranges.containsKey("adam") && !ranges.containsKey("adammini")) {
            throw new IllegalArgumentException("--beta2 applies to adam and adammini, neither of which is among "
                    + "--optimizers " + ranges.keySet());
        }
        Path dir = FashionMnist.choose(args.get("data", null), args.flag("synthetic")).orElse(null);
        System.out.printf(Locale.ROOT, "Arbiter grid search, %s, %s: %d train / %d validation images, %d epochs,"
                        + " batch %d, %d learning rates per optimizer, beta2 %s (adam, adammini)%n",
                model.description(),
                dir == null ? "synthetic task" : "Fashion-MNIST " + dir, train, validation, epochs, batch, points,
                java.util.Arrays.toString(beta2));

        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, double[]> e : ranges.entrySet()) {
            rows.addAll(searchOne(model, e.getKey(), e.getValue(), e.getKey().equals("muon") ? null : beta2, points,
                    SearchDataSource.properties(dir, train, validation, batch, 12345), epochs));
        }
        print(rows);
        Files.createDirectories(out);
        Path csv = out.resolve("search.csv");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
            w.println("model,optimizer,learning_rate,beta2,validation_accuracy,seconds,status");
            for (Row r : rows) {
                w.printf(Locale.ROOT, "%s,%s,%.6g,%s,%.6f,%.2f,%s%n", model.name().toLowerCase(Locale.ROOT),
                        r.optimizer(), r.learningRate(), Double.isNaN(r.beta2()) ? "" : Double.toString(r.beta2()),
                        r.validationAccuracy(), r.seconds(), r.status());
            }
        }
        Path png = plot(out.resolve("search.png"), rows);
        System.out.println("wrote " + csv.toAbsolutePath() + " and " + png.getFileName());
        return rows;
    }

    static double[] range(Args args, String name, String fallback) {
        String v = args.get(name, fallback);
        String[] parts = v.split(":");
        try {
            double lo = Double.parseDouble(parts[0]);
            double hi = Double.parseDouble(parts[parts.length - 1]);
            if (parts.length != 2 || !(lo > 0) || !(hi >= lo) || Double.isInfinite(hi)) {
                throw new NumberFormatException();
            }
            return new double[] {lo, hi};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be MIN:MAX with 0 < MIN <= MAX, got '" + v + "'");
        }
    }

    /** The beta2 values of {@code --beta2}, each in [0, 1); {0.999} (both optimizers' default) when absent. */
    static double[] beta2(String list) {
        if (list == null) {
            return new double[] {AdamMini.DEFAULT_BETA2};
        }
        String[] parts = list.split(",");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                v[i] = Double.NaN;
            }
            if (!(v[i] >= 0 && v[i] < 1)) {
                throw new IllegalArgumentException("--beta2 must be a comma-separated list of numbers in [0, 1), got '"
                        + list + "'");
            }
            for (int j = 0; j < i; j++) {
                if (v[j] == v[i]) {
                    throw new IllegalArgumentException("--beta2 lists " + v[i] + " twice: '" + list + "'");
                }
            }
        }
        return v;
    }

    static ParameterSpace<IUpdater> space(String optimizer, ParameterSpace<Double> lr, ParameterSpace<Double> beta2) {
        return switch (optimizer) {
            case "adam" -> new AdamSpace(lr, new FixedValue<>(0.9), beta2, new FixedValue<>(1e-8));
            case "adammini" -> AdamMiniSpace.builder().learningRate(lr).beta2(beta2).build();
            case "muon" -> MuonSpace.builder().learningRate(lr).auxiliary(new Adam(1e-3)).build();
            default -> throw new IllegalArgumentException(optimizer);
        };
    }

    /**
     * The grid search of one optimizer: {@code points} log-spaced learning rates in {@code range}, crossed with
     * {@code beta2} ({@code null} for an optimizer without one).
     */
    static List<Row> searchOne(Networks.Kind model, String optimizer, double[] range, double[] beta2, int points,
                               java.util.Properties data, int epochs) {
        ParameterSpace<Double> lr = range[0] == range[1] || points == 1 ? new FixedValue<>(range[0])
                : new ContinuousParameterSpace(new LogUniformDistribution(range[0], range[1]));
        ParameterSpace<Double> b2 = beta2 == null || beta2.length == 1
                ? new FixedValue<>(beta2 == null ? AdamMini.DEFAULT_BETA2 : beta2[0])
                : new DiscreteParameterSpace<>(java.util.Arrays.stream(beta2).boxed().toArray(Double[]::new));
        MultiLayerSpace.Builder builder = new MultiLayerSpace.Builder()
                .seed(12345)
                .weightInit(WeightInit.XAVIER)
                .updater(space(optimizer, lr, b2));
        if (model == Networks.Kind.MLP) {
            builder.setInputType(InputType.feedForward(FashionMnist.PIXELS))
                    .addLayer(new DenseLayerSpace.Builder().nOut(256).activation(Activation.RELU).build())
                    .addLayer(new DenseLayerSpace.Builder().nOut(256).activation(Activation.RELU).build());
        } else {
            builder.setInputType(InputType.convolutionalFlat(28, 28, 1))
                    .addLayer(new ConvolutionLayerSpace.Builder().kernelSize(5, 5).nOut(16)
                            .activation(Activation.RELU).build())
                    .addLayer(new SubsamplingLayerSpace.Builder().poolingType(SubsamplingLayer.PoolingType.MAX)
                            .kernelSize(2, 2).stride(2, 2).build())
                    .addLayer(new ConvolutionLayerSpace.Builder().kernelSize(5, 5).nOut(32)
                            .activation(Activation.RELU).build())
                    .addLayer(new SubsamplingLayerSpace.Builder().poolingType(SubsamplingLayer.PoolingType.MAX)
                            .kernelSize(2, 2).stride(2, 2).build())
                    .addLayer(new DenseLayerSpace.Builder().nOut(128).activation(Activation.RELU).build());
        }
        MultiLayerSpace space = builder
                .addLayer(new OutputLayerSpace.Builder().nOut(FashionMnist.CLASSES).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunctions.LossFunction.MCXENT).build())
                .numEpochs(epochs)
                .build();
        int candidates = (lr instanceof FixedValue ? 1 : points) * (b2 instanceof FixedValue ? 1 : beta2.length);
        OptimizationConfiguration config = new OptimizationConfiguration.Builder()
                .candidateGenerator(new GridSearchCandidateGenerator(space, points,
                        GridSearchCandidateGenerator.Mode.Sequential, null))
                .dataSource(SearchDataSource.class, data)
                .modelSaver(new InMemoryResultSaver())
                .scoreFunction(new EvaluationScoreFunction(Evaluation.Metric.ACCURACY))
                .terminationConditions(new MaxCandidatesCondition(candidates))
                .build();
        // CurvatureTaskCreators: Arbiter's own task creator with Layouts.attach run on every candidate network
        IOptimizationRunner runner = new LocalOptimizationRunner(config, CurvatureTaskCreators.multiLayer());
        runner.addListeners(new BaseStatusListener() {
            @Override
            public void onCandidateStatusChange(CandidateInfo info, IOptimizationRunner r, OptimizationResult result) {
                if (info.getCandidateStatus() == CandidateStatus.Complete
                        || info.getCandidateStatus() == CandidateStatus.Failed) {
                    System.out.printf(Locale.ROOT, "[search %-8s] candidate %d/%d %s  validation accuracy %s%n",
                            optimizer, info.getIndex() + 1, candidates, info.getCandidateStatus(),
                            info.getScore() == null ? "-" : String.format(Locale.ROOT, "%.4f", info.getScore()));
                }
            }
        });
        runner.execute();
        // the learning rate each candidate really trained with, read back from its trained network
        Map<Integer, Double> rates = new java.util.HashMap<>();
        Map<Integer, Double> betas = new java.util.HashMap<>();
        for (ResultReference ref : runner.getResults()) {
            try {
                OptimizationResult result = ref.getResult();
                MultiLayerNetwork net = (MultiLayerNetwork) ref.getResultModel();
                IUpdater u = ((BaseLayer) net.getLayer(0).conf().getLayer()).getIUpdater();
                rates.put(result.getIndex(), u.getLearningRate(0, 0));
                if (u instanceof Adam a) {
                    betas.put(result.getIndex(), a.getBeta2());
                } else if (u instanceof AdamMini a) {
                    betas.put(result.getIndex(), a.getBeta2());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (CandidateInfo info : runner.getCandidateStatus()) {
            double rate = rates.getOrDefault(info.getIndex(), Double.NaN);
            double seconds = info.getStartTime() == null || info.getEndTime() == null ? Double.NaN
                    : (info.getEndTime() - info.getStartTime()) / 1000.0;
            double trained = betas.getOrDefault(info.getIndex(), Double.NaN);
            rows.add(new Row(optimizer, rate, trained, info.getScore() == null ? Double.NaN : info.getScore(), seconds,
                    info.getCandidateStatus().toString()));
        }
        return rows;
    }

    static void print(List<Row> rows) {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingDouble((Row r) -> Double.isNaN(r.validationAccuracy()) ? -1
                : r.validationAccuracy()).reversed());
        System.out.printf(Locale.ROOT, "%n%-9s %14s %7s %12s %9s %10s%n", "optimizer", "learning rate", "beta2",
                "val acc", "seconds", "status");
        for (Row r : sorted) {
            System.out.printf(Locale.ROOT, "%-9s %14.4g %7s %12.4f %9.1f %10s%n", r.optimizer(), r.learningRate(),
                    Double.isNaN(r.beta2()) ? "-" : Double.toString(r.beta2()), r.validationAccuracy(), r.seconds(),
                    r.status());
        }
        Map<String, Row> best = best(rows);
        System.out.println();
        best.forEach((o, r) -> System.out.printf(Locale.ROOT, "best %-9s lr %.4g%s (validation accuracy %.4f)%n", o,
                r.learningRate(), Double.isNaN(r.beta2()) ? "" : " beta2 " + r.beta2(), r.validationAccuracy()));
        StringBuilder cmd = new StringBuilder("compare");
        best.forEach((o, r) -> {
            cmd.append(String.format(Locale.ROOT, " --lr-%s %.4g", o, r.learningRate()));
            if (!Double.isNaN(r.beta2())) {
                cmd.append(" --beta2-").append(o).append(' ').append(r.beta2());
            }
        });
        if (best.containsKey("adam")) {
            cmd.append(String.format(Locale.ROOT, " --lr-adamw %.4g --beta2-adamw %s", best.get("adam").learningRate(),
                    best.get("adam").beta2()));
        }
        System.out.println("use them: " + cmd);
    }

    /** Validation accuracy against learning rate (log axis), one line per optimizer. */
    static Path plot(Path file, List<Row> rows) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(500)
                .title("Arbiter search: validation accuracy against learning rate")
                .xAxisTitle("learning rate").yAxisTitle("validation accuracy").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        for (String series : rows.stream().map(Search::series).distinct().toList()) {
            List<Row> mine = rows.stream().filter(r -> series(r).equals(series)
                    && !Double.isNaN(r.validationAccuracy())).sorted(Comparator.comparingDouble(Row::learningRate))
                    .toList();
            if (!mine.isEmpty()) {
                chart.addSeries(series, mine.stream().mapToDouble(Row::learningRate).toArray(),
                        mine.stream().mapToDouble(Row::validationAccuracy).toArray());
            }
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    private static String series(Row r) {
        return Double.isNaN(r.beta2()) ? r.optimizer() : r.optimizer() + " beta2=" + r.beta2();
    }

    /** The best completed candidate per optimizer. */
    public static Map<String, Row> best(List<Row> rows) {
        Map<String, Row> best = new LinkedHashMap<>();
        for (Row r : rows) {
            if (!Double.isNaN(r.validationAccuracy())) {
                best.merge(r.optimizer(), r, (a, b) -> b.validationAccuracy() > a.validationAccuracy() ? b : a);
            }
        }
        return best;
    }
}
