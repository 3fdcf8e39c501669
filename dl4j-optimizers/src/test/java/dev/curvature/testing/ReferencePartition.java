package dev.curvature.testing;

import dev.curvature.optimizers.layout.ParamSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Plain-Java statement of the Adam-mini partition rules (docs/ALGORITHMS.md section 1), written from the spec and
 * independently of the ND4J implementation: for every flat storage index of a parameter, the id of its block.
 */
public final class ReferencePartition {
    private ReferencePartition() {
    }

    /** Block id of every element, in flat storage order; ids are 0..numBlocks-1. */
    public static int[] blockIds(ParamSpec spec) {
        long[] shape = spec.shape();
        int n = (int) spec.length();
        int[] ids = new int[n];
        for (int e = 0; e < n; e++) {
            long[] idx = multiIndex(e, shape, spec.order());
            ids[e] = switch (spec.role()) {
                case DENSE_WEIGHT -> shape.length == 1 ? e : (int) idx[shape.length - 1];
                case CONV_WEIGHT, EMBEDDING, ATTENTION_QUERY_KEY -> shape.length == 1 ? e : (int) idx[0];
                case ATTENTION_VALUE -> shape.length < 3 ? (int) idx[0] : (int) (idx[0] * shape[1] + idx[1]);
                case BIAS -> e;
                case NORM, OTHER -> 0;
            };
        }
        return ids;
    }

    /** Block ids of parameters laid end to end, numbered across them in order (as in one updater block). */
    public static int[] blockIds(List<ParamSpec> specs) {
        List<Integer> all = new ArrayList<>();
        int offset = 0;
        for (ParamSpec p : specs) {
            int[] ids = blockIds(p);
            for (int id : ids) {
                all.add(offset + id);
            }
            offset += numBlocks(ids);
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Multi-index of flat storage position {@code e} for an array of {@code shape} stored in {@code order}. */
    public static long[] multiIndex(long e, long[] shape, char order) {
        long[] idx = new long[shape.length];
        long rest = e;
        if (order == 'c') {
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d] = rest % shape[d];
                rest /= shape[d];
            }
        } else {
            for (int d = 0; d < shape.length; d++) {
                idx[d] = rest % shape[d];
                rest /= shape[d];
            }
        }
        return idx;
    }

    public static int numBlocks(int[] ids) {
        int max = -1;
        for (int id : ids) {
            max = Math.max(max, id);
        }
        return max + 1;
    }
}
