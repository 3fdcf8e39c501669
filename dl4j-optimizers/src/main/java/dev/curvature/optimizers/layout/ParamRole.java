package dev.curvature.optimizers.layout;

/**
 * What a parameter tensor is, as far as curvature-aware optimizers care. Each optimizer maps a role to its own
 * treatment (Adam-mini: how the tensor splits into blocks; Muon: orthogonalised or auxiliary AdamW).
 */
public enum ParamRole {
    /** A weight whose last dimension indexes output neurons: Dense/Output/RNN-output {@code W [nIn, nOut]},
     * LSTM {@code W} and {@code RW}, attention output projection {@code Wo [nHeads*headSize, nOut]}. */
    DENSE_WEIGHT,
    /** Convolution weight {@code [nOut, nIn, kH, kW]} (or {@code [nOut, nIn, k]}): dimension 0 indexes output channels. */
    CONV_WEIGHT,
    /** Embedding table {@code [vocab, dim]}: dimension 0 indexes tokens. */
    EMBEDDING,
    /** Self-attention query or key projection {@code [nHeads, headSize, nIn]}: dimension 0 indexes heads. */
    ATTENTION_QUERY_KEY,
    /** Self-attention value projection {@code [nHeads, headSize, nIn]}: dimensions 0 and 1 index output neurons. */
    ATTENTION_VALUE,
    /** A bias vector. */
    BIAS,
    /** Normalisation gain or shift (BatchNorm gamma/beta, layer-norm gains). */
    NORM,
    /** A parameter of a layer type this library does not know: treated as one block. */
    OTHER;

    /** True for weights with a matrix structure over neurons (everything but biases, norms and unknowns). */
    public boolean isMatrixWeight() {
        return this == DENSE_WEIGHT || this == CONV_WEIGHT || this == EMBEDDING
                || this == ATTENTION_QUERY_KEY || this == ATTENTION_VALUE;
    }
}
