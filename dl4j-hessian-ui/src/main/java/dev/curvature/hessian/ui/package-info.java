/**
 * A "Hessian" tab for the Deeplearning4j UI server, for the reports of
 * {@link dev.curvature.hessian.HessianBlockListener}. {@link dev.curvature.hessian.ui.HessianUi} wires a listener to
 * a DL4J {@code StatsStorageRouter} in one call through a {@link dev.curvature.hessian.ui.StatsStorageReportSink};
 * the stored form lives in {@code dev.curvature.hessian.ui.storage}, the UI server module and page in
 * {@code dev.curvature.hessian.ui.module}.
 */
package dev.curvature.hessian.ui;
