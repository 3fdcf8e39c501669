/**
 * How Hessian reports are stored in Deeplearning4j's {@code StatsStorage}: the value records
 * {@link dev.curvature.hessian.ui.storage.HessianProbe} (one probe: ratios with standard errors, spectrum, trace,
 * block norms with labels, per-layer summaries) and {@link dev.curvature.hessian.ui.storage.HessianSessionInfo}
 * (what a worker probes, DL4J's once-per-worker "static info"), their versioned binary format
 * {@link dev.curvature.hessian.ui.storage.ProbeEncoding}, and the DL4J {@code Persistable} adapters
 * {@link dev.curvature.hessian.ui.storage.HessianProbePersistable} and
 * {@link dev.curvature.hessian.ui.storage.HessianSessionInfoPersistable} that every storage (in memory, MapDB file,
 * remote UI) re-creates by class name.
 */
package dev.curvature.hessian.ui.storage;
