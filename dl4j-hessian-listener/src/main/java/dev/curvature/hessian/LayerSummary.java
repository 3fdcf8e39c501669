package dev.curvature.hessian;

/**
 * The block structure within one layer: the ratios of Dong, Zhang, Luo, Yao, Sun 2025 (arXiv 2505.02809)
 * computed over the pairs of blocks that both belong to this layer (see {@link BlockHessianReport} for the
 * definitions), and the trace of the layer's diagonal blocks.
 *
 * @param layer                             layer name
 * @param blocks                            blocks of this layer
 * @param probedBlocks                      how many of them were probed
 * @param parameters                        parameters of this layer in the partition
 * @param diagonalRms                       RMS over blocks i of this layer of {@code ||H_ii||_F}
 * @param offDiagonalRms                    RMS over pairs {@code i != j} within the layer of {@code ||H_ij||_F}
 * @param pairwiseRatio                     {@code offDiagonalRms / diagonalRms} (NaN with one block)
 * @param pairwiseRatioStandardError        its standard error (0 if exact)
 * @param offDiagonalMassRatio              {@code sqrt(blocks - 1) * pairwiseRatio}: Frobenius mass of the layer's
 *                                          off-diagonal blocks over that of its diagonal blocks
 * @param offDiagonalMassRatioStandardError its standard error
 * @param trace                             sum of {@code tr(H_ii)} over the layer's blocks (extrapolated from the
 *                                          probed ones when not all are probed)
 * @param traceStandardError                its standard error
 */
public record LayerSummary(String layer, int blocks, int probedBlocks, long parameters, double diagonalRms,
                           double offDiagonalRms, double pairwiseRatio, double pairwiseRatioStandardError,
                           double offDiagonalMassRatio, double offDiagonalMassRatioStandardError, double trace,
                           double traceStandardError) {
}
