package dev.curvature.hessian.ui;

import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions written by another JVM ({@link SecondJvm}, started with this JVM's class path): a
 * {@code FileStatsStorage} reopened here and attached to the UI, and a {@code RemoteUIStatsStorageRouter} posting
 * over loopback to this JVM's UI with the remote listener enabled. In both cases the tab's routes give what the
 * other JVM measured (its JSON Lines copy of the reports, written with 10 significant digits).
 */
class CrossJvmTest {
    private static final int EXPECTED_REPORTS = 3; // iterations 0, 2, 4

    @Test
    void aFileWrittenByAnotherJvmIsShownWhenReopened(@TempDir Path dir) throws Exception {
        Path stats = dir.resolve("stats.dl4j");
        Path expected = dir.resolve("reports.jsonl");
        String session = "file-" + UUID.randomUUID();
        runSecondJvm("file", stats.toString(), session, expected, dir);
        assertTrue(Files.size(stats) > 0, "the other JVM wrote the stats file");

        FileStatsStorage reopened = new FileStatsStorage(stats.toFile());
        try {
            UiFixture.server().attach(reopened);
            checkTheUiShows(session, expected);
        } finally {
            UiFixture.server().detach(reopened);
            reopened.close();
        }
    }

    @Test
    void aRemoteRouterInAnotherJvmReachesTheUi(@TempDir Path dir) throws Exception {
        UiFixture.server().enableRemoteListener();
        Path expected = dir.resolve("reports.jsonl");
        String session = "remote-" + UUID.randomUUID();
        runSecondJvm("remote", UiFixture.base(), session, expected, dir);
        checkTheUiShows(session, expected);
    }

    private static void runSecondJvm(String mode, String target, String session, Path expected, Path dir)
            throws IOException, InterruptedException {
        Path log = dir.resolve("second-jvm-" + mode + ".log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                SecondJvm.class.getName(), mode, target, session, expected.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(3, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String output = Files.readString(log);
        assertTrue(done, "the second JVM did not finish in 3 minutes:\n" + output);
        assertEquals(0, p.exitValue(), "the second JVM failed:\n" + output);
    }

    /** The routes list the session and give every report of the other JVM, with its latest block norms. */
    private static void checkTheUiShows(String session, Path expectedFile) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> expected = new ArrayList<>();
        for (String line : Files.readAllLines(expectedFile)) {
            expected.add(mapper.readTree(line));
        }
        assertEquals(EXPECTED_REPORTS, expected.size());

        JsonNode listed = HessianModuleRoutesTest.find(UiFixture.get("/hessian/api/sessions").json().get("sessions"), session);
        assertEquals(EXPECTED_REPORTS, listed.get("reports").asInt());
        assertEquals(SecondJvm.WORKER, listed.get("workers").get(0).asText());

        JsonNode reports = UiFixture.get("/hessian/api/sessions/" + session + "/reports").json().get("reports");
        assertEquals(EXPECTED_REPORTS, reports.size());
        for (int k = 0; k < EXPECTED_REPORTS; k++) {
            JsonNode e = expected.get(k);
            JsonNode r = reports.get(k);
            assertEquals(e.get("iteration").asLong(), r.get("iteration").asLong());
            for (String f : List.of("pairwiseRatio", "pairwiseRatioStandardError", "offDiagonalMassRatio",
                    "offDiagonalMassRatioStandardError", "topEigenvalue", "bottomEigenvalue", "trace",
                    "traceStandardError")) {
                assertClose(e.get(f).asDouble(), r.get(f).asDouble(), f + " at iteration " + e.get("iteration"));
            }
            for (int l = 0; l < e.get("layers").size(); l++) {
                assertEquals(e.get("layers").get(l).get("layer").asText(), r.get("layers").get(l).get("layer").asText());
                assertClose(e.get("layers").get(l).get("pairwiseRatio").asDouble(),
                        r.get("layers").get(l).get("pairwiseRatio").asDouble(), "layer pairwise ratio");
            }
        }

        JsonNode latest = UiFixture.get("/hessian/api/sessions/" + session + "/latest").json().get("latest").get(0);
        JsonNode last = expected.get(EXPECTED_REPORTS - 1);
        assertEquals(last.get("labels").size(), latest.get("labels").size());
        for (int b = 0; b < last.get("labels").size(); b++) {
            assertEquals(last.get("labels").get(b).asText(), latest.get("labels").get(b).get("text").asText());
        }
        JsonNode probed = last.get("probed");
        assertEquals(probed.size(), latest.get("probed").size());
        for (int p = 0; p < probed.size(); p++) {
            assertEquals(probed.get(p).get("block").asInt(), latest.get("probed").get(p).asInt());
            JsonNode norms = probed.get(p).get("norms");
            for (int i = 0; i < norms.size(); i++) {
                assertClose(norms.get(i).asDouble(), latest.get("columns").get(p).get(i).asDouble(), "norm " + i);
            }
        }
    }

    /** JSON Lines keep 10 significant digits. */
    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, Math.abs(expected) * 1e-9 + 1e-300, what);
    }
}
