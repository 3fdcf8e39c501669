/**
 * Spark training of networks that use the layout-aware curvature optimizers ({@code AdamMini}, {@code Muon}).
 *
 * <ul>
 *   <li>{@link dev.curvature.spark.CurvatureSpark}: builds {@code SparkDl4jMultiLayer} / {@code SparkComputationGraph}
 *       from a network or a configuration with the parameter layout stamped on the driver, and checks stamps.</li>
 *   <li>{@link dev.curvature.spark.CurvatureTrainingMaster}: DL4J's parameter averaging that stamps the driver's
 *       network before each round is broadcast and calls {@link dev.curvature.spark.AveragingRoundListener}s on the
 *       driver after each averaging round.</li>
 *   <li>{@link dev.curvature.spark.SparkHessianProbe}: runs a {@code HessianBlockListener} on the driver's averaged
 *       network after each round, so probe reports reach the same {@code StatsStorageRouter} and UI as local
 *       training.</li>
 * </ul>
 */
package dev.curvature.spark;
