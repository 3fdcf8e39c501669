/**
 * Curvature-aware optimizers for Deeplearning4j, the public API: {@link dev.curvature.optimizers.AdamMini} and
 * {@link dev.curvature.optimizers.Muon} as {@code IUpdater} configurations with their {@code GradientUpdater}s,
 * {@link dev.curvature.optimizers.NewtonSchulz} (Muon's orthogonalisation, usable on its own),
 * {@link dev.curvature.optimizers.Layouts}, which stamps parameter shapes into network configurations, beside
 * {@link dev.curvature.optimizers.LayerRoles}, which recognises what each parameter of a DL4J layer is, and
 * {@link dev.curvature.optimizers.OptimizerMemory}. Implementation details live in
 * {@code dev.curvature.optimizers.internal}.
 */
package dev.curvature.optimizers;
