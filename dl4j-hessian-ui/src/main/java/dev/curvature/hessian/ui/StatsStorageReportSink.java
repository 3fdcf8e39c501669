package dev.curvature.hessian.ui;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.ReportSink;
import dev.curvature.hessian.ui.storage.HessianProbe;
import dev.curvature.hessian.ui.storage.HessianProbePersistable;
import dev.curvature.hessian.ui.storage.HessianSessionInfo;
import dev.curvature.hessian.ui.storage.HessianSessionInfoPersistable;
import org.deeplearning4j.core.storage.StatsStorageRouter;

/**
 * A {@link ReportSink} that posts every {@link BlockHessianReport} to a DL4J {@link StatsStorageRouter}: an
 * {@code InMemoryStatsStorage} or {@code FileStatsStorage} attached to the UI server, or a
 * {@code RemoteUIStatsStorageRouter} posting to a UI in another JVM. Before the first report it posts the
 * {@link HessianSessionInfo} as static info (DL4J lists a worker's updates only after its static info); each report
 * then goes out as one {@link HessianProbePersistable} update.
 *
 * <p>DL4J's storages key the updates of a (session, type, worker) by timestamp, so two updates with the same
 * millisecond would overwrite each other. The sink therefore stores each probe under its start time in
 * milliseconds, raised to one more than the previous probe's key when probes come faster than that.
 *
 * <p>Thread-safe. Made by {@link HessianUi#sink(StatsStorageRouter)} and its overloads.
 */
public final class StatsStorageReportSink implements ReportSink {
    private final StatsStorageRouter router;
    private final String sessionId;
    private final String workerId;
    private final String label;
    private boolean staticInfoPosted;
    private long lastTimestamp = Long.MIN_VALUE;

    /**
     * @throws IllegalArgumentException if the router is null or an id is null or empty
     */
    public StatsStorageReportSink(StatsStorageRouter router, String sessionId, String workerId) {
        this(router, sessionId, workerId, "");
    }

    /**
     * As {@link #StatsStorageReportSink(StatsStorageRouter, String, String)}, with a label for the UI's session
     * selector (stored in the session's static info; empty for none).
     *
     * @throws IllegalArgumentException if the router or label is null or an id is null or empty
     */
    public StatsStorageReportSink(StatsStorageRouter router, String sessionId, String workerId, String label) {
        if (router == null) {
            throw new IllegalArgumentException("router must not be null (an InMemoryStatsStorage, FileStatsStorage or "
                    + "RemoteUIStatsStorageRouter)");
        }
        if (sessionId == null || sessionId.isEmpty()) {
            throw new IllegalArgumentException("sessionId must be a non-empty string, got "
                    + (sessionId == null ? "null" : "\"\""));
        }
        if (workerId == null || workerId.isEmpty()) {
            throw new IllegalArgumentException("workerId must be a non-empty string, got "
                    + (workerId == null ? "null" : "\"\""));
        }
        if (label == null) {
            throw new IllegalArgumentException("label must not be null (empty for none)");
        }
        this.router = router;
        this.label = label;
        this.sessionId = sessionId;
        this.workerId = workerId;
    }

    /** Where the reports go. */
    public StatsStorageRouter router() {
        return router;
    }

    /** The session every report is posted under. */
    public String sessionId() {
        return sessionId;
    }

    /** The worker every report is posted under. */
    public String workerId() {
        return workerId;
    }

    /** The session label shown by the UI (empty for none). */
    public String label() {
        return label;
    }

    /** Posts the static info (first call only) and the report as an update. */
    @Override
    public synchronized void accept(BlockHessianReport report) {
        long started = report.timestamp().toEpochMilli();
        long timestamp = lastTimestamp == Long.MIN_VALUE ? started : Math.max(started, lastTimestamp + 1);
        HessianProbe probe = HessianProbe.of(report, sessionId, workerId, timestamp);
        if (!staticInfoPosted) {
            router.putStaticInfo(new HessianSessionInfoPersistable(HessianSessionInfo.of(probe, label)));
            staticInfoPosted = true;
        }
        router.putUpdate(new HessianProbePersistable(probe));
        lastTimestamp = timestamp;
    }

    @Override
    public String toString() {
        return "StatsStorageReportSink[" + router + ", session " + sessionId + ", worker " + workerId + "]";
    }
}
