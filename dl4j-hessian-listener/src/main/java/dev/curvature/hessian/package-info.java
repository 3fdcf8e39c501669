/**
 * Hessian block-structure diagnostics for Deeplearning4j networks, after Dong, Zhang, Luo, Yao, Sun 2025,
 * "Towards Quantifying the Hessian Structure of Neural Networks" (arXiv 2505.02809).
 *
 * <p>Blocks come from a {@link dev.curvature.hessian.BlockPartition} (per output neuron, the paper's choice; per
 * tensor; or Adam-mini's partition, shared with {@code dev.curvature.optimizers}). With {@code H_ij} the
 * sub-matrix of the Hessian of the mean loss for blocks {@code i} and {@code j}:
 * <ul>
 *   <li>{@code pairwiseRatio} = RMS over {@code i != j} of {@code ||H_ij||_F} / RMS over {@code i} of
 *       {@code ||H_ii||_F} (about {@code 1/C} at initialisation for {@code C} classes);</li>
 *   <li>{@code offDiagonalMassRatio} = {@code ||H_off||_F / ||H_diag||_F} (about {@code 1/sqrt(C)}).</li>
 * </ul>
 *
 * <p>{@link dev.curvature.hessian.HessianBlockEstimator} measures them (exactly or with Rademacher probes and
 * standard errors, plus top eigenvalue and trace) into a {@link dev.curvature.hessian.BlockHessianReport};
 * {@link dev.curvature.hessian.HessianBlockListener} does it during training without changing training.
 * {@link dev.curvature.hessian.HessianOperator} gives the exact Hessian-vector products they are built on. The maths
 * lives in {@code dev.curvature.hessian.math}, the report destinations in {@code dev.curvature.hessian.sink}, the DL4J
 * glue of probe copies and frozen kinks in {@code dev.curvature.hessian.internal}.
 */
package dev.curvature.hessian;
