/**
 * Curvature-aware optimizers for Deeplearning4j: {@link dev.curvature.optimizers.AdamMini} and
 * {@link dev.curvature.optimizers.Muon} as {@code IUpdater} configurations with their {@code GradientUpdater}s,
 * the array maths they are built from ({@link dev.curvature.optimizers.BlockMoments},
 * {@link dev.curvature.optimizers.NewtonSchulz}), and {@link dev.curvature.optimizers.Layouts}, which stamps
 * parameter shapes into network configurations.
 */
package dev.curvature.optimizers;
