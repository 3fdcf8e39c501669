package dev.curvature.optimizers.internal;

import dev.curvature.optimizers.layout.ParamSpec;

/**
 * Which parameters Muon orthogonalises, and as which matrix (Jordan et al. 2024; KellerJordan/Muon treats hidden
 * 2-D weights with Muon and everything else with AdamW; convolution weights are flattened to
 * {@code [nOut, nIn*kH*kW]}).
 *
 * <table>
 *   <caption>Muon matrices per role</caption>
 *   <tr><th>role</th><th>matrix (in the parameter's memory order)</th><th>fanIn, fanOut</th></tr>
 *   <tr><td>DENSE_WEIGHT (hidden)</td><td>{@code [prod(all but last), last]}: DL4J's {@code [nIn, nOut]}</td><td>rows, cols</td></tr>
 *   <tr><td>CONV_WEIGHT</td><td>{@code [nOut, nIn*kH*kW]}</td><td>cols, rows</td></tr>
 *   <tr><td>ATTENTION_QUERY_KEY, ATTENTION_VALUE</td><td>{@code [nHeads*headSize, nIn]}</td><td>cols, rows</td></tr>
 *   <tr><td>DENSE_WEIGHT of an output layer</td><td>auxiliary updater, unless Muon is asked to take it</td><td></td></tr>
 *   <tr><td>EMBEDDING, BIAS, NORM, OTHER</td><td>auxiliary updater</td><td></td></tr>
 * </table>
 */
public final class MuonPartition {
    private MuonPartition() {
    }

    /**
     * The matrix Muon orthogonalises for a parameter.
     *
     * @param rows   rows of the view of the flat storage (in {@code order})
     * @param cols   columns of that view
     * @param order  the parameter's memory order
     * @param fanIn  input dimension (for the scale)
     * @param fanOut output dimension (for the scale)
     */
    public record MuonMatrix(long rows, long cols, char order, long fanIn, long fanOut) {
    }

    /** The Muon matrix of {@code spec}, or null when the auxiliary updater handles it. */
    public static MuonMatrix matrix(ParamSpec spec, boolean includeOutputLayer) {
        long[] shape = spec.shape();
        int nonUnit = 0;
        for (long d : shape) {
            nonUnit += d > 1 ? 1 : 0;
        }
        if (nonUnit < 2) {
            return null; // vectors and scalars are never orthogonalised
        }
        return switch (spec.role()) {
            case DENSE_WEIGHT -> {
                if (spec.outputLayer() && !includeOutputLayer) {
                    yield null;
                }
                long rows = prodExceptLast(shape);
                long cols = shape[shape.length - 1];
                yield new MuonMatrix(rows, cols, spec.order(), rows, cols);
            }
            case CONV_WEIGHT -> new MuonMatrix(shape[0], spec.length() / shape[0], spec.order(),
                    spec.length() / shape[0], shape[0]);
            case ATTENTION_QUERY_KEY, ATTENTION_VALUE -> {
                long cols = shape[shape.length - 1];
                long rows = spec.length() / cols;
                yield new MuonMatrix(rows, cols, spec.order(), cols, rows);
            }
            case EMBEDDING, BIAS, NORM, OTHER -> null;
        };
    }

    private static long prodExceptLast(long[] shape) {
        long p = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            p *= shape[i];
        }
        return p;
    }
}
