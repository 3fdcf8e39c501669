package dev.curvature.hessian.ui;

import dev.curvature.hessian.HessianBlockListener;
import org.deeplearning4j.core.storage.StatsStorageRouter;

import java.lang.management.ManagementFactory;
import java.util.UUID;

/**
 * Wiring of {@link HessianBlockListener} to the Deeplearning4j UI server. The common case is one call:
 * <pre>{@code
 * UIServer ui = UIServer.getInstance();
 * StatsStorage storage = new InMemoryStatsStorage();          // or new FileStatsStorage(file)
 * ui.attach(storage);
 * net.setListeners(HessianUi.attach(HessianBlockListener.builder().frequency(500), storage).build());
 * // open http://localhost:9000/hessian
 * }</pre>
 * Any {@link StatsStorageRouter} works, also a {@code RemoteUIStatsStorageRouter} posting to a UI in another JVM
 * that called {@code UIServer.enableRemoteListener()}. The tab itself ({@link dev.curvature.hessian.ui.module.HessianModule})
 * is found by the UI server through {@code META-INF/services}; having this module on the UI's classpath is enough.
 */
public final class HessianUi {
    /** Path of the tab on the UI server. */
    public static final String PATH = "/hessian";

    private HessianUi() {
    }

    /**
     * Adds a sink that posts every report to {@code router} under a new random session id, and returns the builder
     * for chaining.
     */
    public static HessianBlockListener.Builder attach(HessianBlockListener.Builder builder, StatsStorageRouter router) {
        return attach(builder, router, newSessionId());
    }

    /**
     * As {@link #attach(HessianBlockListener.Builder, StatsStorageRouter)} under the given session id, for example
     * that of a DL4J {@code StatsListener} ({@code statsListener.getSessionID()}) so both appear as one session.
     */
    public static HessianBlockListener.Builder attach(HessianBlockListener.Builder builder, StatsStorageRouter router,
                                                      String sessionId) {
        if (builder == null) {
            throw new IllegalArgumentException("builder must not be null");
        }
        return builder.sink(sink(router, sessionId));
    }

    /**
     * As {@link #attach(HessianBlockListener.Builder, StatsStorageRouter, String)}, with a label that the Hessian
     * tab's session selector shows beside the session id, for example the optimizer and its settings.
     */
    public static HessianBlockListener.Builder attach(HessianBlockListener.Builder builder, StatsStorageRouter router,
                                                      String sessionId, String label) {
        if (builder == null) {
            throw new IllegalArgumentException("builder must not be null");
        }
        return builder.sink(new StatsStorageReportSink(router, sessionId, defaultWorkerId(), label));
    }

    /** A sink posting to {@code router} under a new random session id and {@link #defaultWorkerId()}. */
    public static StatsStorageReportSink sink(StatsStorageRouter router) {
        return sink(router, newSessionId());
    }

    /** A sink posting to {@code router} under {@code sessionId} and {@link #defaultWorkerId()}. */
    public static StatsStorageReportSink sink(StatsStorageRouter router, String sessionId) {
        return new StatsStorageReportSink(router, sessionId, defaultWorkerId());
    }

    /** A sink posting to {@code router} under the given session and worker ids. */
    public static StatsStorageReportSink sink(StatsStorageRouter router, String sessionId, String workerId) {
        return new StatsStorageReportSink(router, sessionId, workerId);
    }

    /** A new random session id (a UUID, as DL4J's {@code StatsListener} uses). */
    public static String newSessionId() {
        return UUID.randomUUID().toString();
    }

    /** {@code pid@host} of this JVM: one worker per training JVM. */
    public static String defaultWorkerId() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }
}
