package dev.curvature.examples.spark;

import dev.curvature.examples.data.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fast mode of the Spark examples on tiny data: IDX files written here in the Fashion-MNIST format (a learnable
 * pattern: class c brightens rows 2c..2c+2 of the 28x28 image on average, under strong noise), the synthetic fallback with Hessian
 * probes, the benchmark on a tiny task, and the option errors.
 */
class SparkExamplesTest {

    /** Writes train/test IDX files where label c brightens image rows [2c, 2c+2) on average (uniform 120..255 there, 0..179 elsewhere). */
    static void writeIdx(Path dir, FashionMnist.Split split, int n, long seed) throws IOException {
        Random rnd = new Random(seed);
        int[] labels = new int[n];
        byte[] pixels = new byte[n * 784];
        for (int i = 0; i < n; i++) {
            labels[i] = rnd.nextInt(10);
            for (int p = 0; p < 784; p++) {
                int row = p / 28;
                boolean lit = row >= 2 * labels[i] && row < 2 * labels[i] + 2;
                pixels[i * 784 + p] = (byte) (lit ? 120 + rnd.nextInt(136) : rnd.nextInt(180));
            }
        }
        Files.createDirectories(dir);
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve(split.labelsFile())))) {
            out.writeInt(0x00000801);
            out.writeInt(n);
            for (int label : labels) {
                out.writeByte(label);
            }
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve(split.imagesFile())))) {
            out.writeInt(0x00000803);
            out.writeInt(n);
            out.writeInt(28);
            out.writeInt(28);
            out.write(pixels);
        }
    }

    static String capture(java.util.function.Consumer<PrintStream> body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            body.accept(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Stated targets on the written IDX data (600 train, 200 test, 3 epochs, 2 workers averaging every 2 batches of
     * 20): training loss falls every epoch, and test accuracy ends above 0.7 (chance is 0.1).
     */
    @Test
    void fashionMnistExampleTrainsOnIdxFilesAndPrintsOneLinePerEpoch(@TempDir Path dir) throws IOException {
        writeIdx(dir, FashionMnist.Split.TRAIN, 600, 1);
        writeIdx(dir, FashionMnist.Split.TEST, 200, 2);
        SparkFashionMnist.Result[] result = new SparkFashionMnist.Result[1];
        String printed = capture(out -> result[0] = SparkFashionMnist.run(new String[] {"--master", "local[2]",
                "--data", dir.toString(), "--train", "600", "--test", "200", "--epochs", "3", "--batch", "20",
                "--averaging-frequency", "2", "--optimizer", "adammini", "--lr", "0.002"}, out));
        System.out.print(printed);
        SparkFashionMnist.Result r = result[0];
        assertTrue(r.data().startsWith("Fashion-MNIST (" + dir), r.data());
        assertEquals("AdamMini", r.optimizer());
        assertEquals(2, r.workers());
        assertEquals(3, r.epochs().size());
        // 600 examples / (2 workers x 20 x 2 minibatches) = 7.5 -> DL4J's balanced split makes 8 rounds per epoch
        assertTrue(r.epochs().get(0).rounds() >= 7, "rounds per epoch: " + r.epochs().get(0).rounds());
        for (int e = 1; e < 3; e++) {
            assertTrue(r.epochs().get(e).trainLoss() < r.epochs().get(e - 1).trainLoss(), "loss falls: " + r.epochs());
        }
        assertTrue(r.epochs().get(2).testAccuracy() > 0.7, "test accuracy " + r.epochs().get(2).testAccuracy());
        List<String> epochLines = printed.lines().filter(l -> l.startsWith("epoch ")).toList();
        assertEquals(3, epochLines.size(), printed);
        assertTrue(epochLines.get(2).contains(String.format(java.util.Locale.ROOT, "test accuracy %.4f",
                r.epochs().get(2).testAccuracy())), epochLines.get(2));
    }

    @Test
    void syntheticFallbackWithDriverSideHessianProbes() {
        SparkFashionMnist.Result[] result = new SparkFashionMnist.Result[1];
        String printed = capture(out -> result[0] = SparkFashionMnist.run(new String[] {"--master", "local[2]",
                "--synthetic", "--train", "256", "--test", "64", "--epochs", "1", "--batch", "32",
                "--averaging-frequency", "2", "--optimizer", "muon", "--hessian"}, out));
        System.out.print(printed);
        SparkFashionMnist.Result r = result[0];
        assertEquals("synthetic 10-class task", r.data());
        assertTrue(r.hessianReports().size() >= 1, "the first round is always probed");
        assertEquals(2, r.hessianReports().get(0).iteration(), "probed after the first round (DL4J counts averagingFrequency steps per round)");
        assertTrue(printed.contains("hessian @ iteration 2: pairwiseRatio"), printed);
        assertTrue(Double.isFinite(r.epochs().get(0).trainLoss()));
    }

    @Test
    void benchmarkPrintsTheTableAndWritesCsv(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("bench.csv");
        List<SparkBenchmark.Row>[] rows = new List[1];
        String printed = capture(out -> rows[0] = SparkBenchmark.run(new String[] {"--master", "local[2]",
                "--epochs", "2", "--train", "512", "--test", "128", "--inputs", "16", "--hidden", "24", "--batch",
                "32", "--averaging-frequency", "2", "--optimizers", "adammini,muon", "--csv", csv.toString()}, out));
        System.out.print(printed);
        assertEquals(6, rows[0].size(), "2 optimizers x (local, Spark, ParallelWrapper)");
        for (SparkBenchmark.Row r : rows[0]) {
            assertTrue(r.finalLoss() < r.initialLoss(), r.toString());
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals("optimizer,mode,initial_loss,final_loss,test_accuracy,seconds", lines.get(0));
        assertEquals(7, lines.size());
        assertTrue(lines.get(2).startsWith("AdamMini,Spark local[2] averaging,"), lines.get(2));
        assertTrue(printed.contains("| Muon | ParallelWrapper 2 workers |"), printed);
    }

    @Test
    void helpAndBadOptions() {
        assertNull(SparkFashionMnist.run(new String[] {"--help"}, new PrintStream(new ByteArrayOutputStream())));
        assertTrue(capture(out -> SparkFashionMnist.run(new String[] {"--help"}, out)).contains("--averaging-frequency N"));
        assertTrue(capture(out -> SparkBenchmark.run(new String[] {"--help"}, out)).contains("--optimizers LIST"));
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("--optimizer must be one of [adam, adammini, muon], got 'sgd'", new String[] {"--optimizer", "sgd"});
        cases.put("--epochs must be >= 1, got 0", new String[] {"--epochs", "0"});
        cases.put("--averaging-frequency must be an integer, got 'often'",
                new String[] {"--averaging-frequency", "often"});
        cases.put("--lr must be a finite number > 0, got -1.0", new String[] {"--lr", "-1"});
        cases.put("unknown option --frobnicate", new String[] {"--frobnicate"});
        cases.put("lacks train-images-idx3-ubyte", new String[] {"--data", "/nonexistent-fashion-mnist"});
        // DIR would be ignored by the synthetic task: the combination is refused, as compare refuses it
        cases.put("--data and --synthetic contradict each other",
                new String[] {"--synthetic", "--data", System.getProperty("java.io.tmpdir")});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SparkFashionMnist.run(c.getValue(), new PrintStream(new ByteArrayOutputStream())));
            assertTrue(e.getMessage().contains(c.getKey()), c.getKey() + " vs " + e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkBenchmark.run(
                new String[] {"--optimizers", "adam,lion"}, new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("got 'lion'"), e.getMessage());
    }
}
