/**
 * Destinations for {@link dev.curvature.hessian.BlockHessianReport}s produced by
 * {@link dev.curvature.hessian.HessianBlockListener}: the {@link dev.curvature.hessian.ReportSink} interface
 * (the extension point, e.g. for a DL4J UI {@code StatsStorageRouter} sink), an SLF4J log line, a CSV file of
 * model-level summaries and a JSON Lines file with per-layer and per-block data.
 */
package dev.curvature.hessian.sink;
