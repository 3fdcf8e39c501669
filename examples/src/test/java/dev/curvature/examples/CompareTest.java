package dev.curvature.examples;

import dev.curvature.examples.data.IdxFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code compare} end to end in a fast mode on tiny IDX files, and its refusals of bad options. */
class CompareTest {
    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void bothNetworksAllOptimizersWithHessianListenerWriteWhatTheyReport(@TempDir Path tmp) throws IOException {
        Path data = IdxFiles.writeRandom(tmp.resolve("fmnist"), 256, 100, 3);
        Path out = tmp.resolve("out");
        Compare.Result r = Compare.run(new String[] {"--data", data.toString(), "--model", "both", "--epochs", "1",
                "--batch", "64", "--eval-every", "2", "--hessian", "--hessian-every", "2", "--hessian-blocks", "4",
                "--hessian-probes", "1", "--hessian-lanczos", "2", "--warmup", "1", "--out", out.toString()});

        assertTrue(r.fashionMnist());
        assertTrue(r.dataDescription().contains("256 train / 100 test"), r.dataDescription());
        assertEquals(8, r.summaries().size());
        for (String model : List.of("mlp", "cnn")) {
            Map<String, Compare.Summary> s = r.summaries().stream().filter(x -> x.model().equals(model))
                    .collect(Collectors.toMap(Compare.Summary::optimizer, Function.identity()));
            assertEquals(List.of("adam", "adamw", "adammini", "muon"), r.summaries().stream()
                    .filter(x -> x.model().equals(model)).map(Compare.Summary::optimizer).toList());
            // 256 examples / batch 64 = 4 steps; the listener probed at iterations 0 and 2 (every 2)
            for (Compare.Summary x : s.values()) {
                assertEquals(4, x.steps(), model + " " + x.optimizer());
                assertEquals(2, x.hessian().size(), model + " " + x.optimizer());
                assertTrue(x.msPerStep() > 0 && x.trainSeconds() > 0);
                assertTrue(x.finalAccuracy() >= 0 && x.finalAccuracy() <= 1);
            }
            // state memory: Adam with or without decay holds 2 values per parameter, Adam-mini about half of that
            assertEquals(s.get("adam").stateBytes(), s.get("adamw").stateBytes());
            double mini = (double) s.get("adammini").stateBytes() / s.get("adam").stateBytes();
            assertTrue(mini > 0.5 && mini < 0.55, model + " Adam-mini/Adam state = " + mini);

            List<String> curves = Files.readAllLines(out.resolve("compare-" + model + "-curves.csv"));
            assertEquals("model,optimizer,seed,step,epoch,train_seconds,train_loss,test_loss,test_accuracy",
                    curves.get(0));
            // per optimizer: step 0 (before training), 2, 4
            assertEquals(1 + 4 * 3, curves.size());
            Compare.Point lastMuon = r.points().stream().filter(p -> p.model().equals(model)
                    && p.optimizer().equals("muon")).reduce((a, b) -> b).orElseThrow();
            assertEquals(4, lastMuon.step());
            assertEquals(lastMuon.testAccuracy(), s.get("muon").finalAccuracy(), 0.0);
            assertTrue(curves.contains(String.format(java.util.Locale.ROOT, "%s,muon,12345,4,1,%.4f,%.6f,%.6f,%.6f",
                    model, lastMuon.trainSeconds(), lastMuon.trainLoss(), lastMuon.testLoss(),
                    lastMuon.testAccuracy())));

            List<String> summary = Files.readAllLines(out.resolve("compare-" + model + "-summary.csv"));
            assertEquals(5, summary.size());
            assertTrue(summary.get(0).startsWith("model,optimizer,settings,seed,final_test_accuracy"));
            assertTrue(summary.get(3).startsWith(model + ",adammini,\"AdamMini lr 0.001\",12345,"), summary.get(3));
            assertTrue(Files.size(out.resolve("compare-" + model + ".png")) > 20_000);
            for (String o : s.keySet()) {
                // header + one row per probe
                assertEquals(3, Files.readAllLines(out.resolve("hessian-" + model + "-" + o + ".csv")).size());
            }
        }
    }

    @Test
    void adamWithDecoupledDecayShrinksWeightsAndReportsTheDataLoss(@TempDir Path tmp) throws IOException {
        Compare.Result r = Compare.run(new String[] {"--synthetic", "--train", "512", "--test", "128",
                "--optimizers", "adam,adamw", "--wd", "0.5", "--lr-adam", "0.01", "--lr-adamw", "0.01",
                "--epochs", "2", "--batch", "64", "--eval-every", "8", "--out", tmp.toString()});
        assertFalse(r.fashionMnist());
        assertTrue(r.dataDescription().startsWith("Synthetic 10-class task"), r.dataDescription());
        Compare.Point adam = r.points().stream().filter(p -> p.optimizer().equals("adam")).reduce((a, b) -> b)
                .orElseThrow();
        Compare.Point adamw = r.points().stream().filter(p -> p.optimizer().equals("adamw")).reduce((a, b) -> b)
                .orElseThrow();
        // the penalty (0.5/2 |W|^2 over 200k weights) would dwarf a cross-entropy of ~2; the reported loss excludes it
        assertTrue(adamw.trainLoss() < 3 && adam.trainLoss() < 3, adam + " " + adamw);
        assertTrue(r.summaries().get(1).settings().contains("WeightDecay(0.5, applyLR)"));
    }

    @Test
    void uiOptionServesTheHessianTabWhileTraining(@TempDir Path tmp) throws Exception {
        String[] seen = new String[2];
        // called by compare after training while the UI server is still up
        Compare.Result r = Compare.run(new String[] {"--synthetic", "--train", "128", "--test", "64",
                "--optimizers", "adammini", "--epochs", "1", "--batch", "64", "--ui", "--ui-port", "0",
                "--hessian-every", "1", "--hessian-blocks", "4", "--hessian-probes", "1", "--hessian-lanczos", "2",
                "--out", tmp.toString()}, result -> {
                    try {
                        seen[0] = get(result.uiAddress().replace("localhost", "127.0.0.1") + "/api/sessions");
                        seen[1] = get(result.uiAddress().replace("localhost", "127.0.0.1"));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        assertTrue(r.uiAddress().matches("http://localhost:\\d+/hessian"), r.uiAddress());
        assertTrue(seen[0].startsWith("200 "), seen[0]);
        assertTrue(seen[1].startsWith("200 ") && seen[1].contains("<html"), seen[1]);
        // one session (the StatsListener's id) with the Hessian probes of both iterations
        assertEquals(1, r.uiStorage().listSessionIDs().size());
        String session = r.uiStorage().listSessionIDs().get(0);
        assertTrue(seen[0].contains(session), seen[0]);
        // labelled with network, optimizer, settings and seed in the session-info persistable
        assertTrue(seen[0].contains("\"label\":\"MLP adammini (AdamMini lr 0.001), seed 12345\""), seen[0]);
        assertEquals(2, r.summaries().get(0).hessian().size());
    }

    private static String get(String url) throws IOException {
        try {
            HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return res.statusCode() + " " + res.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Test
    void warmUpStepsRunBeforeAnyTimedStepAndRoundsRotateTheOrder(@TempDir Path tmp) throws IOException {
        Compare.Result r = Compare.run(new String[] {"--synthetic", "--train", "256", "--test", "64",
                "--optimizers", "adam,adammini,muon", "--epochs", "1", "--batch", "64", "--eval-every", "1",
                "--warmup", "3", "--out", tmp.toString()});
        List<CompareRounds.Event> t = r.timeline();
        // 3 warm-up steps per optimizer on the throwaway copies, then 4 timed steps each
        assertEquals(3 * 3 + 3 * 4, t.size());
        for (int i = 0; i < 9; i++) {
            assertTrue(t.get(i).warmup(), "event " + i + " " + t.get(i));
            assertEquals(List.of("adam", "adammini", "muon").get(i / 3), t.get(i).optimizer());
            assertEquals(i % 3 + 1, t.get(i).step());
        }
        // the first timed step comes after the warm-up count, and it is step 1 of the timed run
        int firstTimed = 0;
        while (t.get(firstTimed).warmup()) {
            firstTimed++;
        }
        assertEquals(9, firstTimed);
        assertTrue(t.subList(9, t.size()).stream().noneMatch(CompareRounds.Event::warmup));
        // one step per round (eval-every 1); round k starts with optimizer k mod 3
        List<String> order = t.subList(9, t.size()).stream().map(e -> e.optimizer() + e.step()).toList();
        assertEquals(List.of("adam1", "adammini1", "muon1", "adammini2", "muon2", "adam2", "muon3", "adam3",
                "adammini3", "adam4", "adammini4", "muon4"), order);
        for (Compare.Summary x : r.summaries()) {
            assertEquals(4, x.steps());
        }
    }

    @Test
    void defaultEvaluationGivesAtLeastTenPointsPerRun(@TempDir Path tmp) throws IOException {
        // 23 steps: evaluated every 2 (a tenth, rounded down) and at the end
        Compare.Result r = Compare.run(new String[] {"--synthetic", "--train", "1472", "--test", "64",
                "--optimizers", "adam", "--epochs", "1", "--batch", "64", "--warmup", "0", "--out", tmp.toString()});
        List<Integer> steps = r.points().stream().map(Compare.Point::step).toList();
        assertEquals(List.of(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 23), steps);
    }

    @Test
    void meanAndSampleSdOfHandComputedValues() {
        CompareStats.MeanSd m = CompareStats.MeanSd.of(new double[] {1, 2, 4});
        assertEquals(7.0 / 3, m.mean(), 1e-15);
        // ((4/3)^2 + (1/3)^2 + (5/3)^2) / 2 = 7/3
        assertEquals(Math.sqrt(7.0 / 3), m.sd(), 1e-15);
        assertEquals("2.33 ± 1.53", m.format("%.2f"));
        assertTrue(Double.isNaN(CompareStats.MeanSd.of(new double[] {5}).sd()));
        assertEquals("5.0", CompareStats.MeanSd.of(new double[] {5}).format("%.1f"));
        assertEquals("-", CompareStats.MeanSd.of(new double[0]).format("%.1f"));
    }

    @Test
    void aggregationCountsSeedsThatMissTheTargetApartAndTheVerdictComparesWallTime() {
        List<Compare.Summary> s = List.of(
                summary("adam", 1, 0.90, 0.91, 100, 10.0), summary("mini", 1, 0.86, 0.87, -1, Double.NaN),
                summary("adam", 2, 0.88, 0.89, 140, 14.0), summary("mini", 2, 0.89, 0.89, 120, 30.0),
                summary("adam", 3, 0.92, 0.92, 120, 12.0), summary("mini", 3, 0.90, 0.90, 160, 40.0));
        List<CompareStats.Aggregate> a = CompareStats.aggregate(s);
        assertEquals(List.of("adam", "mini"), a.stream().map(CompareStats.Aggregate::optimizer).toList());
        CompareStats.Aggregate adam = a.get(0);
        CompareStats.Aggregate mini = a.get(1);
        assertEquals(0.90, adam.finalAccuracy().mean(), 1e-12);
        assertEquals(0.02, adam.finalAccuracy().sd(), 1e-12); // deviations -0.02, 0, 0.02: sqrt(0.0008 / 2)
        assertEquals(3, adam.reached());
        assertEquals(120, adam.stepsToTarget().mean(), 1e-12);
        assertEquals(20, adam.stepsToTarget().sd(), 1e-12);
        assertEquals(12, adam.secondsToTarget().mean(), 1e-12);
        assertEquals(2, adam.secondsToTarget().sd(), 1e-12);
        // Adam-mini reached 88% in seeds 2 and 3 only: steps and seconds over those two, 1 not reached
        assertEquals(2, mini.reached());
        assertEquals(1, mini.notReached());
        assertEquals(140, mini.stepsToTarget().mean(), 1e-12);
        assertEquals(Math.sqrt(2 * 20 * 20), mini.stepsToTarget().sd(), 1e-12);
        assertEquals(35, mini.secondsToTarget().mean(), 1e-12);
        assertEquals((0.87 + 0.89 + 0.90) / 3, mini.bestAccuracy().mean(), 1e-12);
        String verdict = CompareStats.verdict(a, 0.88);
        assertEquals("adam reaches 88% first in wall time: 12.0 s (120 steps); mini did not reach it in 1 of 3 seeds",
                verdict);
    }

    private static Compare.Summary summary(String optimizer, long seed, double fin, double best, int steps,
                                           double seconds) {
        return new Compare.Summary("mlp", optimizer, optimizer + " lr 0.001", seed, fin, best, 0.3, steps, seconds,
                1000, 1.0, 200, 20.0, 0.0, List.of());
    }

    @Test
    void seedsRepeatTheComparisonAndTheAggregateIsTheirMeanAndSd(@TempDir Path tmp) throws IOException {
        Compare.Result r = Compare.run(new String[] {"--synthetic", "--train", "256", "--test", "64",
                "--optimizers", "adam,adammini", "--epochs", "1", "--batch", "64", "--eval-every", "2",
                "--warmup", "1", "--seeds", "3", "--seed", "7", "--target", "0.05", "--out", tmp.toString()});
        assertEquals(6, r.summaries().size());
        assertEquals(List.of(7L, 8L, 9L), r.summaries().stream().filter(x -> x.optimizer().equals("adam"))
                .map(Compare.Summary::seed).toList());
        // different initialisations and batch orders: the final accuracies differ between seeds
        assertTrue(r.summaries().stream().filter(x -> x.optimizer().equals("adam"))
                .map(Compare.Summary::finalLoss).distinct().count() > 1);
        for (CompareStats.Aggregate a : r.aggregates()) {
            double[] acc = r.summaries().stream().filter(x -> x.optimizer().equals(a.optimizer()))
                    .mapToDouble(Compare.Summary::finalAccuracy).toArray();
            double mean = (acc[0] + acc[1] + acc[2]) / 3;
            double sd = Math.sqrt((Math.pow(acc[0] - mean, 2) + Math.pow(acc[1] - mean, 2)
                    + Math.pow(acc[2] - mean, 2)) / 2);
            assertEquals(mean, a.finalAccuracy().mean(), 1e-12);
            assertEquals(sd, a.finalAccuracy().sd(), 1e-12);
            assertEquals(3, a.seeds());
        }
        List<String> agg = Files.readAllLines(tmp.resolve("compare-mlp-aggregate.csv"));
        assertEquals(3, agg.size());
        assertTrue(agg.get(0).startsWith("model,optimizer,settings,seeds,final_test_accuracy_mean,"
                + "final_test_accuracy_sd,"), agg.get(0));
        CompareStats.Aggregate adam = r.aggregates().get(0);
        assertTrue(agg.get(1).startsWith(String.format(java.util.Locale.ROOT, "mlp,adam,\"Adam (DL4J) lr 0.001\",3,"
                + "%.6g,%.6g,", adam.finalAccuracy().mean(), adam.finalAccuracy().sd())), agg.get(1));
        // per-seed rows: 3 seeds x 2 optimizers; curves carry the seed
        assertEquals(7, Files.readAllLines(tmp.resolve("compare-mlp-summary.csv")).size());
        assertEquals(1 + 3 * 2 * 3, Files.readAllLines(tmp.resolve("compare-mlp-curves.csv")).size());
        assertTrue(r.verdicts().get("mlp").contains("5%"), r.verdicts().get("mlp"));
    }

    @Test
    void badOptionsAreRefusedWithTheValue(@TempDir Path tmp) {
        // the ones naming --data DIR (DIR lacks the files) show that options are checked before data is loaded
        List<Map.Entry<String[], String>> cases = List.of(
                Map.entry(new String[] {"--optimizers", "adam,sgd"}, "unknown optimizer 'sgd'"),
                Map.entry(new String[] {"--lr-muon", "-0.1"}, "--lr-muon must be a finite number > 0, got -0.1"),
                Map.entry(new String[] {"--target", "1.5"}, "--target must be in (0, 1], got 1.5"),
                Map.entry(new String[] {"--model", "rnn"}, "unknown model 'rnn'"),
                Map.entry(new String[] {"--hessian-every", "5"}, "--hessian-every needs --hessian"),
                Map.entry(new String[] {"--hessian-blocks", "5"}, "--hessian-blocks needs --hessian"),
                Map.entry(new String[] {"--data", tmp.toString()}, "lacks train-images-idx3-ubyte[.gz]"),
                Map.entry(new String[] {"--synthetic", "--data", tmp.toString()}, "contradict"),
                Map.entry(new String[] {"--epochs", "0"}, "--epochs must be >= 1, got 0"),
                Map.entry(new String[] {"--data", tmp.toString(), "--epochs", "-1"}, "--epochs must be >= 1, got -1"),
                Map.entry(new String[] {"--data", tmp.toString(), "--seeds", "0"}, "--seeds must be >= 1, got 0"),
                Map.entry(new String[] {"--data", tmp.toString(), "--warmup", "-1"}, "--warmup must be >= 0, got -1"),
                Map.entry(new String[] {"--data", tmp.toString(), "--beta2-adammini", "1"},
                        "--beta2-adammini must be in [0, 1)"),
                Map.entry(new String[] {"--data", tmp.toString(), "--hessian", "--hessian-lanczos", "-2"},
                        "--hessian-lanczos must be >= 0"),
                Map.entry(new String[] {"--optimizers", "adamw", "--beta2-adam", "0.95"},
                        "--beta2-adam is set but adam"),
                Map.entry(new String[] {"--optimizers", "adam,muon", "--wd", "0.1"},
                        "--wd is set but adamw is not among"));
        for (Map.Entry<String[], String> c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compare.run(c.getKey()));
            assertTrue(e.getMessage().contains(c.getValue()), e.getMessage());
        }
    }
}
