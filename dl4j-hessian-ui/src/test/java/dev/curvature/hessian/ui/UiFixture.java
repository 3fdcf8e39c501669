package dev.curvature.hessian.ui;

import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.api.UIServer;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The one DL4J UI server of the test JVM (DL4J keeps a singleton), started on a free port chosen by the OS, and
 * small HTTP helpers over loopback.
 */
public final class UiFixture {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private UiFixture() {
    }

    /** Starts the server on first use (port 0: any free port) and returns it. */
    public static synchronized UIServer server() {
        UIServer ui = VertxUIServer.getInstance();
        if (ui == null || ui.isStopped()) {
            ui = VertxUIServer.getInstance(0, false, null);
        }
        return ui;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public static String base() {
        return "http://127.0.0.1:" + server().getPort();
    }

    /** A GET answer. */
    public record Answer(int status, String contentType, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }
    }

    /** GET {@code base + path}; the path is sent as given (already encoded). */
    public static Answer get(String path) {
        return getUrl(base() + path);
    }

    public static Answer getUrl(String url) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body(), r.headers());
        } catch (IOException e) {
            throw new AssertionError("GET " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Polls GET {@code path} until {@code done} holds or {@code timeout} passes; returns the last answer. */
    public static Answer await(String path, Predicate<Answer> done, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        Answer a = get(path);
        while (!done.test(a) && System.nanoTime() < end) {
            Thread.sleep(200);
            a = get(path);
        }
        return a;
    }
}
