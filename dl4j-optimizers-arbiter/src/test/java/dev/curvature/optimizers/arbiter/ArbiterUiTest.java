package dev.curvature.optimizers.arbiter;

import org.deeplearning4j.arbiter.MultiLayerSpace;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.ui.listener.ArbiterStatusListener;
import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arbiter's UI module (arbiter-ui 1.0.0-beta7, {@code ArbiterModule}, found by the DL4J UI's service loader) on a
 * DL4J 1.0.0-M2.1 {@code UIServer}: a search over Adam-mini and Muon reported through {@code ArbiterStatusListener}
 * is served by the module's JSON routes.
 */
class ArbiterUiTest {
    private static final String SESSION = "curvature-search";

    @Test
    void arbiterModuleServesTheSearchOnTheDl4jUiServer() throws Exception {
        int port = freePort();
        VertxUIServer ui = VertxUIServer.getInstance(port, false, null);
        try {
            InMemoryStatsStorage storage = new InMemoryStatsStorage();
            ui.attach(storage);

            UpdaterChoiceSpace updaters = UpdaterChoiceSpace.of(
                    AdamMiniSpace.withLR(new ContinuousParameterSpace(1e-3, 1e-2)),
                    MuonSpace.withLR(new ContinuousParameterSpace(1e-3, 5e-2)));
            MultiLayerSpace space = SearchFixtures.multiLayerSpace(updaters, 2);
            LocalOptimizationRunner runner = new LocalOptimizationRunner(
                    SearchFixtures.randomSearch(space, 3, 8), CurvatureTaskCreators.multiLayer());
            runner.addListeners(new ArbiterStatusListener(SESSION, storage));
            runner.execute();
            assertEquals(3, runner.numCandidatesCompleted(), () -> RandomSearchTest.failures(runner));

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            String base = "http://localhost:" + port;

            HttpResponse<String> page = get(http, base + "/arbiter");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("Arbiter"), page.body());

            String sessions = ok(http, base + "/arbiter/sessions/all");
            assertTrue(sessions.contains(SESSION), sessions);

            String results = ok(http, base + "/arbiter/results");
            for (int i = 0; i < 3; i++) {
                assertTrue(results.contains("\"" + i + "\""), "candidate " + i + " missing from " + results);
            }
            assertTrue(results.contains("Complete"), results);
            assertTrue(!results.contains("Failed"), results);

            String summary = ok(http, base + "/arbiter/summary");
            assertTrue(summary.contains("[ \"Models Completed\", \"3\" ]"), summary);
            assertTrue(summary.contains("[ \"Models Failed\", \"0\" ]"), summary);
            assertTrue(summary.contains("MaxCandidatesCondition(3)"), summary);

            String config = ok(http, base + "/arbiter/config");
            assertTrue(config.contains("[ \"updater\", \"UpdaterChoiceSpace[AdamMiniSpace{"), config);

            // the module re-evaluates the (JSON round-tripped) space at the candidate's flat parameters
            double[] flat0 = runner.getCandidateStatus().stream().filter(ci -> ci.getIndex() == 0).findFirst()
                    .orElseThrow().getFlatParams();
            String candidate = ok(http, base + "/arbiter/candidateInfo/0");
            assertTrue(candidate.contains("[ \"Status\", \"Complete\" ]"), candidate);
            assertTrue(candidate.contains("[ \"updater\", \"" + updaters.getValue(flat0) + "\""), candidate);
            System.out.printf("Arbiter UI on port %d: /arbiter/results = %s%n", port, results.replaceAll("\\s+", " "));
        } finally {
            ui.stop();
        }
    }

    private static String ok(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> r = get(http, url);
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        assertTrue(!r.body().isEmpty(), url + " returned an empty body");
        return r.body();
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
