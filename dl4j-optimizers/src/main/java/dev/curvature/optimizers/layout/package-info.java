/**
 * The parameter layout carried in an updater configuration (and its JSON): what each parameter tensor is
 * ({@link dev.curvature.optimizers.layout.ParamRole}), its shape ({@link dev.curvature.optimizers.layout.ParamSpec}),
 * the parameters one updater configuration covers ({@link dev.curvature.optimizers.layout.ParamLayout}), and the
 * interface of configurations that need it ({@link dev.curvature.optimizers.layout.LayoutAware}).
 */
package dev.curvature.optimizers.layout;
