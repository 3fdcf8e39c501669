package dev.curvature.hessian.math;

import dev.curvature.optimizers.internal.AdamMiniPartition;
import dev.curvature.optimizers.internal.BlockedLayout;
import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import dev.curvature.testing.ReferencePartition;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Block norms of a dense symmetric matrix, against the plain-Java definition, with blocks laid out as strided rows
 * and columns of 'f' and 'c' parameter views (block ids from the optimizers' reference partition).
 */
class BlockNormEstimatorTest {
    // W [4, 3] 'f' in columns (3 blocks of 4), conv-like [2, 3] 'c' in rows (2 blocks of 3), a bias of 2 (1 block)
    private static final ParamSpec DENSE = new ParamSpec("a", "W", ParamRole.DENSE_WEIGHT, new long[] {4, 3}, 'f', false);
    private static final ParamSpec CONV = new ParamSpec("b", "W", ParamRole.CONV_WEIGHT, new long[] {2, 3}, 'c', false);
    private static final ParamSpec BIAS = new ParamSpec("b", "b", ParamRole.NORM, new long[] {1, 2}, 'c', false);
    private static final int N = 12 + 6 + 2;
    private static final int B = 3 + 2 + 1;

    static BlockStructure structure() {
        return new BlockStructure(new BlockedLayout(List.of(AdamMiniPartition.blocks(DENSE),
                AdamMiniPartition.blocks(CONV), AdamMiniPartition.blocks(BIAS))));
    }

    static int[] blockOf() {
        int[] ids = new int[N];
        int at = 0;
        int offset = 0;
        for (ParamSpec s : new ParamSpec[] {DENSE, CONV, BIAS}) {
            int[] local = ReferencePartition.blockIds(s);
            for (int id : local) {
                ids[at++] = offset + id;
            }
            offset += ReferencePartition.numBlocks(local);
        }
        return ids;
    }

    static double[][] expectedSquaredNorms(double[][] h) {
        int[] ids = blockOf();
        double[][] out = new double[B][B];
        for (int a = 0; a < N; a++) {
            for (int b = 0; b < N; b++) {
                out[ids[a]][ids[b]] += h[a][b] * h[a][b];
            }
        }
        return out;
    }

    @Test
    void exactNormsTracesAndDiagonalBlocksMatchTheDefinition() {
        double[][] h = FiniteDifferenceHvpTest.randomSymmetric(1, N);
        double[][] expected = expectedSquaredNorms(h);
        int[] ids = blockOf();
        int[] groups = {0, 3, B};
        double[][][] blocks = new double[B][][];
        BlockNormEstimate e = BlockNormEstimator.exact(LinearOperator.dense(Nd4j.createFromArray(h)), DataType.DOUBLE,
                structure(), BlockSample.all(B), groups, (j, hjj) -> blocks[j] = hjj.toDoubleMatrix());
        assertEquals(N, e.products());
        double[][] cols = e.squaredNormColumns();
        for (int j = 0; j < B; j++) {
            for (int i = 0; i < B; i++) {
                assertEquals(expected[i][j], cols[j][i], 1e-12, "||H_" + i + j + "||^2");
            }
            double trace = 0;
            int[] members = java.util.stream.IntStream.range(0, N).filter(a -> ids[a] == blockOf()[a] && ids[a] == 0)
                    .toArray();
            int t = 0;
            for (int a = 0; a < N; a++) {
                if (ids[a] == j) {
                    trace += h[a][a];
                    int u = 0;
                    for (int b2 = 0; b2 < N; b2++) {
                        if (ids[b2] == j) {
                            assertEquals(h[b2][a], blocks[j][u][t], 1e-14, "H_jj entry");
                            u++;
                        }
                    }
                    t++;
                }
            }
            assertTrue(members.length > 0);
            assertEquals(trace, e.blockTrace(j).value(), 1e-12);
            assertEquals(0.0, e.blockTrace(j).standardError());
        }
        double off = 0;
        double diag = 0;
        for (int i = 0; i < B; i++) {
            for (int j = 0; j < B; j++) {
                if (i == j) {
                    diag += expected[i][j];
                } else {
                    off += expected[i][j];
                }
            }
        }
        RatioEstimate r = e.ratios();
        assertEquals(Math.sqrt(off / diag), r.offDiagonalMassRatio(), 1e-12);
        assertEquals(Math.sqrt((off / (B * (B - 1.0))) / (diag / B)), r.pairwiseRatio(), 1e-12);
        assertEquals(0.0, r.pairwiseRatioStandardError());
        // within group 0 (blocks 0..2) only
        double gOff = 0;
        double gDiag = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (i == j) {
                    gDiag += expected[i][j];
                } else {
                    gOff += expected[i][j];
                }
            }
        }
        assertEquals(Math.sqrt(gOff / gDiag), e.groupRatios(0).offDiagonalMassRatio(), 1e-12);
        assertTrue(Double.isNaN(e.groupRatios(1).pairwiseRatio()) == false, "group 1 has 3 blocks");
    }

    @Test
    void stochasticNormsAreWithinThreeStandardErrors() throws Exception {
        double[][] h = FiniteDifferenceHvpTest.randomSymmetric(2, N);
        double[][] expected = expectedSquaredNorms(h);
        BlockNormEstimate e;
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(3)) {
            e = BlockNormEstimator.stochastic(LinearOperator.dense(Nd4j.createFromArray(h)), DataType.DOUBLE,
                    structure(), BlockSample.all(B), new int[] {0, B}, 200, rng);
        }
        assertEquals(B * 200, e.products());
        double[][] mean = e.squaredNormColumns();
        double[][] se = e.squaredNormStandardErrors();
        int outside = 0;
        for (int j = 0; j < B; j++) {
            for (int i = 0; i < B; i++) {
                if (Math.abs(mean[j][i] - expected[i][j]) > 3 * se[j][i]) {
                    outside++;
                }
            }
        }
        assertTrue(outside <= 2, outside + " of " + B * B + " entries further than 3 standard errors");
    }
}
