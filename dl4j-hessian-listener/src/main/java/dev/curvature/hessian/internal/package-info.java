/**
 * Internal: not an API, may change without notice. The DL4J glue of Hessian probes: the private DOUBLE probe copy of
 * a network ({@link dev.curvature.hessian.internal.ProbeCopy}) and the machinery that makes its Hessian-vector
 * products exact where the network has kinks: {@link dev.curvature.hessian.internal.KinkFreezer} finds the kinks and
 * installs frozen versions of activations ({@link dev.curvature.hessian.internal.FrozenActivation}), max pooling
 * ({@link dev.curvature.hessian.internal.FrozenMaxPooling}), PReLU layers
 * ({@link dev.curvature.hessian.internal.FrozenPReLU}) and element-wise max vertices
 * ({@link dev.curvature.hessian.internal.FrozenMaxVertex}), which record their piece at the probe point on a
 * {@link dev.curvature.hessian.internal.KinkTape} and replay it (docs/ALGORITHMS.md, section 5). Probe batches are
 * captured and copied by {@link dev.curvature.hessian.internal.ProbeBatches}. Users reach all this through
 * {@link dev.curvature.hessian.HessianOperator}, {@link dev.curvature.hessian.HessianBlockEstimator} and
 * {@link dev.curvature.hessian.HessianBlockListener}.
 */
package dev.curvature.hessian.internal;
