package dev.curvature.hessian;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stochastic mode against exact mode on the same network and batch: estimates within 3 standard errors, and the
 * error shrinking like {@code 1/sqrt(probes)}.
 */
class StochasticModeTest {
    private static MultiLayerNetwork net;
    private static DataSet data;
    private static BlockHessianReport exact;

    @BeforeAll
    static void exactReference() {
        // 3 -> 5 -> 4 with biases, per output neuron: 5 + 1 + 4 + 1 = 11 blocks, 44 parameters
        net = Nets.oneHidden(3, 5, 4, DataType.DOUBLE, 1.0, 21);
        data = Nets.randomData(22, 32, 3, 4, DataType.DOUBLE);
        exact = HessianBlockEstimator.builder().method(HessianBlockEstimator.Method.EXACT).lanczosSteps(0).build()
                .estimate(net, data);
        assertEquals(11, exact.blockCount());
    }

    private static BlockHessianReport stochastic(int probes, int maxBlocks, int traceProbes, long seed) {
        return HessianBlockEstimator.builder().method(HessianBlockEstimator.Method.STOCHASTIC).probesPerBlock(probes)
                .maxBlocks(maxBlocks).lanczosSteps(0).traceProbes(traceProbes).seed(seed).build().estimate(net, data);
    }

    private static void assertWithin3Se(double expected, double estimate, double se, String what) {
        assertTrue(se > 0 && Double.isFinite(se), what + ": standard error " + se);
        assertTrue(Math.abs(estimate - expected) <= 3 * se,
                what + ": estimate " + estimate + " vs exact " + expected + " is " + Math.abs(estimate - expected) / se
                        + " standard errors away");
    }

    @Test
    void estimatesAreWithinThreeStandardErrorsOfExactMode() {
        BlockHessianReport s = stochastic(64, 100, 64, 1);
        assertEquals(11 * 64 + 64, s.hessianVectorProducts(), "64 probes per block plus 64 trace probes");
        assertWithin3Se(exact.pairwiseRatio(), s.pairwiseRatio(), s.pairwiseRatioStandardError(), "pairwiseRatio");
        assertWithin3Se(exact.offDiagonalMassRatio(), s.offDiagonalMassRatio(), s.offDiagonalMassRatioStandardError(),
                "offDiagonalMassRatio");
        assertWithin3Se(exact.trace(), s.trace(), s.traceStandardError(), "trace (Hutchinson)");
        for (int l = 0; l < s.layers().size(); l++) {
            LayerSummary e = exact.layers().get(l);
            LayerSummary a = s.layers().get(l);
            assertWithin3Se(e.pairwiseRatio(), a.pairwiseRatio(), a.pairwiseRatioStandardError(), e.layer() + " ratio");
            assertWithin3Se(e.trace(), a.trace(), a.traceStandardError(), e.layer() + " trace");
        }
        int outside = 0;
        int traceOutside = 0;
        int b = s.blockCount();
        for (int j = 0; j < b; j++) {
            for (int i = 0; i < b; i++) {
                double se = s.squaredNormStandardError(i, j);
                assertTrue(se > 0, "standard error of ||H_" + i + j + "||^2");
                if (Math.abs(s.squaredNorm(i, j) - exact.squaredNorm(i, j)) > 3 * se) {
                    outside++;
                }
            }
            if (Math.abs(s.blockTrace(j) - exact.blockTrace(j)) > 3 * s.blockTraceStandardError(j)) {
                traceOutside++;
            }
        }
        assertTrue(outside <= 6, outside + " of " + b * b + " squared block norms further than 3 standard errors");
        assertTrue(traceOutside <= 1, traceOutside + " of " + b + " block traces further than 3 standard errors");
    }

    @Test
    void errorShrinksLikeOneOverSqrtProbes() {
        // 16 times more probes: the error and the reported standard error should both shrink about 4 times (the
        // mean sample standard deviation at 4 probes is biased low by about 8%, well inside the tolerance)
        int[] probes = {4, 64};
        double[] rmsError = new double[2];
        double[] meanSe = new double[2];
        int seeds = 3;
        int b = exact.blockCount();
        double exactSq = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                exactSq += Math.pow(exact.squaredNorm(i, j), 2);
            }
        }
        for (int k = 0; k < 2; k++) {
            double sq = 0;
            double se = 0;
            for (int seed = 0; seed < seeds; seed++) {
                BlockHessianReport s = stochastic(probes[k], 100, 0, 100 + seed);
                for (int i = 0; i < b; i++) {
                    for (int j = 0; j < b; j++) {
                        sq += Math.pow(s.squaredNorm(i, j) - exact.squaredNorm(i, j), 2);
                        se += s.squaredNormStandardError(i, j) / exact.diagonalRms();
                    }
                }
            }
            rmsError[k] = Math.sqrt(sq / seeds / exactSq);
            meanSe[k] = se / (seeds * b * b);
        }
        double errorRatio = rmsError[0] / rmsError[1];
        double seRatio = meanSe[0] / meanSe[1];
        assertTrue(errorRatio > 2.5 && errorRatio < 6.5, "relative error " + rmsError[0] + " at 4 probes, "
                + rmsError[1] + " at 64: ratio " + errorRatio + ", expected about 4");
        assertTrue(seRatio > 3 && seRatio < 5.5, "standard error ratio " + seRatio + ", expected about 4");
    }

    @Test
    void subsampledBlocksAreWithinThreeStandardErrorsOfAllBlocks() {
        // 6 of 11 blocks: the standard errors now also carry the block sampling (two-stage sampling)
        BlockHessianReport s = stochastic(32, 6, 0, 7);
        assertEquals(6, s.probedBlocks().length);
        assertWithin3Se(exact.pairwiseRatio(), s.pairwiseRatio(), s.pairwiseRatioStandardError(), "pairwiseRatio");
        assertWithin3Se(exact.offDiagonalMassRatio(), s.offDiagonalMassRatio(), s.offDiagonalMassRatioStandardError(),
                "offDiagonalMassRatio");
        int j = s.probedBlocks()[0];
        int unprobed = java.util.stream.IntStream.range(0, 11).filter(i -> !s.isProbed(i)).findFirst().orElseThrow();
        int other = java.util.stream.IntStream.range(0, 11).filter(i -> !s.isProbed(i) && i != unprobed)
                .findFirst().orElseThrow();
        assertEquals(s.squaredNorm(j, unprobed), s.squaredNorm(unprobed, j), "symmetry fills the probed block's row");
        assertTrue(Double.isNaN(s.squaredNorm(unprobed, other)), "two unprobed blocks are unknown");
        assertTrue(Double.isNaN(s.blockNorms()[unprobed][other]));
    }
}
