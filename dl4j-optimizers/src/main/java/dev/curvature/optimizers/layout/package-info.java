/**
 * Parameter layouts: what each parameter tensor is ({@link dev.curvature.optimizers.layout.ParamRole}), its shape
 * ({@link dev.curvature.optimizers.layout.ParamSpec}), the parameters one updater configuration covers
 * ({@link dev.curvature.optimizers.layout.ParamLayout}), and how tensors split into blocks
 * ({@link dev.curvature.optimizers.layout.AdamMiniPartition}, shared with the Hessian block estimator).
 */
package dev.curvature.optimizers.layout;
