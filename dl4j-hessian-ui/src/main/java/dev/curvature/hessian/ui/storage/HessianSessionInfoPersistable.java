package dev.curvature.hessian.ui.storage;

import java.nio.ByteBuffer;

/**
 * A {@link HessianSessionInfo} as a DL4J {@code Persistable} "static info", type
 * {@value HessianProbePersistable#TYPE_ID}: posted with {@code putStaticInfo} once per (session, worker) before the
 * first {@link HessianProbePersistable}. Encoded with {@link ProbeEncoding}.
 */
public final class HessianSessionInfoPersistable extends EncodedPersistable<HessianSessionInfo> {
    private static final long serialVersionUID = 1L;

    /** For DL4J, which re-creates persistables by class name and then calls {@code decode}. */
    public HessianSessionInfoPersistable() {
    }

    /** The persistable of {@code info}. */
    public HessianSessionInfoPersistable(HessianSessionInfo info) {
        super(info);
    }

    /** The session info. */
    public HessianSessionInfo info() {
        return value();
    }

    @Override
    public String getSessionID() {
        return value().sessionId();
    }

    @Override
    public String getTypeID() {
        return HessianProbePersistable.TYPE_ID;
    }

    @Override
    public String getWorkerID() {
        return value().workerId();
    }

    @Override
    public long getTimeStamp() {
        return value().timestamp();
    }

    @Override
    byte[] encodeValue(HessianSessionInfo value) {
        return ProbeEncoding.encode(value);
    }

    @Override
    HessianSessionInfo decodeValue(ByteBuffer buffer) {
        return ProbeEncoding.decodeSessionInfo(buffer);
    }
}
