package dev.curvature.examples;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.BlockPartition;
import dev.curvature.hessian.HessianBlockEstimator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

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
 * Reproduces the central claim of Dong, Zhang, Luo, Yao, Sun 2025 (arXiv 2505.02809): the Hessian of a network
 * with C output classes is close to block-diagonal over output neurons, with the off-diagonal to diagonal block
 * norm ratio ({@code pairwiseRatio}) shrinking like 1/C. Gaussian inputs, labels from a random linear teacher;
 * linear (no bias) and one-hidden-layer (width 8, tanh, no bias) models; cross-entropy (softmax) and MSE (identity)
 * losses; at initialisation and after training with Adam. Exact block norms where the parameters fit
 * ({@code <= maxExactParameters}), stochastic beyond, and each row says which. Writes CSV and a log-log PNG and
 * prints the fitted slopes and {@code C * ratio}.
 */
public final class ClassesReproduction {
    private ClassesReproduction() {
    }

    public static final String HELP = """
            classes: pairwiseRatio of the Hessian (blocks = output neurons) against the number of classes C.
              --classes LIST   comma-separated C values (default 2,4,8,16,32,64,128,256,512,1024)
              --nin N          input dimension (default 16)
              --samples N      samples in the probe batch (default 256)
              --train-steps N  Adam steps for the "trained" phase (default 200; 0 skips it)
              --max-exact N    exact Hessian blocks up to N parameters, stochastic estimator beyond (default 1024)
              --zero-init      linear model starts at W = 0 (closed form: ratio = 1/(C-1) for cross-entropy)
              --out DIR        where to write classes.csv and classes.png (default target/classes)
              --paper          the paper's own setup, per layer and over seeds (see classes --paper --help)
              --figure1        the paper's Figure 1 on Fashion-MNIST (see classes --figure1 --help)
            """;

    /** One measured point. */
    public record Point(String model, String loss, String phase, int classes, String method, double pairwiseRatio,
                        double standardError) {
    }

    public static void main(String[] argv) throws IOException {
        List<String> a = Arrays.asList(argv);
        if (a.contains("--paper") && a.contains("--figure1")) {
            throw new IllegalArgumentException("--paper and --figure1 are separate runs; give one of them");
        }
        if (a.contains("--paper")) {
            PaperReproduction.run(argv);
        } else if (a.contains("--figure1")) {
            Figure1.run(argv);
        } else {
            run(argv);
        }
    }

    public static List<Point> run(String[] argv) throws IOException {
        Args args = new Args(argv, Set.of("classes", "nin", "samples", "train-steps", "out", "max-exact"),
                Set.of("help", "zero-init"));
        if (args.flag("help")) {
            System.out.print(HELP);
            return List.of();
        }
        int[] classes = parseList(args.get("classes", "2,4,8,16,32,64,128,256,512,1024"));
        int nIn = args.getInt("nin", 16, 1);
        int samples = args.getInt("samples", 256, 2);
        int trainSteps = args.getInt("train-steps", 200, 0);
        boolean zeroInit = args.flag("zero-init");
        int maxExact = args.getInt("max-exact", 1024, 1);
        long start = System.nanoTime();
        Path out = Path.of(args.get("out", "target/classes"));
        List<Point> points = new ArrayList<>();
        String[] models = {"linear", "hidden8"};
        String[] losses = {"cross-entropy", "mse"};
        for (String model : models) {
            for (String loss : losses) {
                for (int c : classes) {
                    DataSet data = teacherData(42 + c, samples, nIn, c);
                    MultiLayerNetwork net = network(model, loss, nIn, c, zeroInit && model.equals("linear"));
                    points.add(measure(model, loss, "init", net, data, maxExact));
                    if (trainSteps > 0) {
                        for (int s = 0; s < trainSteps; s++) {
                            net.fit(data);
                        }
                        points.add(measure(model, loss, "trained", net, data, maxExact));
                    }
                    Point p = points.get(points.size() - 1);
                    System.out.printf(Locale.ROOT, "[classes] %-7s %-13s C=%5d  %s %6.0fs%n", model, loss, c,
                            describe(points, model, loss, c), (System.nanoTime() - start) / 1e9);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%n%-8s %-14s %-8s %12s %10s%n", "model", "loss", "phase", "slope", "C*ratio");
        for (String model : models) {
            for (String loss : losses) {
                for (String phase : new String[] {"init", "trained"}) {
                    List<Point> series = series(points, model, loss, phase);
                    if (series.size() >= 2) {
                        Point last = series.get(series.size() - 1);
                        System.out.printf(Locale.ROOT, "%-8s %-14s %-8s %12.3f %10.3f%n", model, loss, phase,
                                slope(series), last.classes() * last.pairwiseRatio());
                    }
                }
            }
        }
        Files.createDirectories(out);
        writeCsv(out.resolve("classes.csv"), points);
        plot(out.resolve("classes.png"), points, models, losses);
        System.out.println("wrote " + out.resolve("classes.csv").toAbsolutePath() + " and classes.png");
        return points;
    }

    static String describe(List<Point> points, String model, String loss, int c) {
        StringBuilder sb = new StringBuilder();
        for (Point p : points) {
            if (p.model().equals(model) && p.loss().equals(loss) && p.classes() == c) {
                sb.append(String.format(Locale.ROOT, "%s %.4g (%s)  ", p.phase(), p.pairwiseRatio(), p.method()));
            }
        }
        return sb.toString();
    }

    public static int[] parseList(String list) {
        try {
            int[] values = Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            for (int v : values) {
                if (v < 2) {
                    throw new IllegalArgumentException("--classes values must be >= 2, got " + v);
                }
            }
            return values;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--classes must be a comma-separated list of integers, got '" + list + "'");
        }
    }

    /** Gaussian inputs, one-hot labels from the argmax of a random linear teacher (regression targets for MSE). */
    static DataSet teacherData(long seed, int n, int nIn, int classes) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.DOUBLE, n, nIn);
        INDArray teacher = Nd4j.randn(DataType.DOUBLE, nIn, classes);
        INDArray idx = Nd4j.argMax(x.mmul(teacher), 1);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, idx.getInt(i), 1.0);
        }
        return new DataSet(x, y);
    }

    static MultiLayerNetwork network(String model, String loss, int nIn, int classes, boolean zeroInit) {
        boolean ce = loss.equals("cross-entropy");
        OutputLayer.Builder output = new OutputLayer.Builder(ce ? LossFunctions.LossFunction.MCXENT
                : LossFunctions.LossFunction.MSE).nOut(classes).hasBias(false)
                .activation(ce ? Activation.SOFTMAX : Activation.IDENTITY);
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
                .updater(new Adam(1e-2)).weightInit(zeroInit ? WeightInit.ZERO : WeightInit.XAVIER).list();
        if (model.equals("hidden8")) {
            list.layer(new DenseLayer.Builder().nIn(nIn).nOut(8).hasBias(false).activation(Activation.TANH).build());
            list.layer(output.nIn(8).build());
        } else {
            list.layer(output.nIn(nIn).build());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    static Point measure(String model, String loss, String phase, MultiLayerNetwork net, DataSet data, int maxExact) {
        boolean exact = net.numParams() <= maxExact;
        HessianBlockEstimator estimator = HessianBlockEstimator.builder()
                .partition(BlockPartition.perOutputNeuron())
                .method(exact ? HessianBlockEstimator.Method.EXACT : HessianBlockEstimator.Method.STOCHASTIC)
                .probesPerBlock(8).maxBlocks(exact ? Integer.MAX_VALUE : 64).lanczosSteps(0).traceProbes(0)
                .build();
        BlockHessianReport r = estimator.estimate(net, data);
        int classes = (int) net.getOutputLayer().getParam("W").size(1);
        return new Point(model, loss, phase, classes, exact ? "exact" : "stochastic", r.pairwiseRatio(),
                r.pairwiseRatioStandardError());
    }

    static List<Point> series(List<Point> points, String model, String loss, String phase) {
        return points.stream().filter(p -> p.model().equals(model) && p.loss().equals(loss) && p.phase().equals(phase)
                && p.pairwiseRatio() > 0).toList();
    }

    /** Least-squares slope of log(ratio) against log(C). */
    public static double slope(List<Point> series) {
        return logLogSlope(series.stream().mapToDouble(Point::classes).toArray(),
                series.stream().mapToDouble(Point::pairwiseRatio).toArray());
    }

    /** Least-squares slope of {@code log y} against {@code log x}; NaN with fewer than two points. */
    public static double logLogSlope(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += Math.log(x[i]) / n;
            my += Math.log(y[i]) / n;
        }
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            double dx = Math.log(x[i]) - mx;
            sxy += dx * (Math.log(y[i]) - my);
            sxx += dx * dx;
        }
        return sxy / sxx;
    }

    static void writeCsv(Path file, List<Point> points) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("model,loss,phase,classes,method,pairwise_ratio,standard_error,c_times_ratio");
            for (Point p : points) {
                w.printf(Locale.ROOT, "%s,%s,%s,%d,%s,%.8g,%.4g,%.6g%n", p.model(), p.loss(), p.phase(), p.classes(),
                        p.method(), p.pairwiseRatio(), p.standardError(), p.classes() * p.pairwiseRatio());
            }
        }
    }

    static void plot(Path file, List<Point> points, String[] models, String[] losses) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(600)
                .title("Hessian pairwiseRatio (blocks = output neurons) against classes C")
                .xAxisTitle("classes C").yAxisTitle("pairwiseRatio").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        for (String model : models) {
            for (String loss : losses) {
                for (String phase : new String[] {"init", "trained"}) {
                    List<Point> s = series(points, model, loss, phase);
                    if (!s.isEmpty()) {
                        chart.addSeries(model + " " + loss + " " + phase, s.stream().mapToDouble(Point::classes).toArray(),
                                s.stream().mapToDouble(Point::pairwiseRatio).toArray());
                    }
                }
            }
        }
        List<Point> any = series(points, models[0], losses[0], "init");
        if (any.size() >= 2) {
            double[] cs = any.stream().mapToDouble(Point::classes).toArray();
            chart.addSeries("1/C", cs, Arrays.stream(cs).map(c -> 1.0 / c).toArray());
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
