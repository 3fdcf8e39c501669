package dev.curvature.hessian.math;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Frobenius norms of the blocks {@code H_ij} of a symmetric operator from products alone (Dong, Zhang, Luo, Yao,
 * Sun 2025, arXiv 2505.02809, docs/ALGORITHMS.md, section 3). A product with a vector supported on block {@code j} gives,
 * in one go, block {@code j}'s "column" {@code (H v)_i = H_ij v_j} against every block {@code i}.
 *
 * <ul>
 *   <li>{@link #exact}: one product per element {@code e_k} of each probed block;
 *       {@code ||H_ij||_F^2 = sum_k ||(H e_k)_i||^2}.</li>
 *   <li>{@link #stochastic}: {@code m} Rademacher probes {@code z} supported on each probed block {@code j};
 *       {@code E ||(H z)_i||^2 = ||H_ij||_F^2} for every {@code i} at once (since {@code E z z^T = I}), so the mean
 *       over probes is unbiased, with standard error {@code s / sqrt(m)}. The same product gives a Hutchinson sample
 *       {@code z^T (H z)_j} of {@code tr(H_jj)}.</li>
 * </ul>
 *
 * Cost: exactly {@code sum_j |block j|} products (exact) or {@code m} products per probed block (stochastic), plus
 * a fixed number of ND4J operations per product and per parameter tensor.
 */
public final class BlockNormEstimator {

    /**
     * Receives the assembled dense diagonal block {@code H_jj} (as computed, not symmetrised) in exact mode. The array
     * is freed when the call returns: copy what must outlive it.
     */
    @FunctionalInterface
    public interface DiagonalBlockConsumer {
        void accept(int block, INDArray diagonalBlock);
    }

    private BlockNormEstimator() {
    }

    /**
     * Exact block norms of the probed blocks' columns.
     *
     * @param hessian        the operator, of dimension {@code blocks.dimension()}
     * @param type           data type of the probe vectors
     * @param blocks         the block structure
     * @param sample         the probed blocks
     * @param groupBounds    contiguous groups of blocks (layers), {@code 0 = b_0 < b_1 < ... < b_G = B}, for the
     *                       within-group summaries
     * @param diagonalBlocks receives each {@code H_jj}, or null to skip assembling them
     */
    public static BlockNormEstimate exact(LinearOperator hessian, DataType type, BlockStructure blocks,
                                          BlockSample sample, int[] groupBounds, DiagonalBlockConsumer diagonalBlocks) {
        check(hessian, blocks, sample, groupBounds);
        int[] probed = sample.probed();
        int b = blocks.numBlocks();
        int np = probed.length;
        double[][] sq = new double[np][];
        double[][] off = new double[np][1];
        double[][] groupOff = new double[np][1];
        double[][] diag = new double[np][1];
        double[][] traces = new double[np][1];
        long products = 0;
        INDArray direction = Nd4j.zeros(type, blocks.dimension());
        for (int p = 0; p < np; p++) {
            int j = probed[p];
            long size = blocks.blockSize(j);
            INDArray probe = blocks.view(direction, j);
            INDArray column = Nd4j.zeros(type, b);
            INDArray hjj = diagonalBlocks == null ? null : Nd4j.create(type, new long[] {size, size}, 'f');
            double trace = 0;
            for (long t = 0; t < size; t++) {
                probe.putScalar(t, 1.0);
                INDArray u = hessian.apply(direction);
                probe.putScalar(t, 0.0);
                products++;
                column.addi(blocks.squaredNorms(u));
                INDArray uj = blocks.view(u, j);
                trace += uj.getDouble(t); // the diagonal entry (H e_t)_t: one scalar read per product
                if (hjj != null) {
                    hjj.get(NDArrayIndex.all(), NDArrayIndex.point(t)).assign(uj);
                }
                u.close();
            }
            sq[p] = column.toDoubleVector();
            traces[p][0] = trace;
            summarise(sq[p], j, groupBounds, 0, off[p], groupOff[p], diag[p]);
            if (hjj != null) {
                diagonalBlocks.accept(j, hjj);
                hjj.close();
            }
        }
        double[][] errors = new double[np][b];
        return new BlockNormEstimate(sample, groupBounds, true, sq, errors, off, groupOff, diag, traces, products);
    }

    /**
     * Unbiased block norms of the probed blocks' columns from {@code probesPerBlock} Rademacher probes each.
     *
     * @param rng caller-owned generator (never the global one)
     */
    public static BlockNormEstimate stochastic(LinearOperator hessian, DataType type, BlockStructure blocks,
                                               BlockSample sample, int[] groupBounds, int probesPerBlock, Random rng) {
        check(hessian, blocks, sample, groupBounds);
        int[] probed = sample.probed();
        if (probesPerBlock < 1) {
            throw new IllegalArgumentException("probesPerBlock must be >= 1, got " + probesPerBlock);
        }
        int b = blocks.numBlocks();
        int np = probed.length;
        int m = probesPerBlock;
        double[][] mean = new double[np][];
        double[][] errors = new double[np][];
        double[][] off = new double[np][m];
        double[][] groupOff = new double[np][m];
        double[][] diag = new double[np][m];
        double[][] traces = new double[np][m];
        long products = 0;
        INDArray direction = Nd4j.zeros(type, blocks.dimension());
        for (int p = 0; p < np; p++) {
            int j = probed[p];
            INDArray probe = blocks.view(direction, j);
            INDArray sum = Nd4j.zeros(type, b);
            INDArray sumSquares = Nd4j.zeros(type, b);
            for (int r = 0; r < m; r++) {
                INDArray z = Rademacher.sample(type, blocks.blockSize(j), rng);
                probe.assign(z);
                INDArray u = hessian.apply(direction);
                products++;
                INDArray x = blocks.squaredNorms(u);
                sum.addi(x);
                INDArray x2 = x.mul(x);
                sumSquares.addi(x2);
                traces[p][r] = SpectralEstimator.dot(z, blocks.view(u, j));
                summarise(x, j, groupBounds, r, off[p], groupOff[p], diag[p]);
                for (INDArray temporary : new INDArray[] {u, x, x2, z}) {
                    temporary.close();
                }
            }
            probe.assign(0.0);
            double[] s1 = sum.toDoubleVector();
            double[] s2 = sumSquares.toDoubleVector();
            mean[p] = new double[b];
            errors[p] = new double[b];
            for (int i = 0; i < b; i++) {
                mean[p][i] = s1[i] / m;
                // standard error of the mean from the sample variance (m - 1 denominator); NaN with one probe
                double var = m > 1 ? Math.max(0.0, (s2[i] - s1[i] * mean[p][i]) / (m - 1)) : Double.NaN;
                errors[p][i] = Math.sqrt(var / m);
            }
        }
        return new BlockNormEstimate(sample, groupBounds, false, mean, errors, off, groupOff, diag, traces, products);
    }

    /** Off-diagonal means (all blocks, own group) and the diagonal term of one column sample. */
    private static void summarise(INDArray x, int j, int[] groupBounds, int r, double[] off, double[] groupOff,
                                  double[] diag) {
        int b = (int) x.length();
        int g = groupOf(groupBounds, j);
        double xj = x.getDouble(j);
        double total = x.sumNumber().doubleValue();
        double inGroup = x.get(NDArrayIndex.interval(groupBounds[g], groupBounds[g + 1])).sumNumber().doubleValue();
        int groupSize = groupBounds[g + 1] - groupBounds[g];
        off[r] = b > 1 ? (total - xj) / (b - 1) : Double.NaN;
        groupOff[r] = groupSize > 1 ? (inGroup - xj) / (groupSize - 1) : Double.NaN;
        diag[r] = xj;
    }

    private static void summarise(double[] x, int j, int[] groupBounds, int r, double[] off, double[] groupOff,
                                  double[] diag) {
        summarise(Nd4j.createFromArray(x), j, groupBounds, r, off, groupOff, diag);
    }


    static int groupOf(int[] groupBounds, int j) {
        int g = java.util.Arrays.binarySearch(groupBounds, j);
        return g >= 0 ? g : -g - 2;
    }

    private static void check(LinearOperator hessian, BlockStructure blocks, BlockSample sample, int[] groupBounds) {
        if (hessian.dimension() != blocks.dimension()) {
            throw new IllegalArgumentException("operator dimension " + hessian.dimension()
                    + " != block structure dimension " + blocks.dimension());
        }
        int b = blocks.numBlocks();
        if (sample.numBlocks() != b) {
            throw new IllegalArgumentException("the sample is drawn from " + sample.numBlocks() + " blocks, the structure has "
                    + b);
        }
        if (groupBounds.length < 2 || groupBounds[0] != 0 || groupBounds[groupBounds.length - 1] != b) {
            throw new IllegalArgumentException("group bounds must run from 0 to " + b + ", got "
                    + java.util.Arrays.toString(groupBounds));
        }
        for (int g = 1; g < groupBounds.length; g++) {
            if (groupBounds[g] <= groupBounds[g - 1]) {
                throw new IllegalArgumentException("group bounds must be strictly increasing, got "
                        + java.util.Arrays.toString(groupBounds));
            }
        }
    }
}
