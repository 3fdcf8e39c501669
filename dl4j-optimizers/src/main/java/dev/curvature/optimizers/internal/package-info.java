/**
 * Internals of the optimizers, shared with the other modules of this project (the Hessian listener, the Arbiter
 * spaces) but not part of the public API: they may change without notice. Validation helpers
 * ({@link dev.curvature.optimizers.internal.Checks}), BLAS level-1 vector ops
 * ({@link dev.curvature.optimizers.internal.Level1}), block geometry
 * ({@link dev.curvature.optimizers.internal.ParamBlocks}, {@link dev.curvature.optimizers.internal.BlockedLayout},
 * the partition rules {@link dev.curvature.optimizers.internal.AdamMiniPartition} and
 * {@link dev.curvature.optimizers.internal.MuonPartition}) and the block-moment kernel
 * ({@link dev.curvature.optimizers.internal.BlockMoments}).
 */
package dev.curvature.optimizers.internal;
