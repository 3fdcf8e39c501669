package dev.curvature.hessian.math;

import dev.curvature.optimizers.internal.AdamMiniPartition;
import dev.curvature.optimizers.internal.BlockedLayout;
import dev.curvature.optimizers.internal.ParamBlocks;
import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stratified block samples and the estimates built on them. */
class BlockSampleTest {

    private static int inRange(int[] probed, int lo, int hi) {
        return (int) Arrays.stream(probed).filter(j -> j >= lo && j < hi).count();
    }

    @Test
    void equalSharePerGroupWithCapsAndSeededDraws() {
        int[] groups = {0, 256, 257, 513, 523}; // like an MLP: 256 neurons, bias, 256 neurons, 10 outputs
        BlockSample s = BlockSample.stratified(groups, 24, 1);
        int[] p = s.probed();
        assertEquals(24, p.length);
        assertEquals(1, inRange(p, 256, 257), "a one-block group gives its block");
        assertEquals(List.of(8, 1, 8, 7), List.of(inRange(p, 0, 256), inRange(p, 256, 257), inRange(p, 257, 513),
                inRange(p, 513, 523)), "24 = 8 + 1 + 8 + 7: round-robin over groups with blocks left");
        assertArrayEquals(groups, s.strata());
        assertEquals(s, BlockSample.stratified(groups, 24, 1), "same seed, same sample");
        assertTrue(!s.equals(BlockSample.stratified(groups, 24, 2)), "another seed, another sample");
        assertTrue(BlockSample.stratified(groups, 600, 1).complete());
        BlockSample few = BlockSample.stratified(groups, 3, 1);
        assertArrayEquals(new int[] {0, 523}, few.strata(), "fewer blocks than groups: one uniform stratum");
    }

    @Test
    void rejectsInconsistentSamples() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BlockSample(new int[] {0, 1}, new int[] {0, 4, 8}));
        assertTrue(e.getMessage().contains("[4, 8) has no probed block"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BlockSample(new int[] {2, 1}, new int[] {0, 4}));
        assertThrows(IllegalArgumentException.class, () -> BlockSample.stratified(new int[] {0, 4}, 0, 1));
    }

    @Test
    void stratifiedEstimatesHaveHonestStandardErrors() throws Exception {
        // 3 groups of 10, 10 and 4 blocks of 2 parameters; the last group's curvature is 10 times larger
        List<ParamBlocks> params = new ArrayList<>();
        int[] sizes = {10, 10, 4};
        for (int g = 0; g < 3; g++) {
            params.add(AdamMiniPartition.keepTrailing(new ParamSpec("l" + g, "W", ParamRole.DENSE_WEIGHT,
                    new long[] {2, sizes[g]}, 'f', false), 1));
        }
        BlockStructure blocks = new BlockStructure(new BlockedLayout(params));
        int n = 48;
        double[][] h = FiniteDifferenceHvpTest.randomSymmetric(5, n);
        for (int i = 40; i < n; i++) {
            for (int j = 0; j < n; j++) {
                h[i][j] *= 10;
                h[j][i] *= 10;
            }
        }
        LinearOperator op = LinearOperator.dense(Nd4j.createFromArray(h));
        int[] groups = {0, 10, 20, 24};
        RatioEstimate truth = BlockNormEstimator.exact(op, DataType.DOUBLE, blocks, BlockSample.all(24), groups, null)
                .ratios();
        ScalarEstimate trueTrace = BlockNormEstimator.exact(op, DataType.DOUBLE, blocks, BlockSample.all(24), groups,
                null).totalTrace();
        int runs = 40;
        int ratioMisses = 0;
        int traceMisses = 0;
        double meanRatio = 0;
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(6)) {
            for (int run = 0; run < runs; run++) {
                BlockSample sample = BlockSample.stratified(groups, 12, 100 + run);
                BlockNormEstimate e = BlockNormEstimator.stochastic(op, DataType.DOUBLE, blocks, sample, groups, 8, rng);
                RatioEstimate r = e.ratios();
                meanRatio += r.pairwiseRatio() / runs;
                if (Math.abs(r.pairwiseRatio() - truth.pairwiseRatio()) > 2 * r.pairwiseRatioStandardError()) {
                    ratioMisses++;
                }
                ScalarEstimate t = e.totalTrace();
                if (Math.abs(t.value() - trueTrace.value()) > 2 * t.standardError()) {
                    traceMisses++;
                }
            }
        }
        // with honest standard errors about 5% of estimates miss by more than 2 SE; 10 of 40 would be very unlikely
        assertTrue(ratioMisses <= 9, ratioMisses + " of " + runs + " ratio estimates off by more than 2 SE");
        assertTrue(traceMisses <= 9, traceMisses + " of " + runs + " trace estimates off by more than 2 SE");
        assertEquals(truth.pairwiseRatio(), meanRatio, 0.05 * truth.pairwiseRatio(), "nearly unbiased");
    }
}
