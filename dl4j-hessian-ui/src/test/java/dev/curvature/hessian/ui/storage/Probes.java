package dev.curvature.hessian.ui.storage;

import dev.curvature.hessian.BlockLabel;
import dev.curvature.hessian.LayerSummary;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Hand-made probes for the encoding tests: seeded random ones, and the fixed reference of the format fixture. */
final class Probes {
    private Probes() {
    }

    /**
     * A fixed probe exercising every field: two layers (one with a non-ASCII and one with a markup-like name),
     * five blocks of which 0, 2 and 3 are probed, NaN, infinities and negative zero among the numbers.
     */
    static HessianProbe reference() {
        List<BlockLabel> labels = List.of(new BlockLabel("dense_ä", "W", 0, 2), new BlockLabel("dense_ä", "W", 1, 2),
                new BlockLabel("<out>", "W", 0, 3), new BlockLabel("<out>", "W", 1, 3), new BlockLabel("<out>", "b", 0, 1));
        int[] probed = {0, 2, 3};
        double[][] columns = {
                {1.5, 0.25, 0.125, 0.0625, 1e-300},
                {0.125, 0.5, 2.75, -0.0, 0.03125},
                {0.0625, Double.MIN_VALUE, 0.0, 3.5, Double.NaN}};
        List<LayerSummary> layers = List.of(
                new LayerSummary("dense_ä", 2, 1, 12, 1.25, 0.25, 0.2, 0.01, 0.2, 0.01, 4.5, 0.125),
                new LayerSummary("<out>", 3, 2, 9, 3.0, 0.5, 1.0 / 6, Double.NaN, Math.sqrt(2) / 6, Double.NaN,
                        Double.POSITIVE_INFINITY, 0.0));
        return new HessianProbe("session-α", "worker-1@host", 1_700_000_000_123L, 4000L, 3, "STOCHASTIC",
                "perOutputNeuron", 21L, 2, 66L, 37L, 0.1234567890123, 0.0042, 0.2469, 0.0084,
                12.5, -0.75, Double.NEGATIVE_INFINITY, Double.NaN, labels, probed, columns, layers);
    }

    /** The session info of {@link #reference()}. */
    static HessianSessionInfo referenceInfo() {
        return HessianSessionInfo.of(reference());
    }

    /** {@link #reference()} with the version 2 field: units that were not exact, one non-ASCII, one markup-like. */
    static HessianProbe referenceV2() {
        HessianProbe r = reference();
        return new HessianProbe(r.sessionId(), r.workerId(), r.timestamp(), r.iteration(), r.epoch(), r.method(),
                r.partition(), r.parameters(), r.probesPerBlock(), r.hessianVectorProducts(), r.elapsedMillis(),
                r.pairwiseRatio(), r.pairwiseRatioStandardError(), r.offDiagonalMassRatio(),
                r.offDiagonalMassRatioStandardError(), r.topEigenvalue(), r.bottomEigenvalue(), r.trace(),
                r.traceStandardError(), r.labels(), r.probedBlocks(), r.blockNormColumns(), r.layers(),
                List.of("dense_ä (relu)", "<out> (loss L1)"));
    }

    /** The session info of {@link #referenceV2()}, with a label (version 2). */
    static HessianSessionInfo referenceInfoV2() {
        return HessianSessionInfo.of(referenceV2(), "MLP adammini (AdamMini lr 0.001 β2 0.95) <b>&amp;</b>");
    }

    /** A random probe with {@code blocks} blocks over up to three layers, a random subset probed. */
    static HessianProbe random(long seed, int blocks) {
        Random rnd = new Random(seed);
        String[] layerNames = {"layer" + rnd.nextInt(100), "hidden-" + rnd.nextInt(10), "out"};
        int nLayers = blocks == 0 ? 0 : 1 + rnd.nextInt(Math.min(3, blocks));
        List<BlockLabel> labels = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            int layer = Math.min(nLayers - 1, i * nLayers / blocks);
            labels.add(new BlockLabel(layerNames[layer], rnd.nextBoolean() ? "W" : "b", i, blocks));
        }
        List<Integer> probedList = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            if (rnd.nextDouble() < 0.6) {
                probedList.add(i);
            }
        }
        int[] probed = probedList.stream().mapToInt(Integer::intValue).toArray();
        double[][] columns = new double[probed.length][blocks];
        for (double[] column : columns) {
            for (int i = 0; i < blocks; i++) {
                column[i] = rnd.nextDouble() < 0.05 ? Double.NaN : Math.abs(rnd.nextGaussian()) * Math.pow(10, rnd.nextInt(8) - 4);
            }
        }
        List<LayerSummary> layers = new ArrayList<>();
        for (int l = 0; l < nLayers; l++) {
            layers.add(new LayerSummary(layerNames[l], rnd.nextInt(50), rnd.nextInt(50), rnd.nextInt(10_000),
                    rnd.nextDouble(), rnd.nextDouble(), rnd.nextDouble(), rnd.nextDouble(), rnd.nextDouble(),
                    rnd.nextDouble(), rnd.nextGaussian() * 100, rnd.nextDouble()));
        }
        return new HessianProbe("s" + rnd.nextLong(), "w" + rnd.nextInt(4), rnd.nextLong(), rnd.nextInt(1_000_000),
                rnd.nextInt(100), rnd.nextBoolean() ? "EXACT" : "STOCHASTIC", "partition " + rnd.nextInt(),
                rnd.nextInt(1_000_000), 1 + rnd.nextInt(4), rnd.nextInt(10_000), rnd.nextInt(100_000),
                rnd.nextDouble(), rnd.nextDouble(), rnd.nextDouble(), rnd.nextDouble(), rnd.nextGaussian(),
                rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextDouble(), labels, probed, columns, layers);
    }
}
