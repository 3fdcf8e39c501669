package dev.curvature.examples;

import dev.curvature.examples.data.FashionMnist;
import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.BlockPartition;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.hessian.HessianOperator;
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
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code classes --figure1}: Figure 1 of Dong, Zhang, Luo, Yao, Sun 2025 (arXiv 2505.02809) in DL4J. A width-8 ReLU
 * network without biases ({@code 784 -> 8 -> 10}, {@code WeightInit.UNIFORM}) on Fashion-MNIST; its hidden-layer
 * Hessian ({@code 6272 x 6272}, blocks = the 8 hidden neurons) and its output-layer Hessian ({@code 80 x 80}, blocks =
 * the 10 classes) as heatmaps of {@code |H|} with the block boundaries drawn, and below them the mean {@code |H|} of
 * each block pair, at initialisation and after training with Adam; and the per-layer pairwiseRatio against training
 * steps for the same run (the paper's "dynamic force" of training).
 *
 * <p>The Hessians are exact: one exact Hessian-vector product per parameter of the layer (the ReLU kinks frozen at
 * the probe point), of the mean loss on a fixed probe batch of training images. The curve uses the listener's
 * stochastic estimator (every block probed) at a fixed interval.
 */
public final class Figure1 {
    private Figure1() {
    }

    public static final String HELP = """
            classes --figure1: the paper's Figure 1 on Fashion-MNIST: the width-8 ReLU network (no biases, UNIFORM
                               init), hidden- and output-layer Hessian heatmaps with block boundaries and per-block
                               mean |H|, at initialisation and after Adam training, and the per-layer ratio against
                               training steps
              --data DIR       Fashion-MNIST IDX directory (default /usr/share/datasets/fashion-mnist)
              --synthetic      use the built-in synthetic 10-class task instead
              --train N        training images (default 20000)
              --probe N        images in the probe batch, taken from the training images (default 1000)
              --epochs N       Adam epochs (default 3)
              --batch N        minibatch size (default 64)
              --lr X           Adam learning rate (default 0.003)
              --curve-every N  training steps between points of the ratio curve (default 50)
              --seed N         weights and batch order (default 1)
              --out DIR        where to write the PNGs and CSVs (default target/figure1)
            """;

    static final int HIDDEN = 8;

    /** Block norms and mean |H| of one layer's Hessian, and its per-layer ratio. */
    public record LayerPicture(String layer, int blocks, double[][] blockNorms, double[][] blockMeanAbs,
                               double pairwiseRatio) {
    }

    /** What a run measured. */
    public record Result(LayerPicture hiddenInit, LayerPicture outputInit, LayerPicture hiddenTrained,
                         LayerPicture outputTrained, List<long[]> curveSteps, List<double[]> curve) {
    }

    public static Result run(String[] argv) throws IOException {
        Args args = new Args(argv, Set.of("data", "train", "probe", "epochs", "batch", "lr", "curve-every", "seed",
                "out"), Set.of("help", "figure1", "synthetic"));
        if (args.flag("help")) {
            System.out.print(HELP);
            return null;
        }
        int trainSize = args.getInt("train", 20000, 1);
        int probeSize = args.getInt("probe", 1000, 2);
        int epochs = args.getInt("epochs", 3, 0);
        int batch = args.getInt("batch", 64, 1);
        double lr = args.getDouble("lr", 3e-3);
        if (!(lr > 0)) {
            throw new IllegalArgumentException("--lr must be > 0, got " + lr);
        }
        int every = args.getInt("curve-every", 50, 1);
        int seed = args.getInt("seed", 1, 0);
        Path out = Path.of(args.get("out", "target/figure1"));
        if (probeSize > trainSize) {
            throw new IllegalArgumentException("--probe " + probeSize + " is more than --train " + trainSize);
        }
        Optional<Path> dir = FashionMnist.choose(args.get("data", null), args.flag("synthetic"));
        DataSet train = dir.isPresent() ? FashionMnist.load(dir.get(), FashionMnist.Split.TRAIN, trainSize)
                : SyntheticTask.make(seed, trainSize, 1, FashionMnist.PIXELS, FashionMnist.CLASSES)[0];
        DataSet probe = (DataSet) train.getRange(0, probeSize);
        String source = dir.isPresent() ? "Fashion-MNIST" : "synthetic 10-class task";
        System.out.printf(Locale.ROOT, "[figure1] %s: %d training images, probe batch of %d, %d epochs of Adam(%g)%n",
                source, train.numExamples(), probeSize, epochs, lr);
        return make(train, probe, epochs, batch, lr, every, seed, out, source);
    }

    /**
     * The figure for {@code train} (inputs of any width {@code d}: the network is {@code d -> 8 -> classes}), with
     * Hessians on {@code probe}.
     */
    static Result make(DataSet train, DataSet probe, int epochs, int batch, double lr, int every, long seed, Path out,
                       String source) throws IOException {
        long start = System.nanoTime();
        int d = (int) train.getFeatures().size(1);
        int classes = (int) train.getLabels().size(1);
        MultiLayerNetwork net = network(d, classes, seed, lr);
        System.out.printf(Locale.ROOT, "[figure1] exact Hessians at initialisation (%d + %d products)%n", d * HIDDEN,
                HIDDEN * classes);
        LayerPicture[] init = pictures(net, probe, out, "init", start);

        HessianBlockListener curveListener = HessianBlockListener.builder().frequency(every).probeBatch(probe)
                .estimator(HessianBlockEstimator.builder().partition(BlockPartition.perOutputNeuron())
                        .probesPerBlock(8).maxBlocks(HIDDEN + classes).lanczosSteps(0).traceProbes(0)
                        .seed(seed).build())
                .build();
        net.setListeners(curveListener);
        for (int e = 0; e < epochs; e++) {
            train.shuffle(seed + e);
            for (DataSet b : train.batchBy(batch)) {
                net.fit(b);
            }
            System.out.printf(Locale.ROOT, "[figure1] epoch %d/%d done, %d steps, %d curve points, %.0f s%n", e + 1,
                    epochs, net.getIterationCount(), curveListener.history().size(), (System.nanoTime() - start) / 1e9);
        }
        net.setListeners();
        System.out.println("[figure1] exact Hessians after training");
        LayerPicture[] trained = pictures(net, probe, out, "trained", start);

        List<long[]> steps = new ArrayList<>();
        List<double[]> curve = new ArrayList<>();
        for (BlockHessianReport r : curveListener.history()) {
            LayerSummary h = layer(r, "hidden");
            LayerSummary o = layer(r, "output");
            steps.add(new long[] {r.iteration()});
            curve.add(new double[] {h.pairwiseRatio(), h.pairwiseRatioStandardError(), o.pairwiseRatio(),
                    o.pairwiseRatioStandardError()});
        }
        Files.createDirectories(out);
        writeBlocks(out.resolve("figure1-blocks.csv"), init, trained);
        writeCurve(out.resolve("figure1-ratio.csv"), steps, curve);
        plotCurve(out.resolve("figure1-ratio.png"), steps, curve, init, trained, source);
        System.out.printf(Locale.ROOT, "[figure1] per-layer pairwiseRatio: hidden %.4g -> %.4g, output %.4g -> %.4g "
                        + "(exact, initialisation -> after %d steps)%n", init[0].pairwiseRatio(),
                trained[0].pairwiseRatio(), init[1].pairwiseRatio(), trained[1].pairwiseRatio(), net.getIterationCount());
        System.out.printf(Locale.ROOT, "wrote figure1-init.png, figure1-trained.png, figure1-ratio.png and CSVs to %s "
                + "(%.0f s)%n", out.toAbsolutePath(), (System.nanoTime() - start) / 1e9);
        return new Result(init[0], init[1], trained[0], trained[1], steps, curve);
    }

    private static LayerSummary layer(BlockHessianReport r, String name) {
        return r.layers().stream().filter(l -> l.layer().equals(name)).findFirst().orElseThrow();
    }

    /** The width-8 ReLU network without biases, {@code d -> 8 -> classes}, UNIFORM initialisation. */
    static MultiLayerNetwork network(int d, int classes, long seed, double lr) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).weightInit(WeightInit.UNIFORM).updater(new Adam(lr)).list()
                .layer(new DenseLayer.Builder().name("hidden").nIn(d).nOut(HIDDEN).hasBias(false)
                        .activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("output").nIn(HIDDEN)
                        .nOut(classes).hasBias(false).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    /**
     * The exact hidden- and output-layer Hessians of {@code net} on {@code probe}, drawn to
     * {@code figure1-<phase>.png}; returns their block summaries.
     */
    static LayerPicture[] pictures(MultiLayerNetwork net, DataSet probe, Path out, String phase, long start)
            throws IOException {
        int d = (int) net.getLayer(0).getParam("W").size(0);
        int classes = (int) net.getOutputLayer().getParam("W").size(1);
        int hiddenParams = d * HIDDEN;
        int outputParams = HIDDEN * classes;
        // DL4J's W [nIn, nOut] in 'f' order: neuron j's incoming weights are contiguous, so block j = [j nIn, (j+1) nIn)
        Heatmap hidden = new Heatmap(hiddenParams, d, Math.max(1, (hiddenParams + 783) / 784));
        Heatmap output = new Heatmap(outputParams, HIDDEN, 1);
        try (HessianOperator h = HessianOperator.of(net, probe)) {
            long total = h.dimension();
            for (int a = 0; a < hiddenParams + outputParams; a++) {
                INDArray e = Nd4j.zeros(DataType.DOUBLE, total);
                e.putScalar(a, 1.0);
                INDArray column = h.apply(e);
                if (a < hiddenParams) {
                    hidden.addColumn(a, column.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, hiddenParams))
                            .toDoubleVector());
                } else {
                    output.addColumn(a - hiddenParams, column.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(
                            hiddenParams, hiddenParams + outputParams)).toDoubleVector());
                }
                column.close();
                e.close();
                if ((a + 1) % 1000 == 0) {
                    System.out.printf(Locale.ROOT, "[figure1] %s: %d of %d products, %.0f s%n", phase, a + 1,
                            hiddenParams + outputParams, (System.nanoTime() - start) / 1e9);
                }
            }
        }
        LayerPicture hp = hidden.picture("hidden");
        LayerPicture op = output.picture("output");
        Files.createDirectories(out);
        drawFigure(out.resolve("figure1-" + phase + ".png"), hidden, output, hp, op, phase);
        return new LayerPicture[] {hp, op};
    }

    /** Accumulates one layer's Hessian column by column: binned |H| for the picture and block statistics. */
    static final class Heatmap {
        final int n;
        final int blockSize;
        final int blocks;
        final int bin;
        final int pixels;
        final double[][] binned;
        final double[][] blockSq;
        final double[][] blockAbs;

        Heatmap(int n, int blockSize, int bin) {
            this.n = n;
            this.blockSize = blockSize;
            this.blocks = n / blockSize;
            this.bin = bin;
            this.pixels = (n + bin - 1) / bin;
            this.binned = new double[pixels][pixels];
            this.blockSq = new double[blocks][blocks];
            this.blockAbs = new double[blocks][blocks];
        }

        void addColumn(int col, double[] values) {
            int cb = col / blockSize;
            int cp = col / bin;
            for (int row = 0; row < n; row++) {
                double v = values[row];
                double abs = Math.abs(v);
                binned[row / bin][cp] += abs / ((double) bin * bin);
                blockSq[row / blockSize][cb] += v * v;
                blockAbs[row / blockSize][cb] += abs / ((double) blockSize * blockSize);
            }
        }

        LayerPicture picture(String layer) {
            double[][] norms = new double[blocks][blocks];
            double diag = 0;
            double off = 0;
            for (int i = 0; i < blocks; i++) {
                for (int j = 0; j < blocks; j++) {
                    norms[i][j] = Math.sqrt(blockSq[i][j]);
                    if (i == j) {
                        diag += blockSq[i][j];
                    } else {
                        off += blockSq[i][j];
                    }
                }
            }
            double ratio = Math.sqrt(off / (blocks * (blocks - 1.0))) / Math.sqrt(diag / blocks);
            return new LayerPicture(layer, blocks, norms, blockAbs, ratio);
        }
    }

    /** Top row: |H| heatmaps (log colour scale) with block boundaries; bottom row: mean |H| per block pair. */
    static void drawFigure(Path file, Heatmap hidden, Heatmap output, LayerPicture hp, LayerPicture op, String phase)
            throws IOException {
        int cell = 392;
        int margin = 40;
        BufferedImage img = new BufferedImage(2 * cell + 3 * margin, 2 * cell + 3 * margin + 20,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("Hessian of the width-8 ReLU network, " + (phase.equals("init") ? "at initialisation"
                : "after training") + " (|H|, log colour scale)", margin, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        drawMatrix(g, hidden.binned, margin, margin + 20, cell, hidden.blocks, String.format(Locale.ROOT,
                "hidden layer: %d x %d, %d blocks, ratio %.3g", hidden.n, hidden.n, hidden.blocks, hp.pairwiseRatio()));
        drawMatrix(g, output.binned, 2 * margin + cell, margin + 20, cell, output.blocks, String.format(Locale.ROOT,
                "output layer: %d x %d, %d blocks, ratio %.3g", output.n, output.n, output.blocks, op.pairwiseRatio()));
        drawMatrix(g, hp.blockMeanAbs(), margin, 2 * margin + cell + 20, cell, hp.blocks(),
                "hidden layer: mean |H| per block pair");
        drawMatrix(g, op.blockMeanAbs(), 2 * margin + cell, 2 * margin + cell + 20, cell, op.blocks(),
                "output layer: mean |H| per block pair");
        g.dispose();
        javax.imageio.ImageIO.write(img, "png", file.toFile());
    }

    private static void drawMatrix(Graphics2D g, double[][] m, int x0, int y0, int size, int blocks, String title) {
        int n = m.length;
        double max = 0;
        for (double[] row : m) {
            for (double v : row) {
                max = Math.max(max, v);
            }
        }
        double floor = max * 1e-4; // four decades of colour
        double px = (double) size / n;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v = m[i][j];
                double t = v <= floor ? 0 : Math.log(v / floor) / Math.log(max / floor);
                g.setColor(colour(t));
                g.fillRect(x0 + (int) Math.floor(j * px), y0 + (int) Math.floor(i * px),
                        (int) Math.ceil(px), (int) Math.ceil(px));
            }
        }
        g.setColor(new Color(220, 30, 30));
        g.setStroke(new BasicStroke(1.5f));
        for (int b = 0; b <= blocks; b++) {
            int p = (int) Math.round((double) b * size / blocks);
            g.drawLine(x0 + p, y0, x0 + p, y0 + size);
            g.drawLine(x0, y0 + p, x0 + size, y0 + p);
        }
        g.setColor(Color.BLACK);
        g.drawString(title, x0, y0 - 6);
    }

    /** White (0) through blue to black (1). */
    private static Color colour(double t) {
        t = Math.max(0, Math.min(1, t));
        int r = (int) Math.round(255 * (1 - t) * (1 - t));
        int gr = (int) Math.round(255 * (1 - t) * (1 - 0.6 * t));
        int b = (int) Math.round(255 * (1 - 0.5 * t));
        return new Color(r, gr, b);
    }

    static void writeBlocks(Path file, LayerPicture[] init, LayerPicture[] trained) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("phase,layer,block_i,block_j,block_norm,mean_abs");
            for (LayerPicture[] phase : new LayerPicture[][] {init, trained}) {
                for (LayerPicture p : phase) {
                    for (int i = 0; i < p.blocks(); i++) {
                        for (int j = 0; j < p.blocks(); j++) {
                            w.printf(Locale.ROOT, "%s,%s,%d,%d,%.8g,%.8g%n", phase == init ? "init" : "trained",
                                    p.layer(), i, j, p.blockNorms()[i][j], p.blockMeanAbs()[i][j]);
                        }
                    }
                }
            }
        }
    }

    static void writeCurve(Path file, List<long[]> steps, List<double[]> curve) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("step,layer,pairwise_ratio,standard_error");
            for (int i = 0; i < steps.size(); i++) {
                double[] c = curve.get(i);
                w.printf(Locale.ROOT, "%d,hidden,%.8g,%.4g%n", steps.get(i)[0], c[0], c[1]);
                w.printf(Locale.ROOT, "%d,output,%.8g,%.4g%n", steps.get(i)[0], c[2], c[3]);
            }
        }
    }

    static void plotCurve(Path file, List<long[]> steps, List<double[]> curve, LayerPicture[] init,
                          LayerPicture[] trained, String source) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title("Per-layer pairwiseRatio during Adam training (" + source + ", width-8 ReLU network)")
                .xAxisTitle("training step").yAxisTitle("pairwiseRatio (± 1 standard error)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        if (steps.isEmpty()) {
            chart.addSeries("no curve points", new double[] {0}, new double[] {init[0].pairwiseRatio()});
        } else {
            double[] x = steps.stream().mapToDouble(s -> s[0]).toArray();
            for (int layer = 0; layer < 2; layer++) {
                int col = 2 * layer;
                double[] y = curve.stream().mapToDouble(c -> c[col]).toArray();
                double[] se = curve.stream().mapToDouble(c -> Math.min(c[col + 1], 0.9 * c[col])).toArray();
                XYSeries s = chart.addSeries((layer == 0 ? "hidden" : "output") + " layer (stochastic)", x, y, se);
                s.setMarker(SeriesMarkers.CIRCLE);
            }
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
