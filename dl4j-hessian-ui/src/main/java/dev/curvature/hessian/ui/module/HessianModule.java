package dev.curvature.hessian.ui.module;

import dev.curvature.hessian.ui.HessianUi;
import dev.curvature.hessian.ui.storage.HessianProbe;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.core.storage.StatsStorageEvent;
import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.api.HttpMethod;
import org.deeplearning4j.ui.api.Route;
import org.deeplearning4j.ui.api.UIModule;
import org.deeplearning4j.ui.i18n.I18NResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The "Hessian" tab of the Deeplearning4j UI server, found by the server through
 * {@code META-INF/services/org.deeplearning4j.ui.api.UIModule}. It shows the reports that
 * {@link dev.curvature.hessian.ui.StatsStorageReportSink} posted to any {@link StatsStorage} attached to the UI
 * (directly, or through the remote listener). All routes are GET and only read the storages.
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><th>route</th><th>answer</th></tr>
 *   <tr><td>{@code /hessian}</td><td>the page (HTML; script and style from {@code /assets/dl4j-hessian-ui/})</td></tr>
 *   <tr><td>{@code /hessian/api/sessions}</td><td>{@code {"multiSession", "sessions": [{"id", "workers",
 *       "reports", "lastUpdate", "training", "label", "method", "partition", "blocks", "parameters", "layers"}]}}, the
 *       most recently updated session first; {@code "label"} is the one given to
 *       {@link HessianUi#attach(dev.curvature.hessian.HessianBlockListener.Builder,
 *       org.deeplearning4j.core.storage.StatsStorageRouter, String, String)} (empty if none)</td></tr>
 *   <tr><td>{@code /hessian/api/sessions/:sessionId/reports}</td><td>{@code {"session", "since": null,
 *       "reports": [summary]}}: every report, by iteration; a summary has the ratios with standard errors, spectrum,
 *       trace, cost, {@code "notExact"} (the units whose Hessian-vector products were not exact,
 *       {@code BlockHessianReport.notExact()}) and {@code "layers"} (per-layer summaries), no block norms</td></tr>
 *   <tr><td>{@code /hessian/api/sessions/:sessionId/reports/since/:iteration}</td><td>the same for the reports
 *       with {@code iteration >= :iteration} (the page polls this)</td></tr>
 *   <tr><td>{@code /hessian/api/sessions/:sessionId/latest}</td><td>{@code {"session", "latest": [report]}}: the
 *       latest report of every worker, with {@code "labels"}, {@code "probed"} and {@code "columns"}
 *       ({@code columns[p][i] = ||H_ij||_F} for {@code j = probed[p]})</td></tr>
 * </table>
 * An unknown session, a non-integer iteration and any other path under {@code /hessian/} answer 404 with
 * {@code {"error": "..."}}; an unexpected failure answers 500 with a generic JSON message and is logged on the
 * server, never sent to the client. Non-finite numbers are {@code null}.
 */
public final class HessianModule implements UIModule {
    private static final Logger LOG = LoggerFactory.getLogger(HessianModule.class);
    /** Classpath location of the page. */
    static final String PAGE_RESOURCE = "dev/curvature/hessian/ui/module/hessian.html";
    /** No inline script or style and nothing from other origins: the page needs only its own assets and routes. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

    private final ProbeReader reader = new ProbeReader();
    private final String page;

    /** Loads the page from the classpath; called by the UI server's {@link java.util.ServiceLoader}. */
    public HessianModule() {
        try (InputStream in = HessianModule.class.getClassLoader().getResourceAsStream(PAGE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the Hessian tab page " + PAGE_RESOURCE + " is missing from the classpath");
            }
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + PAGE_RESOURCE, e);
        }
    }

    /** None: the tab reads the storages when asked, so it needs no storage events. */
    @Override
    public List<String> getCallbackTypeIDs() {
        return Collections.emptyList();
    }

    @Override
    public List<Route> getRoutes() {
        String p = HessianUi.PATH;
        return List.of(
                get(p, (args, rc) -> page(rc)),
                get(p + "/api/sessions", (args, rc) -> sessions(rc)),
                get(p + "/api/sessions/:sessionId/reports", (args, rc) -> reports(rc, args.get(0), null)),
                get(p + "/api/sessions/:sessionId/reports/since/:iteration",
                        (args, rc) -> reports(rc, args.get(0), args.get(1))),
                get(p + "/api/sessions/:sessionId/latest", (args, rc) -> latest(rc, args.get(0))),
                get(p + "/*", (args, rc) -> json(rc, 404, Json.error("no such route: " + rc.request().path()
                        + " (routes: /hessian, /hessian/api/sessions, /hessian/api/sessions/{id}/reports, "
                        + "/hessian/api/sessions/{id}/reports/since/{iteration}, /hessian/api/sessions/{id}/latest)"))));
    }

    @Override
    public void reportStorageEvents(Collection<StatsStorageEvent> events) {
        // nothing to do: routes read the storages on demand
    }

    @Override
    public void onAttach(StatsStorage statsStorage) {
        reader.attach(statsStorage);
    }

    @Override
    public void onDetach(StatsStorage statsStorage) {
        reader.detach(statsStorage);
    }

    @Override
    public List<I18NResource> getInternationalizationResources() {
        return Collections.emptyList();
    }

    private static Route get(String path, BiConsumer<List<String>, RoutingContext> handler) {
        return new Route(path, HttpMethod.GET, (args, rc) -> {
            try {
                handler.accept(args, rc);
            } catch (RuntimeException e) {
                LOG.warn("Hessian tab: {} failed", rc.request().path(), e);
                if (!rc.response().ended()) {
                    json(rc, 500, Json.error("internal error while reading the stats storage; see the UI server log"));
                }
            }
        });
    }

    private void page(RoutingContext rc) {
        secure(rc.response()).putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY).end(page);
    }

    private void sessions(RoutingContext rc) {
        json(rc, 200, ProbeJson.sessions(reader.sessions(), VertxUIServer.getMultiSession().get()));
    }

    private void reports(RoutingContext rc, String sessionId, String since) {
        Long sinceIteration = null;
        if (since != null) {
            try {
                sinceIteration = Long.parseLong(since);
            } catch (NumberFormatException e) {
                json(rc, 404, Json.error("no such route: the iteration in .../reports/since/{iteration} must be an "
                        + "integer, got '" + since + "'"));
                return;
            }
        }
        Optional<List<HessianProbe>> probes = reader.probes(sessionId, sinceIteration == null ? Long.MIN_VALUE : sinceIteration);
        if (probes.isEmpty()) {
            unknownSession(rc, sessionId);
            return;
        }
        json(rc, 200, ProbeJson.reports(sessionId, sinceIteration, probes.get()));
    }

    private void latest(RoutingContext rc, String sessionId) {
        Optional<List<HessianProbe>> probes = reader.latest(sessionId);
        if (probes.isEmpty()) {
            unknownSession(rc, sessionId);
            return;
        }
        json(rc, 200, ProbeJson.latest(sessionId, probes.get()));
    }

    private static void unknownSession(RoutingContext rc, String sessionId) {
        json(rc, 404, Json.error("unknown session '" + sessionId + "': no attached StatsStorage has Hessian reports "
                + "for it (see /hessian/api/sessions)"));
    }

    private static void json(RoutingContext rc, int status, String body) {
        secure(rc.response()).setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
                .end(body);
    }

    private static HttpServerResponse secure(HttpServerResponse r) {
        return r.putHeader("X-Content-Type-Options", "nosniff").putHeader("Cache-Control", "no-store");
    }
}
