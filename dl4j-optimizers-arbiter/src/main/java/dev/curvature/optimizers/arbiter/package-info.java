/**
 * Arbiter (1.0.0-beta7) hyperparameter search for Adam-mini and Muon: the updater spaces
 * {@link dev.curvature.optimizers.arbiter.AdamMiniSpace} and {@link dev.curvature.optimizers.arbiter.MuonSpace}, a
 * choice among updater spaces ({@link dev.curvature.optimizers.arbiter.UpdaterChoiceSpace}), and Arbiter task
 * creators that stamp parameter layouts into each candidate network
 * ({@link dev.curvature.optimizers.arbiter.CurvatureTaskCreators},
 * {@link dev.curvature.optimizers.arbiter.LayoutTaskListener}). A separate module, so that users of the optimizers
 * without Arbiter never get Arbiter on their classpath.
 */
package dev.curvature.optimizers.arbiter;
