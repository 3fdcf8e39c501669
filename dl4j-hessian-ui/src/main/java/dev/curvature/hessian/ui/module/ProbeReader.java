package dev.curvature.hessian.ui.module;

import dev.curvature.hessian.ui.storage.HessianProbe;
import dev.curvature.hessian.ui.storage.HessianProbePersistable;
import dev.curvature.hessian.ui.storage.HessianSessionInfo;
import dev.curvature.hessian.ui.storage.HessianSessionInfoPersistable;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.core.storage.StatsStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads Hessian probes from the {@link StatsStorage}s attached to the UI. Read-only: it calls only the query
 * methods of a storage ({@code listSessionIDs}, {@code listTypeIDsForSession}, {@code listWorkerIDsForSessionAndType},
 * {@code getStaticInfo}, {@code getAllUpdateTimes}, {@code getUpdates}).
 *
 * <p>Decoded probes are cached per (storage, session, worker) and timestamp, so a page polling every few seconds
 * makes a {@code FileStatsStorage} decode each probe once; the cache of a storage is dropped when it is detached.
 * It holds the probes of the sessions that were viewed, about the size of their encodings. Thread-safe.
 */
final class ProbeReader {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeReader.class);
    /** DL4J's {@code StatsListener} type id: a session that has it also shows on the built-in training pages. */
    static final String TRAINING_TYPE_ID = "StatsListener";

    /** One session as listed by the tab. */
    record SessionSummary(String id, List<String> workers, int reports, long lastUpdate, HessianSessionInfo info,
                          boolean training) {
    }

    private record WorkerKey(String session, String worker) {
    }

    private final List<StatsStorage> storages = new ArrayList<>();
    private final Map<StatsStorage, Map<WorkerKey, TreeMap<Long, HessianProbe>>> cache = new IdentityHashMap<>();

    synchronized void attach(StatsStorage storage) {
        for (StatsStorage s : storages) {
            if (s == storage) {
                return;
            }
        }
        storages.add(storage);
    }

    synchronized void detach(StatsStorage storage) {
        storages.removeIf(s -> s == storage);
        cache.remove(storage);
    }

    /**
     * The sessions with Hessian reports, most recently updated first. A session whose storage fails while it is read
     * is left out and logged, so one broken session does not hide the others.
     */
    synchronized List<SessionSummary> sessions() {
        Map<String, List<StatsStorage>> byId = new HashMap<>();
        for (StatsStorage storage : storages) {
            for (String id : storage.listSessionIDs()) {
                if (storage.listTypeIDsForSession(id).contains(HessianProbePersistable.TYPE_ID)) {
                    byId.computeIfAbsent(id, k -> new ArrayList<>()).add(storage);
                }
            }
        }
        List<SessionSummary> out = new ArrayList<>();
        for (Map.Entry<String, List<StatsStorage>> e : byId.entrySet()) {
            try {
                out.add(summarise(e.getKey(), e.getValue()));
            } catch (RuntimeException ex) {
                // one unreadable session must not hide the others; the session's own routes answer 500
                LOG.warn("Hessian tab: session '{}' cannot be listed", e.getKey(), ex);
            }
        }
        out.sort(Comparator.comparingLong(SessionSummary::lastUpdate).reversed().thenComparing(SessionSummary::id));
        return out;
    }

    private static SessionSummary summarise(String id, List<StatsStorage> storages) {
        TreeSet<String> workers = new TreeSet<>();
        int reports = 0;
        long lastUpdate = Long.MIN_VALUE;
        HessianSessionInfo info = null;
        boolean training = false;
        for (StatsStorage storage : storages) {
            training |= storage.listTypeIDsForSession(id).contains(TRAINING_TYPE_ID);
            for (String worker : storage.listWorkerIDsForSessionAndType(id, HessianProbePersistable.TYPE_ID)) {
                workers.add(worker);
                long[] times = storage.getAllUpdateTimes(id, HessianProbePersistable.TYPE_ID, worker);
                reports += times.length;
                if (times.length > 0) {
                    lastUpdate = Math.max(lastUpdate, times[times.length - 1]);
                }
                if (info == null) {
                    Persistable p = storage.getStaticInfo(id, HessianProbePersistable.TYPE_ID, worker);
                    if (p instanceof HessianSessionInfoPersistable s) {
                        info = s.info();
                    }
                }
            }
        }
        return new SessionSummary(id, List.copyOf(workers), reports, lastUpdate, info, training);
    }

    /**
     * The probes of a session with {@code iteration >= sinceIteration}, by iteration, worker and timestamp; empty if no
     * attached storage has Hessian reports for that session.
     */
    synchronized Optional<List<HessianProbe>> probes(String sessionId, long sinceIteration) {
        List<StatsStorage> holding = holding(sessionId);
        if (holding.isEmpty()) {
            return Optional.empty();
        }
        List<HessianProbe> out = new ArrayList<>();
        for (StatsStorage storage : holding) {
            for (String worker : storage.listWorkerIDsForSessionAndType(sessionId, HessianProbePersistable.TYPE_ID)) {
                for (HessianProbe p : load(storage, sessionId, worker).values()) {
                    if (p.iteration() >= sinceIteration) {
                        out.add(p);
                    }
                }
            }
        }
        out.sort(Comparator.comparingLong(HessianProbe::iteration).thenComparing(HessianProbe::workerId)
                .thenComparingLong(HessianProbe::timestamp));
        return Optional.of(out);
    }

    /** The latest probe (largest timestamp) of every worker of a session, by worker; empty if the session is unknown. */
    synchronized Optional<List<HessianProbe>> latest(String sessionId) {
        List<StatsStorage> holding = holding(sessionId);
        if (holding.isEmpty()) {
            return Optional.empty();
        }
        List<HessianProbe> out = new ArrayList<>();
        for (StatsStorage storage : holding) {
            for (String worker : storage.listWorkerIDsForSessionAndType(sessionId, HessianProbePersistable.TYPE_ID)) {
                TreeMap<Long, HessianProbe> probes = load(storage, sessionId, worker);
                if (!probes.isEmpty()) {
                    out.add(probes.lastEntry().getValue());
                }
            }
        }
        out.sort(Comparator.comparing(HessianProbe::workerId).thenComparingLong(HessianProbe::timestamp));
        return Optional.of(out);
    }

    private List<StatsStorage> holding(String sessionId) {
        List<StatsStorage> out = new ArrayList<>();
        for (StatsStorage storage : storages) {
            if (storage.sessionExists(sessionId)
                    && storage.listTypeIDsForSession(sessionId).contains(HessianProbePersistable.TYPE_ID)) {
                out.add(storage);
            }
        }
        return out;
    }

    /** The worker's probes by timestamp, decoding only those not seen before. */
    private TreeMap<Long, HessianProbe> load(StatsStorage storage, String sessionId, String worker) {
        TreeMap<Long, HessianProbe> known = cache.computeIfAbsent(storage, s -> new HashMap<>())
                .computeIfAbsent(new WorkerKey(sessionId, worker), k -> new TreeMap<>());
        long[] times = storage.getAllUpdateTimes(sessionId, HessianProbePersistable.TYPE_ID, worker);
        long[] missing = new long[times.length];
        int n = 0;
        for (long t : times) {
            if (!known.containsKey(t)) {
                missing[n++] = t;
            }
        }
        if (n > 0) {
            long[] wanted = Arrays.copyOf(missing, n);
            for (Persistable p : storage.getUpdates(sessionId, HessianProbePersistable.TYPE_ID, worker, wanted)) {
                if (p instanceof HessianProbePersistable h) {
                    known.put(h.getTimeStamp(), h.probe());
                }
            }
        }
        return known;
    }
}
