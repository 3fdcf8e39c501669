package dev.curvature.optimizers.internal;

import dev.curvature.optimizers.layout.ParamSpec;

/**
 * The Adam-mini partition rules (Zhang et al. 2024, official implementation v1.1.1), mapped to DL4J parameters.
 * One implementation, used by the Adam-mini updater and by the Hessian block estimator.
 *
 * <table>
 *   <caption>blocks per parameter role</caption>
 *   <tr><th>role</th><th>blocks</th></tr>
 *   <tr><td>DENSE_WEIGHT</td><td>one per output neuron (last dimension; a column of DL4J's {@code [nIn, nOut]})</td></tr>
 *   <tr><td>CONV_WEIGHT</td><td>one per output channel (dimension 0)</td></tr>
 *   <tr><td>EMBEDDING</td><td>one per token (row)</td></tr>
 *   <tr><td>ATTENTION_QUERY_KEY</td><td>one per head (dimension 0 of {@code [nHeads, headSize, nIn]})</td></tr>
 *   <tr><td>ATTENTION_VALUE</td><td>one per output neuron (dimensions 0 and 1 of {@code [nHeads, headSize, nIn]})</td></tr>
 *   <tr><td>BIAS</td><td>one per element (plain Adam, as the reference does)</td></tr>
 *   <tr><td>NORM, OTHER</td><td>one per tensor</td></tr>
 * </table>
 */
public final class AdamMiniPartition {
    private AdamMiniPartition() {
    }

    /** The blocks of one parameter under the Adam-mini rules. */
    public static ParamBlocks blocks(ParamSpec spec) {
        int rank = spec.shape().length;
        return switch (spec.role()) {
            case DENSE_WEIGHT -> rank == 1 ? perElement(spec) : keepTrailing(spec, 1);
            case CONV_WEIGHT, EMBEDDING, ATTENTION_QUERY_KEY -> rank == 1 ? perElement(spec) : keepLeading(spec, 1);
            case ATTENTION_VALUE -> rank < 3 ? keepLeading(spec, 1) : keepLeading(spec, 2);
            case BIAS -> perElement(spec);
            case NORM, OTHER -> wholeTensor(spec);
        };
    }

    /** One block per element: Adam. */
    public static ParamBlocks perElement(ParamSpec spec) {
        return new ParamBlocks(spec, spec.length(), 1, 0);
    }

    /** One block for the whole tensor. */
    public static ParamBlocks wholeTensor(ParamSpec spec) {
        return new ParamBlocks(spec, 1, spec.length(), 0);
    }

    /** One block per index of the first {@code count} dimensions. */
    public static ParamBlocks keepLeading(ParamSpec spec, int count) {
        long[] shape = spec.shape();
        long kept = 1;
        for (int d = 0; d < count; d++) {
            kept *= shape[d];
        }
        return new ParamBlocks(spec, kept, spec.length() / kept, 0);
    }

    /** One block per index of the last {@code count} dimensions. */
    public static ParamBlocks keepTrailing(ParamSpec spec, int count) {
        long[] shape = spec.shape();
        long kept = 1;
        for (int d = shape.length - count; d < shape.length; d++) {
            kept *= shape[d];
        }
        return new ParamBlocks(spec, spec.length() / kept, kept, 1);
    }
}
