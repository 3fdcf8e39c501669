package dev.curvature.examples;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.BlockPartition;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.LayerSummary;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code classes --paper}: the experiment of Dong, Zhang, Luo, Yao, Sun 2025 (arXiv 2505.02809; official code
 * zyushun/Hessian-structure, {@code train_gaussian.py}) in its own setup (docs/ALGORITHMS.md, section 6): inputs
 * {@code x ~ N(0, I_d)}, labels uniform at random over {@code C} classes (one-hot targets for MSE), no biases,
 * {@code WeightInit.UNIFORM} (PyTorch's default {@code U(+-1/sqrt(fanIn))}), the Hessian of the full-batch mean loss at
 * initialisation; a linear model {@code d -> C} and a ReLU network {@code d -> 8 -> C}; cross-entropy (softmax) and
 * MSE; several seeds (data and weights). The quantity is per layer, blocks = the layer's output neurons: the hidden
 * layer's 8 blocks and the output layer's {@code C} blocks separately; the ratio over all blocks of the network
 * (cross-layer pairs included) is kept as layer {@code pooled}.
 *
 * <p>Products are exact (the ReLU layer's kinks are frozen at the probe point); block norms are exact while the
 * network has at most {@code --max-exact} parameters (one product per parameter), stochastic beyond ({@code --probes}
 * Rademacher probes on each of {@value #STOCHASTIC_BLOCKS} blocks: every hidden block and a stratified sample of the
 * output layer's), and each row says which.
 */
public final class PaperReproduction {
    private PaperReproduction() {
    }

    public static final String HELP = """
            classes --paper: per-layer Hessian pairwiseRatio against classes C in the setup of Dong et al. 2025
                             (Gaussian inputs, uniform random labels, no biases, UNIFORM init, full batch, ReLU,
                             linear and width-8 models, cross-entropy and MSE, several seeds)
              --classes LIST   comma-separated C values, each >= 2 (default 2,4,8,16,32,64,128,256,512,1024)
              --seeds N        seeds per C (data and weights; default 5)
              --nin D          input dimension (default 50; the paper: 500)
              --samples N      examples in the full batch (default 10 x D; the paper: 5000)
              --max-exact N    exact block norms up to N parameters, stochastic beyond (default 512)
              --probes N       Rademacher probes per block in stochastic mode (default 4)
              --models LIST    linear, hidden8 or both (default linear,hidden8)
              --losses LIST    ce, mse or both (default ce,mse)
              --out DIR        where to write classes-paper.csv and classes-paper.png (default target/classes-paper)
            """;

    static final String[] MODELS = {"linear", "hidden8"};
    /** Probed blocks in stochastic mode: all 8 hidden ones and a stratified sample of the output layer's. */
    static final int STOCHASTIC_BLOCKS = 40;
    static final String[] LOSSES = {"ce", "mse"};
    static final String[] LAYERS = {"hidden", "output", "pooled"};

    /** One measured ratio. */
    public record Row(String model, String loss, String layer, int classes, int seed, double pairwiseRatio,
                      String method) {
    }

    /** Seed statistics of one series point. */
    public record Stat(int classes, double mean, double sd, int n) {
    }

    public static List<Row> run(String[] argv) throws IOException {
        Args args = new Args(argv, Set.of("classes", "seeds", "nin", "samples", "max-exact", "probes", "models",
                "losses", "out"), Set.of("help", "paper"));
        if (args.flag("help")) {
            System.out.print(HELP);
            return List.of();
        }
        int[] classes = ClassesReproduction.parseList(args.get("classes", "2,4,8,16,32,64,128,256,512,1024"));
        int seeds = args.getInt("seeds", 5, 1);
        int d = args.getInt("nin", 50, 1);
        int samples = args.getInt("samples", 10 * d, 2);
        int maxExact = args.getInt("max-exact", 512, 1);
        int probes = args.getInt("probes", 4, 2);
        String[] models = choose(args.get("models", String.join(",", MODELS)), MODELS, "--models");
        String[] losses = choose(args.get("losses", String.join(",", LOSSES)), LOSSES, "--losses");
        Path out = Path.of(args.get("out", "target/classes-paper"));
        System.out.printf(Locale.ROOT, "[classes --paper] d = %d, N = %d, C in %s, %d seeds, exact up to %d "
                + "parameters%n", d, samples, Arrays.toString(classes), seeds, maxExact);
        long start = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        for (String model : models) {
            for (String loss : losses) {
                for (int c : classes) {
                    for (int seed = 1; seed <= seeds; seed++) {
                        long s = 1000L * c + seed;
                        DataSet data = gaussianData(s, samples, d, c);
                        rows.addAll(measure(model, loss, c, seed, network(model, loss, d, c, s), data, maxExact, probes));
                    }
                    System.out.printf(Locale.ROOT, "[classes --paper] %-7s %-3s C=%5d %s %6.0fs%n", model, loss, c,
                            describe(rows, model, loss, c), (System.nanoTime() - start) / 1e9);
                }
            }
        }
        printTable(rows);
        Files.createDirectories(out);
        writeCsv(out.resolve("classes-paper.csv"), rows);
        plot(out.resolve("classes-paper.png"), rows, d, samples, seeds);
        System.out.printf(Locale.ROOT, "wrote %s and classes-paper.png (%.0f s)%n",
                out.resolve("classes-paper.csv").toAbsolutePath(), (System.nanoTime() - start) / 1e9);
        return rows;
    }

    private static String[] choose(String list, String[] allowed, String option) {
        String[] values = Arrays.stream(list.split(",")).map(String::trim).toArray(String[]::new);
        for (String v : values) {
            if (!Arrays.asList(allowed).contains(v)) {
                throw new IllegalArgumentException(option + " takes " + String.join(", ", allowed) + ", got '" + v + "'");
            }
        }
        return values;
    }

    /** Gaussian inputs {@code x ~ N(0, I_d)} and labels uniform on {@code 0..C-1} as one-hot rows, seeded. */
    static DataSet gaussianData(long seed, int n, int d, int classes) {
        INDArray x;
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed)) {
            x = Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.random.impl.GaussianDistribution(
                    Nd4j.create(DataType.DOUBLE, n, d), 0.0, 1.0), rng);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        java.util.Random labels = new java.util.Random(seed);
        double[][] y = new double[n][classes];
        for (double[] row : y) {
            row[labels.nextInt(classes)] = 1.0;
        }
        return new DataSet(x, Nd4j.createFromArray(y));
    }

    /** The paper's models: no biases, {@code WeightInit.UNIFORM}, ReLU hidden layer of width 8 named "hidden". */
    static MultiLayerNetwork network(String model, String loss, int d, int classes, long seed) {
        boolean ce = loss.equals("ce");
        OutputLayer.Builder output = new OutputLayer.Builder(ce ? LossFunctions.LossFunction.MCXENT
                : LossFunctions.LossFunction.MSE).name("output").nOut(classes).hasBias(false)
                .activation(ce ? Activation.SOFTMAX : Activation.IDENTITY);
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.DOUBLE).updater(new Sgd(0.1)).weightInit(WeightInit.UNIFORM).list();
        if (model.equals("hidden8")) {
            list.layer(new DenseLayer.Builder().name("hidden").nIn(d).nOut(8).hasBias(false)
                    .activation(Activation.RELU).build());
            list.layer(output.nIn(8).build());
        } else {
            list.layer(output.nIn(d).build());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    /** The per-layer and pooled ratios of one network on its full batch. */
    static List<Row> measure(String model, String loss, int classes, int seed, MultiLayerNetwork net, DataSet data,
                             int maxExact, int probes) {
        boolean exact = net.numParams() <= maxExact;
        HessianBlockEstimator estimator = HessianBlockEstimator.builder()
                .partition(BlockPartition.perOutputNeuron())
                .method(exact ? HessianBlockEstimator.Method.EXACT : HessianBlockEstimator.Method.STOCHASTIC)
                .probesPerBlock(probes).maxBlocks(exact ? Integer.MAX_VALUE : STOCHASTIC_BLOCKS).lanczosSteps(0).traceProbes(0)
                .blockEigenvalues(false).seed(seed).build();
        BlockHessianReport r = estimator.estimate(net, data);
        String method = exact ? "exact" : "stochastic";
        List<Row> rows = new ArrayList<>();
        for (LayerSummary l : r.layers()) {
            rows.add(new Row(model, loss, l.layer(), classes, seed, l.pairwiseRatio(), method));
        }
        rows.add(new Row(model, loss, "pooled", classes, seed, r.pairwiseRatio(), method));
        return rows;
    }

    static String describe(List<Row> rows, String model, String loss, int c) {
        StringBuilder sb = new StringBuilder();
        for (String layer : LAYERS) {
            Stat s = stat(rows, model, loss, layer, c);
            if (s != null) {
                sb.append(String.format(Locale.ROOT, "%s %.4g ± %.2g  ", layer, s.mean(), s.sd()));
            }
        }
        return sb.toString();
    }

    /** Mean and sample standard deviation over seeds, or null if there is no such row. */
    public static Stat stat(List<Row> rows, String model, String loss, String layer, int c) {
        double[] v = rows.stream().filter(r -> r.model().equals(model) && r.loss().equals(loss)
                && r.layer().equals(layer) && r.classes() == c).mapToDouble(Row::pairwiseRatio).toArray();
        if (v.length == 0) {
            return null;
        }
        double mean = Arrays.stream(v).average().orElseThrow();
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return new Stat(c, mean, v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0.0, v.length);
    }

    /** Seed means of one series, by increasing C. */
    public static List<Stat> series(List<Row> rows, String model, String loss, String layer) {
        return rows.stream().filter(r -> r.model().equals(model) && r.loss().equals(loss) && r.layer().equals(layer))
                .mapToInt(Row::classes).distinct().sorted().mapToObj(c -> stat(rows, model, loss, layer, c)).toList();
    }

    /** Least-squares slope of log(seed mean) against log C over {@code C >= minClasses}; NaN if undefined. */
    public static double slope(List<Stat> series, int minClasses) {
        List<Stat> s = series.stream().filter(p -> p.classes() >= minClasses && p.mean() > 0).toList();
        return ClassesReproduction.logLogSlope(s.stream().mapToDouble(Stat::classes).toArray(),
                s.stream().mapToDouble(Stat::mean).toArray());
    }

    static void printTable(List<Row> rows) {
        System.out.printf(Locale.ROOT, "%n%-8s %-4s %-7s %14s %12s %14s %14s%n", "model", "loss", "layer",
                "slope(C>=16)", "C*ratio", "sqrt(C)*ratio", "seed sd/mean");
        for (String model : MODELS) {
            for (String loss : LOSSES) {
                for (String layer : LAYERS) {
                    List<Stat> s = series(rows, model, loss, layer);
                    if (s.isEmpty()) {
                        continue;
                    }
                    Stat last = s.get(s.size() - 1);
                    if (s.stream().allMatch(p -> p.mean() == 0)) {
                        System.out.printf(Locale.ROOT, "%-8s %-4s %-7s %14s%n", model, loss, layer,
                                "exactly 0 at every C");
                        continue;
                    }
                    System.out.printf(Locale.ROOT, "%-8s %-4s %-7s %14.3f %12.4g %14.4g %14.3f%n", model, loss, layer,
                            slope(s, 16), last.classes() * last.mean(), Math.sqrt(last.classes()) * last.mean(),
                            last.mean() > 0 ? last.sd() / last.mean() : 0.0);
                }
            }
        }
    }

    static void writeCsv(Path file, List<Row> rows) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("model,loss,layer,classes,seed,pairwise_ratio,method");
            for (Row r : rows) {
                w.printf(Locale.ROOT, "%s,%s,%s,%d,%d,%.10g,%s%n", r.model(), r.loss(), r.layer(), r.classes(), r.seed(),
                        r.pairwiseRatio(), r.method());
            }
        }
    }

    /** One panel per loss: per-layer seed means against C (log-log) with a +-1 sd band, and slopes -1 and -1/2. */
    static void plot(Path file, List<Row> rows, int d, int samples, int seeds) throws IOException {
        java.awt.Color[] palette = {new java.awt.Color(31, 119, 180), new java.awt.Color(44, 160, 44),
                new java.awt.Color(214, 39, 40), new java.awt.Color(148, 103, 189)};
        List<BufferedImage> panels = new ArrayList<>();
        for (String loss : LOSSES) {
            XYChart chart = new XYChartBuilder().width(760).height(560)
                    .title(String.format(Locale.ROOT, "%s (d=%d, N=%d, %d seeds)", loss.equals("ce") ? "Cross-entropy"
                            : "MSE", d, samples, seeds))
                    .xAxisTitle("classes C").yAxisTitle("per-layer pairwiseRatio (seed mean, dotted: ± 1 sd)").build();
            chart.getStyler().setXAxisLogarithmic(true);
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSW);
            double top = 0;
            double[] cs = null;
            List<String> zero = new ArrayList<>();
            int colour = 0;
            for (String model : MODELS) {
                for (String layer : LAYERS) {
                    if (layer.equals("pooled") || model.equals("linear") && layer.equals("hidden")) {
                        continue;
                    }
                    List<Stat> s = series(rows, model, loss, layer);
                    if (s.isEmpty()) {
                        continue;
                    }
                    String name = model + " " + layer;
                    if (s.stream().allMatch(p -> p.mean() == 0)) {
                        zero.add(name);
                        continue;
                    }
                    List<Stat> positive = s.stream().filter(p -> p.mean() > 0).toList();
                    cs = positive.stream().mapToDouble(Stat::classes).toArray();
                    double[] mean = positive.stream().mapToDouble(Stat::mean).toArray();
                    double[] upper = positive.stream().mapToDouble(p -> p.mean() + p.sd()).toArray();
                    double[] lower = positive.stream().mapToDouble(p -> Math.max(p.mean() - p.sd(), 0.05 * p.mean()))
                            .toArray();
                    java.awt.Color c = palette[colour++ % palette.length];
                    XYSeries series = chart.addSeries(name + String.format(Locale.ROOT, " (slope %.2f)",
                            slope(s, 16)), cs, mean);
                    series.setMarker(SeriesMarkers.CIRCLE);
                    series.setLineColor(c);
                    series.setMarkerColor(c);
                    for (double[] band : new double[][] {upper, lower}) {
                        XYSeries b = chart.addSeries(name + (band == upper ? " +" : " -") + " 1 sd", cs, band);
                        b.setMarker(SeriesMarkers.NONE);
                        b.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DOT_DOT);
                        b.setLineColor(c);
                        b.setShowInLegend(false);
                    }
                    top = Math.max(top, Arrays.stream(upper).max().orElse(top));
                }
            }
            if (cs != null && cs.length >= 2) {
                double c0 = cs[0];
                double y0 = top * 2;
                for (double exponent : new double[] {1.0, 0.5}) {
                    XYSeries ref = chart.addSeries(exponent == 1.0 ? "slope -1" : "slope -1/2", cs,
                            Arrays.stream(cs).map(c -> y0 * Math.pow(c0 / c, exponent)).toArray());
                    ref.setMarker(SeriesMarkers.NONE);
                    ref.setLineColor(java.awt.Color.GRAY);
                    ref.setLineStyle(exponent == 1.0 ? org.knowm.xchart.style.lines.SeriesLines.DASH_DASH
                            : org.knowm.xchart.style.lines.SeriesLines.DASH_DOT);
                }
            }
            if (!zero.isEmpty()) {
                XYSeries note = chart.addSeries("exactly 0 (not drawn): " + String.join(", ", zero),
                        new double[] {cs == null ? 2 : cs[0]}, new double[] {top > 0 ? top : 1});
                note.setMarker(SeriesMarkers.NONE);
                note.setLineColor(new java.awt.Color(0, 0, 0, 0));
            }
            panels.add(BitmapEncoder.getBufferedImage(chart));
        }
        BufferedImage all = new BufferedImage(panels.stream().mapToInt(BufferedImage::getWidth).sum(),
                panels.get(0).getHeight(), BufferedImage.TYPE_INT_RGB);
        int x = 0;
        for (BufferedImage p : panels) {
            all.getGraphics().drawImage(p, x, 0, null);
            x += p.getWidth();
        }
        javax.imageio.ImageIO.write(all, "png", file.toFile());
    }
}
