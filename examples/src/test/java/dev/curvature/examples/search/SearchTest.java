package dev.curvature.examples.search;

import dev.curvature.examples.data.IdxFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Arbiter {@code search} end to end on tiny IDX files: every candidate trains, rates are the log grid. */
class SearchTest {

    @Test
    void gridOfLearningRatesPerOptimizerIsSearchedAndWritten(@TempDir Path tmp) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path data = IdxFiles.writeRandom(tmp.resolve("fmnist"), 200, 10, 5);
        Path out = tmp.resolve("out");
        List<Search.Row> rows = Search.run(new String[] {"--data", data.toString(), "--points", "2", "--train", "128",
                "--validation", "64", "--epochs", "1", "--batch", "64", "--range-adam", "1e-4:1e-2",
                "--range-muon", "1e-3:1e-1", "--out", out.toString()});
        assertEquals(6, rows.size());
        for (String o : List.of("adam", "adammini", "muon")) {
            List<Search.Row> mine = rows.stream().filter(r -> r.optimizer().equals(o)).toList();
            assertEquals(2, mine.size(), o);
            double lo = o.equals("muon") ? 1e-3 : o.equals("adam") ? 1e-4 : 3e-4;
            double hi = o.equals("muon") ? 1e-1 : o.equals("adam") ? 1e-2 : 3e-3;
            // the rates each candidate trained with (read back from its network): both ends of the log grid
            assertEquals(lo, Math.min(mine.get(0).learningRate(), mine.get(1).learningRate()), lo * 1e-9, o);
            assertEquals(hi, Math.max(mine.get(0).learningRate(), mine.get(1).learningRate()), hi * 1e-9, o);
            for (Search.Row r : mine) {
                assertEquals("Complete", r.status());
                // accuracy on 64 validation images: a multiple of 1/64
                assertEquals(Math.round(r.validationAccuracy() * 64), r.validationAccuracy() * 64, 1e-9);
            }
        }
        Map<String, Search.Row> best = Search.best(rows);
        assertEquals(3, best.size());
        List<String> csv = Files.readAllLines(out.resolve("search.csv"));
        assertEquals("model,optimizer,learning_rate,beta2,validation_accuracy,seconds,status", csv.get(0));
        assertEquals(7, csv.size());
        assertTrue(Files.size(out.resolve("search.png")) > 10_000, "PNG written");
        Search.Row first = rows.get(0);
        assertTrue(csv.get(1).startsWith(String.format(Locale.ROOT, "mlp,%s,%.6g,0.999,%.6f,", first.optimizer(),
                first.learningRate(), first.validationAccuracy())), csv.get(1));
    }

    @Test
    void cnnSearchCrossesRatesWithBeta2AndTrainsWithThem(@TempDir Path tmp) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path data = IdxFiles.writeRandom(tmp.resolve("fmnist"), 96, 10, 5);
        List<Search.Row> rows = Search.run(new String[] {"--data", data.toString(), "--model", "cnn",
                "--optimizers", "adam,adammini", "--points", "2", "--beta2", "0.95,0.999", "--train", "64",
                "--validation", "32", "--epochs", "1", "--batch", "32", "--out", tmp.resolve("out").toString()});
        assertEquals(8, rows.size());
        for (String o : List.of("adam", "adammini")) {
            // every (rate, beta2) pair of the 2 x 2 grid, read back from the trained networks
            java.util.Set<String> pairs = new java.util.TreeSet<>();
            for (Search.Row r : rows) {
                if (r.optimizer().equals(o)) {
                    assertEquals("Complete", r.status());
                    pairs.add(String.format(Locale.ROOT, "%.4g/%s", r.learningRate(), r.beta2()));
                }
            }
            assertEquals(java.util.Set.of("0.0003000/0.95", "0.0003000/0.999", "0.003000/0.95", "0.003000/0.999"),
                    pairs, o);
        }
        List<String> csv = Files.readAllLines(tmp.resolve("out").resolve("search.csv"));
        assertTrue(csv.get(1).startsWith("cnn,"), csv.get(1));
    }

    @Test
    void validationImagesComeFromTheEndOfTheTrainingSplit(@TempDir Path tmp) throws IOException {
        Path data = IdxFiles.writeRandom(tmp.resolve("fmnist"), 50, 5, 9);
        SearchDataSource source = new SearchDataSource();
        source.configure(SearchDataSource.properties(data, 30, 20, 16, 1));
        org.nd4j.linalg.dataset.DataSet[] splits = source.splits();
        // image i has pixel p = (i*31 + p*7) % 256 / 255: the validation split starts at image 30
        assertEquals(IdxFiles.pixel(30, 0) / 255.0, splits[1].getFeatures().getDouble(0, 0), 1e-7);
        assertEquals(20, splits[1].numExamples());
        source.configure(SearchDataSource.properties(data, 40, 20, 16, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, source::splits);
        assertTrue(e.getMessage().contains("exceeds the 50 images"), e.getMessage());
    }

    @Test
    void badOptionsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Search.run(new String[] {"--range-muon", "0.1:0.01"}));
        assertTrue(e.getMessage().contains("--range-muon must be MIN:MAX with 0 < MIN <= MAX, got '0.1:0.01'"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Search.run(new String[] {"--optimizers", "sgd"}));
        assertTrue(e.getMessage().contains("unknown optimizer 'sgd'"), e.getMessage());
        Map<String[], String> cases = Map.of(
                new String[] {"--beta2", "0.9,1"}, "--beta2 must be a comma-separated list of numbers in [0, 1)",
                new String[] {"--beta2", "0.95,0.95"}, "--beta2 lists 0.95 twice",
                new String[] {"--beta2", "0.95", "--optimizers", "muon"}, "--beta2 applies to adam and adammini",
                new String[] {"--range-muon", "0.01:0.1", "--optimizers", "adam"}, "--range-muon is set but muon",
                new String[] {"--model", "rnn"}, "unknown model 'rnn'");
        for (Map.Entry<String[], String> c : cases.entrySet()) {
            e = assertThrows(IllegalArgumentException.class, () -> Search.run(c.getKey()));
            assertTrue(e.getMessage().contains(c.getValue()), e.getMessage());
        }
    }
}
