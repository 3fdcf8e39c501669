package dev.curvature.hessian.ui;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.hessian.LayerSummary;
import dev.curvature.hessian.ui.module.HessianModule;
import dev.curvature.hessian.ui.storage.HessianProbePersistable;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.ui.api.UIModule;
import org.deeplearning4j.ui.api.UIServer;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.shade.jackson.databind.JsonNode;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JSON routes against a real UI server: what they answer for a trained session, 404 with a JSON error for
 * unknown sessions and malformed routes, 500 without internals when a storage fails, escaped names, and that the
 * module only reads the storage.
 */
class HessianModuleRoutesTest {
    /** StatsStorage methods that do not change a storage. */
    private static final Set<String> READ_METHODS = Set.of("listSessionIDs", "sessionExists", "getStaticInfo",
            "getAllStaticInfos", "listTypeIDsForSession", "listWorkerIDsForSession", "listWorkerIDsForSessionAndType",
            "getNumUpdateRecordsFor", "getLatestUpdate", "getUpdate", "getLatestUpdateAllWorkers", "getAllUpdatesAfter",
            "getAllUpdateTimes", "getUpdates", "getStorageMetaData", "isClosed", "getListeners", "equals", "hashCode",
            "toString");
    private static final String FAILING_SESSION = "failing-" + UUID.randomUUID();

    private static final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private static StatsStorage recording;
    private static String session;
    private static List<BlockHessianReport> reports;
    /** A session labelled like markup, of a ReLU network probed without frozen kinks: its products are not exact. */
    static final String LABEL = "MLP adam (lr 0.01) <script>alert(2)</script> & more";
    private static String kinkedSession;
    private static List<BlockHessianReport> kinkedReports;

    @BeforeAll
    static void trainIntoARecordedStorage() {
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        recording = (StatsStorage) Proxy.newProxyInstance(StatsStorage.class.getClassLoader(),
                new Class<?>[] {StatsStorage.class}, (proxy, method, args) -> {
                    calls.add(method.getName());
                    switch (method.getName()) {
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        default -> {
                        }
                    }
                    if (method.getName().equals("getAllUpdateTimes") && FAILING_SESSION.equals(args[0])) {
                        throw new IllegalStateException("secret storage detail /var/lib/stats.db");
                    }
                    try {
                        return method.invoke(storage, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        UiFixture.server().attach(recording);
        session = "routes " + UUID.randomUUID();
        reports = new TestTraining.Run(TestTraining.HOSTILE_LAYER_NAME, 5, 21, 2,
                List.of(HessianUi.sink(storage, session, "worker-A"))).train(5).reports();
        new TestTraining.Run("hidden", 5, 22, 1, List.of(HessianUi.sink(storage, FAILING_SESSION, "w"))).train(1);
        assertEquals(3, reports.size(), "probes at iterations 0, 2, 4");
        kinkedSession = "kinked " + UUID.randomUUID();
        kinkedReports = kinkedRun(storage, kinkedSession, 23).train(2).reports();
        assertFalse(kinkedReports.get(0).notExact().isEmpty(), "ReLU without frozen kinks is not exact");
    }

    /** A ReLU network whose listener does not freeze kinks, posting under {@code sessionId} with {@link #LABEL}. */
    static TestTraining.Run kinkedRun(StatsStorage storage, String sessionId, long seed) {
        HessianBlockListener.Builder b = HessianBlockListener.builder().frequency(1)
                .estimator(HessianBlockEstimator.builder().method(HessianBlockEstimator.Method.STOCHASTIC)
                        .probesPerBlock(1).maxBlocks(4).lanczosSteps(2).traceProbes(2).seed(3).freezeKinks(false)
                        .build());
        HessianUi.attach(b, storage, sessionId, LABEL);
        return new TestTraining.Run(TestTraining.network("relu", 5, seed, Activation.RELU), seed, b.build());
    }

    @AfterAll
    static void detach() {
        UiFixture.server().detach(recording);
    }

    private static String sessionPath() {
        return "/hessian/api/sessions/" + URLEncoder.encode(session, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void serviceLoaderFindsTheModule() {
        assertTrue(ServiceLoader.load(UIModule.class).stream().anyMatch(p -> p.type() == HessianModule.class));
    }

    @Test
    void sessionsListTheSessionWithItsStaticInfo() {
        UiFixture.Answer a = UiFixture.get("/hessian/api/sessions");
        assertEquals(200, a.status());
        assertEquals("application/json; charset=utf-8", a.contentType());
        JsonNode s = find(a.json().get("sessions"), session);
        assertEquals(3, s.get("reports").asInt());
        assertEquals("worker-A", s.get("workers").get(0).asText());
        assertEquals(TestTraining.blocks(5), s.get("blocks").asInt());
        assertEquals("STOCHASTIC", s.get("method").asText());
        assertEquals(TestTraining.HOSTILE_LAYER_NAME, s.get("layers").get(0).asText());
        assertFalse(s.get("training").asBoolean());
        assertFalse(a.json().get("multiSession").asBoolean());
        assertEquals("", s.get("label").asText(), "no label given");
    }

    @Test
    void sessionsCarryTheLabelEscaped() {
        UiFixture.Answer a = UiFixture.get("/hessian/api/sessions");
        assertEquals(LABEL, find(a.json().get("sessions"), kinkedSession).get("label").asText());
        assertFalse(a.body().contains("<script"), "no raw markup in JSON");
        assertTrue(a.body().contains("\\u003cscript\\u003ealert(2)\\u003c/script\\u003e \\u0026 more"), a.body());
    }

    @Test
    void reportsCarryTheUnitsThatWereNotExact() {
        String path = "/hessian/api/sessions/" + URLEncoder.encode(kinkedSession, StandardCharsets.UTF_8)
                .replace("+", "%20");
        JsonNode list = UiFixture.get(path + "/reports").json().get("reports");
        assertEquals(kinkedReports.size(), list.size());
        for (int k = 0; k < list.size(); k++) {
            List<String> shown = new ArrayList<>();
            list.get(k).get("notExact").forEach(n -> shown.add(n.asText()));
            assertEquals(kinkedReports.get(k).notExact(), shown);
        }
        JsonNode latest = UiFixture.get(path + "/latest").json().get("latest").get(0);
        assertEquals(kinkedReports.get(kinkedReports.size() - 1).notExact().size(), latest.get("notExact").size());
        // the tanh session is exact: an empty list
        JsonNode exact = UiFixture.get(sessionPath() + "/reports").json().get("reports").get(0).get("notExact");
        assertTrue(exact.isArray() && exact.isEmpty(), exact.toString());
    }

    @Test
    void reportsEqualTheListenerHistory() {
        JsonNode list = UiFixture.get(sessionPath() + "/reports").json().get("reports");
        assertEquals(reports.size(), list.size());
        for (int k = 0; k < reports.size(); k++) {
            BlockHessianReport r = reports.get(k);
            JsonNode j = list.get(k);
            assertEquals(r.iteration(), j.get("iteration").asLong());
            assertEquals(r.pairwiseRatio(), j.get("pairwiseRatio").asDouble(), 0.0);
            assertEquals(r.pairwiseRatioStandardError(), j.get("pairwiseRatioStandardError").asDouble(), 0.0);
            assertEquals(r.offDiagonalMassRatio(), j.get("offDiagonalMassRatio").asDouble(), 0.0);
            assertEquals(r.offDiagonalMassRatioStandardError(), j.get("offDiagonalMassRatioStandardError").asDouble(), 0.0);
            assertEquals(r.topEigenvalue(), j.get("topEigenvalue").asDouble(), 0.0);
            assertEquals(r.trace(), j.get("trace").asDouble(), 0.0);
            assertEquals(r.traceStandardError(), j.get("traceStandardError").asDouble(), 0.0);
            assertEquals(r.layers().size(), j.get("layers").size());
            LayerSummary l = r.layers().get(0);
            assertEquals(l.layer(), j.get("layers").get(0).get("layer").asText());
            assertEquals(l.pairwiseRatio(), j.get("layers").get(0).get("pairwiseRatio").asDouble(), 0.0);
            assertTrue(j.get("columns") == null, "summaries carry no block norms");
        }
    }

    @Test
    void sinceKeepsReportsFromThatIterationOn() {
        assertEquals(List.of(2L, 4L), iterations(sessionPath() + "/reports/since/1"));
        assertEquals(List.of(2L, 4L), iterations(sessionPath() + "/reports/since/2"));
        assertEquals(List.of(), iterations(sessionPath() + "/reports/since/5"));
        assertEquals(List.of(0L, 2L, 4L), iterations(sessionPath() + "/reports/since/-7"));
        assertEquals(1, UiFixture.get(sessionPath() + "/reports/since/1").json().get("since").asLong());
    }

    @Test
    void latestCarriesTheBlockNormsOfTheLastReport() {
        BlockHessianReport r = reports.get(reports.size() - 1);
        JsonNode latest = UiFixture.get(sessionPath() + "/latest").json().get("latest");
        assertEquals(1, latest.size());
        JsonNode j = latest.get(0);
        assertEquals(r.iteration(), j.get("iteration").asLong());
        assertEquals(r.blockCount(), j.get("labels").size());
        assertEquals(TestTraining.HOSTILE_LAYER_NAME + "/W[0]", j.get("labels").get(0).get("text").asText());
        int[] probed = r.probedBlocks();
        assertEquals(probed.length, j.get("probed").size());
        assertEquals(r.blockCount() - 2, probed.length);
        for (int p = 0; p < probed.length; p++) {
            assertEquals(probed[p], j.get("probed").get(p).asInt());
            for (int i = 0; i < r.blockCount(); i++) {
                assertEquals(r.blockNorm(i, probed[p]), j.get("columns").get(p).get(i).asDouble(), 0.0);
            }
        }
    }

    @Test
    void namesAreEscapedInsideJsonStrings() {
        String body = UiFixture.get(sessionPath() + "/latest").body();
        assertFalse(body.contains("<img"), "no raw markup in JSON");
        assertTrue(body.contains("\\u003cimg src=x onerror=alert(1)\\u003e"), body.substring(0, 300));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/hessian/api/sessions/no-such-session/reports", "/hessian/api/sessions/no-such-session/latest",
            "/hessian/api/sessions/no-such-session/reports/since/3",
            "/hessian/api/sessions/%3Cscript%3Ealert(1)%3C%2Fscript%3E/reports"})
    void unknownSessionsAre404WithAJsonError(String path) {
        UiFixture.Answer a = UiFixture.get(path);
        assertEquals(404, a.status(), a.body());
        assertEquals("application/json; charset=utf-8", a.contentType());
        String error = a.json().get("error").asText();
        assertTrue(error.startsWith("unknown session '"), error);
        assertNoInternals(a);
        assertFalse(a.body().contains("<script"), a.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/reports/since/abc", "/reports/since/1.5", "/reports/since/99999999999999999999",
            "/reports/since/%3Cb%3E", "/reports/extra", "/latest/7", "/nope"})
    void malformedSessionRoutesAre404WithAJsonError(String suffix) {
        UiFixture.Answer a = UiFixture.get(sessionPath() + suffix);
        assertEquals(404, a.status(), a.body());
        assertEquals("application/json; charset=utf-8", a.contentType());
        assertTrue(a.json().get("error").asText().startsWith("no such route"), a.body());
        assertNoInternals(a);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/hessian/api", "/hessian/api/", "/hessian/x", "/hessian/assets/x.js",
            "/hessian/api/sessions/a/b/c/d/e"})
    void unknownRoutesUnderTheTabAre404WithAJsonError(String path) {
        UiFixture.Answer a = UiFixture.get(path);
        assertEquals(404, a.status(), a.body());
        assertEquals("application/json; charset=utf-8", a.contentType());
        assertTrue(a.json().get("error").asText().startsWith("no such route"), a.body());
    }

    @Test
    void aFailingStorageGivesA500WithoutItsDetails() {
        UiFixture.Answer a = UiFixture.get("/hessian/api/sessions/" + FAILING_SESSION + "/reports");
        assertEquals(500, a.status());
        assertEquals("internal error while reading the stats storage; see the UI server log", a.json().get("error").asText());
        assertFalse(a.body().contains("secret"), a.body());
        assertNoInternals(a);
    }

    @Test
    void pageAndAssetsComeFromTheJar() {
        UiFixture.Answer page = UiFixture.get("/hessian");
        assertEquals(200, page.status());
        assertEquals("text/html; charset=utf-8", page.contentType());
        assertTrue(page.body().contains("id=\"ratio-chart\""));
        String csp = page.headers().firstValue("content-security-policy").orElse("");
        assertTrue(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"), csp);
        assertFalse(page.body().matches("(?s).*(src|href)=\"(https?:)?//.*"), "no external assets");
        UiFixture.Answer js = UiFixture.get("/assets/dl4j-hessian-ui/hessian.js");
        assertEquals(200, js.status());
        assertTrue(js.contentType().contains("javascript"), js.contentType());
        assertFalse(js.body().contains("innerHTML"), "the script never inserts markup");
        assertEquals(200, UiFixture.get("/assets/dl4j-hessian-ui/hessian.css").status());
    }

    @Test
    void theModuleOnlyReadsTheStorage() {
        calls.clear();
        UiFixture.get("/hessian/api/sessions");
        UiFixture.get(sessionPath() + "/reports");
        UiFixture.get(sessionPath() + "/reports/since/2");
        UiFixture.get(sessionPath() + "/latest");
        UiFixture.get("/hessian/api/sessions/no-such-session/reports");
        UiFixture.get("/hessian/api/sessions/" + FAILING_SESSION + "/reports");
        Set<String> used = new TreeSet<>(calls);
        assertTrue(used.contains("getUpdates") || used.contains("getAllUpdateTimes"), "the routes did read: " + used);
        used.removeAll(READ_METHODS);
        assertEquals(Set.of(), used, "StatsStorage methods called other than queries");
    }

    @Test
    void theServerIsTheOneOfThisJvm() {
        UIServer ui = UiFixture.server();
        assertNotNull(ui);
        assertTrue(ui.isAttached(recording));
    }

    private static void assertNoInternals(UiFixture.Answer a) {
        assertFalse(a.body().contains("Exception"), a.body());
        assertFalse(a.body().contains("\tat "), a.body());
        assertFalse(a.body().contains("dev.curvature"), a.body());
    }

    private static List<Long> iterations(String path) {
        UiFixture.Answer a = UiFixture.get(path);
        assertEquals(200, a.status(), a.body());
        List<Long> out = new ArrayList<>();
        a.json().get("reports").forEach(r -> out.add(r.get("iteration").asLong()));
        return out;
    }

    static JsonNode find(JsonNode sessions, String id) {
        for (JsonNode s : sessions) {
            if (s.get("id").asText().equals(id)) {
                return s;
            }
        }
        throw new AssertionError("session " + id + " not listed in " + sessions);
    }
}
