package dev.curvature.examples;

import dev.curvature.hessian.HessianOperator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code classes --paper} in a fast mode: closed forms and identities of the per-layer ratio, the linear
 * cross-entropy slope, agreement with an explicitly assembled Hessian, the output files and the bad-option table.
 */
class PaperReproductionTest {

    private static double ratio(List<PaperReproduction.Row> rows, String layer) {
        return rows.stream().filter(r -> r.layer().equals(layer)).findFirst().orElseThrow().pairwiseRatio();
    }

    @Test
    void atZeroWeightsTheLinearCrossEntropyRatioIsTheClosedForm() {
        for (int c : new int[] {3, 7, 20}) {
            MultiLayerNetwork net = PaperReproduction.network("linear", "ce", 6, c, 5);
            net.params().assign(0);
            DataSet data = PaperReproduction.gaussianData(9, 60, 6, c);
            List<PaperReproduction.Row> rows = PaperReproduction.measure("linear", "ce", c, 1, net, data, 4096, 8);
            assertEquals(1.0 / (c - 1), ratio(rows, "output"), 1e-9 / (c - 1), "C = " + c);
            assertEquals("exact", rows.get(0).method());
        }
    }

    @Test
    void withTwoClassesTheCrossEntropyRatioIsOneAtAnyWeights() {
        // two softmax outputs: p_1 = 1 - p_2, so H_12 = -H_11 = -H_22 for the output weights
        for (String model : PaperReproduction.MODELS) {
            for (long seed : new long[] {1, 2}) {
                MultiLayerNetwork net = PaperReproduction.network(model, "ce", 10, 2, seed);
                DataSet data = PaperReproduction.gaussianData(seed, 100, 10, 2);
                List<PaperReproduction.Row> rows = PaperReproduction.measure(model, "ce", 2, 1, net, data, 4096, 8);
                assertEquals(1.0, ratio(rows, "output"), 1e-9, model + " seed " + seed);
            }
        }
    }

    @Test
    void underMseTheLinearModelAndTheOutputLayerAreExactlyBlockDiagonal() {
        for (String model : PaperReproduction.MODELS) {
            MultiLayerNetwork net = PaperReproduction.network(model, "mse", 10, 6, 3);
            DataSet data = PaperReproduction.gaussianData(3, 100, 10, 6);
            List<PaperReproduction.Row> rows = PaperReproduction.measure(model, "mse", 6, 1, net, data, 4096, 8);
            assertTrue(ratio(rows, "output") <= 1e-12, model + ": " + ratio(rows, "output"));
            if (model.equals("hidden8")) {
                assertTrue(ratio(rows, "hidden") > 1e-3, "the hidden layer is not block-diagonal");
            }
        }
    }

    /** The per-layer and pooled ratios equal those of the Hessian assembled column by column, to 1e-9. */
    @Test
    void perLayerRatiosEqualThoseOfTheExplicitHessian() {
        int d = 4;
        int c = 3;
        MultiLayerNetwork net = PaperReproduction.network("hidden8", "ce", d, c, 11);
        DataSet data = PaperReproduction.gaussianData(11, 30, d, c);
        List<PaperReproduction.Row> rows = PaperReproduction.measure("hidden8", "ce", c, 1, net, data, 4096, 8);
        double[][] h;
        try (HessianOperator op = HessianOperator.of(net, data)) {
            int p = (int) op.dimension();
            h = new double[p][];
            for (int a = 0; a < p; a++) {
                INDArray e = Nd4j.zeros(DataType.DOUBLE, p);
                e.putScalar(a, 1.0);
                h[a] = op.apply(e).toDoubleVector();
            }
        }
        // hidden W [d, 8] 'f': neuron j = [j d, (j+1) d); output W [8, c] 'f': class k = 8 d + [8 k, 8 (k+1))
        int[] blockOf = new int[h.length];
        for (int a = 0; a < h.length; a++) {
            blockOf[a] = a < 8 * d ? a / d : 8 + (a - 8 * d) / 8;
        }
        assertEquals(ratioOf(h, blockOf, 0, 8), ratio(rows, "hidden"), 1e-9 * ratio(rows, "hidden"), "hidden");
        assertEquals(ratioOf(h, blockOf, 8, 8 + c), ratio(rows, "output"), 1e-9 * ratio(rows, "output"), "output");
        assertEquals(ratioOf(h, blockOf, 0, 8 + c), ratio(rows, "pooled"), 1e-9 * ratio(rows, "pooled"), "pooled");
    }

    /** pairwiseRatio over blocks {@code [from, to)} of a dense matrix, from its definition. */
    private static double ratioOf(double[][] h, int[] blockOf, int from, int to) {
        int b = to - from;
        double[][] sq = new double[b][b];
        for (int x = 0; x < h.length; x++) {
            for (int y = 0; y < h.length; y++) {
                int i = blockOf[x] - from;
                int j = blockOf[y] - from;
                if (i >= 0 && i < b && j >= 0 && j < b) {
                    sq[i][j] += h[x][y] * h[x][y];
                }
            }
        }
        double diag = 0;
        double off = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                if (i == j) {
                    diag += sq[i][j];
                } else {
                    off += sq[i][j];
                }
            }
        }
        return Math.sqrt(off / (b * (b - 1.0))) / Math.sqrt(diag / b);
    }

    @Test
    void theLinearCrossEntropySlopeIsMinusOne() {
        List<PaperReproduction.Row> rows = new ArrayList<>();
        for (int c : new int[] {16, 32, 64, 128}) {
            for (int seed = 1; seed <= 2; seed++) {
                long s = 1000L * c + seed;
                rows.addAll(PaperReproduction.measure("linear", "ce", c, seed,
                        PaperReproduction.network("linear", "ce", 20, c, s),
                        PaperReproduction.gaussianData(s, 200, 20, c), 256, 4));
            }
        }
        double slope = PaperReproduction.slope(PaperReproduction.series(rows, "linear", "ce", "output"), 16);
        assertTrue(slope >= -1.10 && slope <= -0.95, "slope " + slope);
        assertTrue(rows.stream().anyMatch(r -> r.method().equals("stochastic")), "beyond 256 parameters");
    }

    @Test
    void writesTheCsvWithItsColumnsAndThePlot(@TempDir Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<PaperReproduction.Row> rows = PaperReproduction.run(new String[] {"--paper", "--classes", "2,4",
                "--seeds", "2", "--nin", "5", "--samples", "40", "--out", dir.toString()});
        // linear: output + pooled; hidden8: hidden + output + pooled; x 2 losses x 2 C x 2 seeds
        assertEquals((2 + 3) * 2 * 2 * 2, rows.size());
        List<String> csv = Files.readAllLines(dir.resolve("classes-paper.csv"));
        assertEquals("model,loss,layer,classes,seed,pairwise_ratio,method", csv.get(0));
        assertEquals(1 + rows.size(), csv.size());
        assertTrue(csv.contains(String.format(java.util.Locale.ROOT, "linear,ce,output,2,1,%.10g,exact",
                ratio(rows.stream().filter(r -> r.model().equals("linear") && r.loss().equals("ce")
                        && r.classes() == 2 && r.seed() == 1).toList(), "output"))), csv.toString());
        assertTrue(Files.size(dir.resolve("classes-paper.png")) > 20_000, "PNG written");
        PaperReproduction.Stat s = PaperReproduction.stat(rows, "hidden8", "ce", "hidden", 4);
        double[] v = rows.stream().filter(r -> r.model().equals("hidden8") && r.loss().equals("ce")
                && r.layer().equals("hidden") && r.classes() == 4).mapToDouble(PaperReproduction.Row::pairwiseRatio)
                .toArray();
        assertEquals((v[0] + v[1]) / 2, s.mean(), 1e-15);
        assertEquals(Math.abs(v[0] - v[1]) / Math.sqrt(2), s.sd(), 1e-12, "sample standard deviation of two seeds");
    }

    @Test
    void badOptionsAreRefusedWithTheValue() {
        Map<String[], String> cases = Map.of(
                new String[] {"--paper", "--seeds", "0"}, "--seeds must be >= 1, got 0",
                new String[] {"--paper", "--classes", "1,4"}, "--classes values must be >= 2, got 1",
                new String[] {"--paper", "--nin", "-3"}, "--nin must be >= 1, got -3",
                new String[] {"--paper", "--bogus"}, "unknown option --bogus",
                new String[] {"--paper", "--models", "linear,deep"}, "--models takes linear, hidden8, got 'deep'");
        for (Map.Entry<String[], String> c : cases.entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ClassesReproduction.main(c.getKey()));
            assertTrue(e.getMessage().contains(c.getValue()), e.getMessage());
        }
    }

    /** Through the command line: status 2 and "error: ..." on stderr, before any work. */
    @Test
    void theCommandExitsWithStatusTwoOnABadOption() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "classes", "--paper", "--seeds", "0")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(2, p.waitFor(), output);
        assertTrue(output.contains("error: --seeds must be >= 1, got 0"), output);
    }
}
