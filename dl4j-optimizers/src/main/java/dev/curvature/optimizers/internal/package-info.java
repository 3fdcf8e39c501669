/**
 * Internals of the optimizers, shared with the other modules of this project (the Hessian listener, the Arbiter
 * spaces) but not part of the public API: they may change without notice. Validation helpers
 * ({@link dev.curvature.optimizers.internal.Checks}); vector ops ({@link dev.curvature.optimizers.internal.Level1},
 * {@link dev.curvature.optimizers.internal.Views}); block geometry
 * ({@link dev.curvature.optimizers.internal.ParamBlocks}, {@link dev.curvature.optimizers.internal.BlockedLayout}
 * and the partition rules {@link dev.curvature.optimizers.internal.AdamMiniPartition},
 * {@link dev.curvature.optimizers.internal.MuonPartition}); the maths the updaters are built from
 * ({@link dev.curvature.optimizers.internal.BlockMoments}, the one block kernel, also behind the Hessian listener's
 * block norms; {@link dev.curvature.optimizers.internal.Moments}); and
 * {@link dev.curvature.optimizers.internal.UpdaterState}, where an updater's state comes from.
 */
package dev.curvature.optimizers.internal;
