package dev.curvature.hessian.ui.storage;

import java.nio.ByteBuffer;

/**
 * A {@link HessianProbe} as a DL4J {@code Persistable} "update", type {@value #TYPE_ID}: what
 * {@link dev.curvature.hessian.ui.StatsStorageReportSink} posts with {@code putUpdate} for each report, and what
 * the UI module reads back. Encoded with {@link ProbeEncoding}.
 */
public final class HessianProbePersistable extends EncodedPersistable<HessianProbe> {
    private static final long serialVersionUID = 1L;

    /** The DL4J type ID of Hessian reports (updates and static info). */
    public static final String TYPE_ID = "HessianBlockListener";

    /** For DL4J, which re-creates persistables by class name and then calls {@code decode}. */
    public HessianProbePersistable() {
    }

    /** The persistable of {@code probe}. */
    public HessianProbePersistable(HessianProbe probe) {
        super(probe);
    }

    /** The probe. */
    public HessianProbe probe() {
        return value();
    }

    @Override
    public String getSessionID() {
        return value().sessionId();
    }

    @Override
    public String getTypeID() {
        return TYPE_ID;
    }

    @Override
    public String getWorkerID() {
        return value().workerId();
    }

    /** The storage key: {@link HessianProbe#timestamp()}. */
    @Override
    public long getTimeStamp() {
        return value().timestamp();
    }

    @Override
    byte[] encodeValue(HessianProbe value) {
        return ProbeEncoding.encode(value);
    }

    @Override
    HessianProbe decodeValue(ByteBuffer buffer) {
        return ProbeEncoding.decodeProbe(buffer);
    }
}
