/**
 * The mathematics of Hessian block diagnostics as plain functions on {@link org.nd4j.linalg.api.ndarray.INDArray}s,
 * with no Deeplearning4j network in sight (Dong, Zhang, Luo, Yao, Sun 2025, "Towards Quantifying the Hessian
 * Structure of Neural Networks", arXiv 2505.02809).
 *
 * <ul>
 *   <li>{@link dev.curvature.hessian.math.GradientFunction}: parameters to gradient, the only thing the maths needs
 *       from a model;</li>
 *   <li>{@link dev.curvature.hessian.math.FiniteDifferenceHvp}: Hessian-vector products by central differences of
 *       gradients, {@code Hv ~ (g(theta + t v) - g(theta - t v)) / (2 t)};</li>
 *   <li>{@link dev.curvature.hessian.math.ParamSubspace} and {@link dev.curvature.hessian.math.BlockStructure}: the
 *       restricted parameter set and its blocks, as views; {@link dev.curvature.hessian.math.BlockSample}: which
 *       blocks are probed (all, or a stratified sample with an equal share per layer);</li>
 *   <li>{@link dev.curvature.hessian.math.BlockNormEstimator}: block Frobenius norms {@code ||H_ij||_F}, exactly (one
 *       product per parameter) or from Rademacher probes supported on one block
 *       ({@code E ||(H z)_i||^2 = ||H_ij||_F^2}), with standard errors
 *       ({@link dev.curvature.hessian.math.BlockNormEstimate}, {@link dev.curvature.hessian.math.TwoStageSampling});</li>
 *   <li>{@link dev.curvature.hessian.math.SpectralEstimator}: top and bottom eigenvalues (Lanczos) and the trace
 *       (Hutchinson) of any {@link dev.curvature.hessian.math.LinearOperator}.</li>
 * </ul>
 *
 * <p>Every function issues ND4J array operations per block or per product, never per parameter element, so it runs
 * unchanged on any ND4J backend and floating-point data type.
 */
package dev.curvature.hessian.math;
