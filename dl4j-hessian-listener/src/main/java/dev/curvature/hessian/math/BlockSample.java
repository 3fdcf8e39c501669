package dev.curvature.hessian.math;

import java.util.Arrays;

/**
 * Which blocks are probed, and how they were drawn: a stratified random sample without replacement. Strata are
 * contiguous ranges of blocks ({@code strata[s] <= j < strata[s + 1]}, typically one per layer) and every stratum
 * has at least one probed block. Estimates over all blocks weight each stratum by its share of the blocks
 * ({@link RatioEstimate#fromStrata}, {@link TwoStageSampling}).
 *
 * @param probed probed blocks, strictly increasing
 * @param strata stratum bounds, {@code 0 = s_0 < s_1 < ... < s_S = B}
 */
public record BlockSample(int[] probed, int[] strata) {

    public BlockSample {
        probed = probed.clone();
        strata = strata.clone();
        if (strata.length < 2 || strata[0] != 0) {
            throw new IllegalArgumentException("strata must run from 0 to the number of blocks, got "
                    + Arrays.toString(strata));
        }
        for (int s = 1; s < strata.length; s++) {
            if (strata[s] <= strata[s - 1]) {
                throw new IllegalArgumentException("strata bounds must be strictly increasing, got "
                        + Arrays.toString(strata));
            }
        }
        int b = strata[strata.length - 1];
        if (probed.length == 0) {
            throw new IllegalArgumentException("at least one block must be probed");
        }
        for (int p = 0; p < probed.length; p++) {
            if (probed[p] < 0 || probed[p] >= b || (p > 0 && probed[p] <= probed[p - 1])) {
                throw new IllegalArgumentException("probed blocks must be strictly increasing in [0, " + b + "), got "
                        + Arrays.toString(probed));
            }
        }
        for (int s = 0; s + 1 < strata.length; s++) {
            int lo = strata[s];
            int hi = strata[s + 1];
            if (Arrays.stream(probed).noneMatch(j -> j >= lo && j < hi)) {
                throw new IllegalArgumentException("stratum [" + lo + ", " + hi + ") has no probed block");
            }
        }
    }

    /** Every one of {@code numBlocks} blocks, one stratum. */
    public static BlockSample all(int numBlocks) {
        int[] all = new int[numBlocks];
        Arrays.setAll(all, i -> i);
        return new BlockSample(all, new int[] {0, numBlocks});
    }

    /**
     * At most {@code maxBlocks} blocks: all of them if there are no more; otherwise, if {@code maxBlocks} is at
     * least the number of groups, an equal share of the blocks from each group (a group with fewer blocks than its
     * share gives them all, the rest goes to the other groups), each drawn uniformly without replacement; with fewer
     * blocks than groups, a uniform sample of all blocks as one stratum.
     *
     * @param groupBounds contiguous groups (layers): {@code 0 = b_0 < ... < b_G = B}
     */
    public static BlockSample stratified(int[] groupBounds, int maxBlocks, long seed) {
        if (maxBlocks < 1) {
            throw new IllegalArgumentException("maxBlocks must be >= 1, got " + maxBlocks);
        }
        int groups = groupBounds.length - 1;
        int b = groupBounds[groups];
        if (maxBlocks >= b) {
            return new BlockSample(all(b).probed(), groupBounds);
        }
        java.util.Random rnd = new java.util.Random(seed);
        if (maxBlocks < groups) {
            return new BlockSample(draw(0, b, maxBlocks, rnd), new int[] {0, b});
        }
        int[] take = new int[groups];
        int remaining = maxBlocks;
        while (remaining > 0) {
            for (int g = 0; g < groups && remaining > 0; g++) {
                if (take[g] < groupBounds[g + 1] - groupBounds[g]) {
                    take[g]++;
                    remaining--;
                }
            }
        }
        int[] probed = new int[maxBlocks];
        int at = 0;
        for (int g = 0; g < groups; g++) {
            for (int j : draw(groupBounds[g], groupBounds[g + 1], take[g], rnd)) {
                probed[at++] = j;
            }
        }
        return new BlockSample(probed, groupBounds);
    }

    /** {@code k} distinct values of {@code [lo, hi)}, increasing (partial Fisher-Yates). */
    private static int[] draw(int lo, int hi, int k, java.util.Random rnd) {
        int n = hi - lo;
        int[] all = new int[n];
        Arrays.setAll(all, i -> lo + i);
        for (int i = 0; i < k; i++) {
            int r = i + rnd.nextInt(n - i);
            int t = all[i];
            all[i] = all[r];
            all[r] = t;
        }
        int[] chosen = Arrays.copyOf(all, k);
        Arrays.sort(chosen);
        return chosen;
    }

    /** Number of blocks {@code B} in the population. */
    public int numBlocks() {
        return strata[strata.length - 1];
    }

    /** True when every block is probed. */
    public boolean complete() {
        return probed.length == numBlocks();
    }

    /** Number of strata. */
    public int numStrata() {
        return strata.length - 1;
    }

    @Override
    public int[] probed() {
        return probed.clone();
    }

    @Override
    public int[] strata() {
        return strata.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockSample s && Arrays.equals(probed, s.probed) && Arrays.equals(strata, s.strata);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(probed) + Arrays.hashCode(strata);
    }

    @Override
    public String toString() {
        return "BlockSample[" + probed.length + " of " + numBlocks() + " blocks, " + numStrata() + " strata]";
    }
}
