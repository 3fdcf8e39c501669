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
                "--hessian-probes", "1", "--hessian-lanczos", "2", "--out", out.toString()});

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
            assertEquals("model,optimizer,step,epoch,train_seconds,train_loss,test_loss,test_accuracy", curves.get(0));
            // per optimizer: step 0 (before training), 2, 4
            assertEquals(1 + 4 * 3, curves.size());
            Compare.Point lastMuon = r.points().stream().filter(p -> p.model().equals(model)
                    && p.optimizer().equals("muon")).reduce((a, b) -> b).orElseThrow();
            assertEquals(4, lastMuon.step());
            assertEquals(lastMuon.testAccuracy(), s.get("muon").finalAccuracy(), 0.0);
            assertTrue(curves.contains(String.format(java.util.Locale.ROOT, "%s,muon,4,1,%.4f,%.6f,%.6f,%.6f", model,
                    lastMuon.trainSeconds(), lastMuon.trainLoss(), lastMuon.testLoss(), lastMuon.testAccuracy())));

            List<String> summary = Files.readAllLines(out.resolve("compare-" + model + "-summary.csv"));
            assertEquals(5, summary.size());
            assertTrue(summary.get(0).startsWith("model,optimizer,settings,final_test_accuracy"));
            assertTrue(summary.get(3).startsWith(model + ",adammini,\"AdamMini lr 0.001\","), summary.get(3));
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
    void badOptionsAreRefusedWithTheValue(@TempDir Path tmp) {
        Map<String[], String> cases = Map.of(
                new String[] {"--optimizers", "adam,sgd"}, "unknown optimizer 'sgd'",
                new String[] {"--lr-muon", "-0.1"}, "--lr-muon must be a finite number > 0, got -0.1",
                new String[] {"--target", "1.5"}, "--target must be in (0, 1], got 1.5",
                new String[] {"--model", "rnn"}, "unknown model 'rnn'",
                new String[] {"--hessian-every", "5"}, "--hessian-every needs --hessian",
                new String[] {"--hessian-blocks", "5"}, "--hessian-blocks needs --hessian",
                new String[] {"--data", tmp.toString()}, "lacks train-images-idx3-ubyte[.gz]",
                new String[] {"--synthetic", "--data", tmp.toString()}, "contradict",
                new String[] {"--epochs", "0"}, "--epochs must be >= 1, got 0",
                new String[] {"--optimizers", "adam,muon", "--wd", "0.1"}, "--wd is set but adamw is not among");
        for (Map.Entry<String[], String> c : cases.entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compare.run(c.getKey()));
            assertTrue(e.getMessage().contains(c.getValue()), e.getMessage());
        }
    }
}
