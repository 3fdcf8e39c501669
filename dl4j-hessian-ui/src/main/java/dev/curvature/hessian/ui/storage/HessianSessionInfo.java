package dev.curvature.hessian.ui.storage;

import java.util.List;

/**
 * What one worker of a session probes, posted once per (session, worker) as the DL4J "static info" before its first
 * {@link HessianProbe}: DL4J's storages list the updates of a worker only once it has posted static info
 * ({@code StatsStorage.getAllUpdatesAfter(session, type, timestamp)} and {@code listWorkerIDsForSessionAndType}).
 * Taken from the worker's first report; later reports of the same listener have the same partition and blocks.
 *
 * @param sessionId  the StatsStorage session
 * @param workerId   the worker
 * @param timestamp  when the worker's first report was posted, in milliseconds since the epoch
 * @param method     {@code EXACT} or {@code STOCHASTIC}
 * @param partition  description of the block partition
 * @param blocks     number of blocks {@code B}
 * @param parameters parameters in the partition
 * @param layers     names of the probed layers, in parameter order
 * @param label      a label for people, shown by the UI's session selector (for example the optimizer and its
 *                   settings); empty for none
 */
public record HessianSessionInfo(String sessionId, String workerId, long timestamp, String method, String partition,
                                 int blocks, long parameters, List<String> layers, String label) {

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public HessianSessionInfo {
        HessianProbe.requireText(sessionId, "sessionId");
        HessianProbe.requireText(workerId, "workerId");
        HessianProbe.requireNonNull(method, "method");
        HessianProbe.requireNonNull(partition, "partition");
        if (blocks < 0) {
            throw new IllegalArgumentException("blocks must be >= 0, got " + blocks);
        }
        HessianProbe.requireNonNull(layers, "layers");
        layers = List.copyOf(layers);
        HessianProbe.requireNonNull(label, "label");
    }

    /** Without a label. */
    public HessianSessionInfo(String sessionId, String workerId, long timestamp, String method, String partition,
                              int blocks, long parameters, List<String> layers) {
        this(sessionId, workerId, timestamp, method, partition, blocks, parameters, layers, "");
    }

    /** The static info that goes with {@code probe}: its session, worker, timestamp, method, partition and layers. */
    public static HessianSessionInfo of(HessianProbe probe) {
        return of(probe, "");
    }

    /** As {@link #of(HessianProbe)} with a label. */
    public static HessianSessionInfo of(HessianProbe probe, String label) {
        return new HessianSessionInfo(probe.sessionId(), probe.workerId(), probe.timestamp(), probe.method(),
                probe.partition(), probe.blockCount(), probe.parameters(),
                probe.layers().stream().map(l -> l.layer()).toList(), label);
    }
}
