package dev.curvature.hessian;

import dev.curvature.optimizers.internal.AdamMiniPartition;
import dev.curvature.optimizers.internal.ParamBlocks;
import dev.curvature.optimizers.layout.ParamSpec;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * How the parameters of a network split into the blocks {@code 1..B} whose Hessian sub-matrices {@code H_ij} are
 * measured (Dong, Zhang, Luo, Yao, Sun 2025, arXiv 2505.02809). Immutable.
 *
 * <ul>
 *   <li>{@link #perOutputNeuron()}, the paper's choice: one block per output neuron, i.e. per row of each PyTorch
 *       weight matrix. For a DL4J dense {@code W [nIn, nOut]} (and output, RNN-output, LSTM {@code W}/{@code RW},
 *       attention output projection) that is one block per <em>column</em>; for a convolution
 *       {@code W [nOut, nIn, kH, kW]} one block per output channel; for an embedding one per token (row, as PyTorch
 *       stores it); for self-attention query/key/value projections {@code [nHeads, headSize, nIn]} one per output
 *       neuron (head and position within the head). <b>Biases</b>, normalisation gains/shifts and parameters of
 *       unrecognised layers are <b>one block per tensor</b>: the paper's blocks are rows of weight matrices, and a
 *       bias split per element would add many one-element blocks whose diagonal "norms" are single Hessian
 *       entries, dominating the RMS over blocks.</li>
 *   <li>{@link #perTensor()}: one block per parameter tensor (layer-wise structure).</li>
 *   <li>{@link #adamMini()}: exactly the Adam-mini partition ({@link AdamMiniPartition}, shared with the optimizer:
 *       per neuron, per head, per token, per channel, and one block per bias <em>element</em>).</li>
 * </ul>
 *
 * {@link #onlyLayers} restricts any of them to chosen layers: the Hessian is then the principal sub-matrix of those
 * layers' parameters (all other parameters stay fixed).
 */
public final class BlockPartition {

    /** The partition rule. */
    public enum Kind {
        /** One block per parameter tensor. */
        PER_TENSOR,
        /** One block per output neuron / channel / token; one per tensor for biases and the rest. */
        PER_OUTPUT_NEURON,
        /** {@link AdamMiniPartition}. */
        ADAM_MINI
    }

    private final Kind kind;
    private final Set<String> layers;

    private BlockPartition(Kind kind, Set<String> layers) {
        this.kind = kind;
        this.layers = layers;
    }

    /** One block per parameter tensor. */
    public static BlockPartition perTensor() {
        return new BlockPartition(Kind.PER_TENSOR, Set.of());
    }

    /** One block per output neuron (the paper's choice); biases one block per tensor. */
    public static BlockPartition perOutputNeuron() {
        return new BlockPartition(Kind.PER_OUTPUT_NEURON, Set.of());
    }

    /** Exactly Adam-mini's partition ({@link AdamMiniPartition#blocks}). */
    public static BlockPartition adamMini() {
        return new BlockPartition(Kind.ADAM_MINI, Set.of());
    }

    /**
     * The same rule restricted to the named layers (DL4J layer names; a {@code MultiLayerNetwork} names its layers
     * "layer0", "layer1", ... unless configured otherwise). Names are checked against the model when it is probed.
     *
     * @throws IllegalArgumentException if no name or a null/blank name is given
     */
    public BlockPartition onlyLayers(String... layerNames) {
        if (layerNames == null || layerNames.length == 0) {
            throw new IllegalArgumentException("onlyLayers needs at least one layer name, got none");
        }
        Set<String> names = new LinkedHashSet<>();
        for (String n : layerNames) {
            if (n == null || n.isBlank()) {
                throw new IllegalArgumentException("layer names must not be null or blank, got "
                        + Arrays.toString(layerNames));
            }
            names.add(n);
        }
        return new BlockPartition(kind, Collections.unmodifiableSet(names));
    }

    public Kind kind() {
        return kind;
    }

    /** The layers this partition is restricted to; empty means all layers. */
    public Set<String> layers() {
        return layers;
    }

    /** True if parameters of layer {@code layerName} are partitioned (not held fixed). */
    public boolean includesLayer(String layerName) {
        return layers.isEmpty() || layers.contains(layerName);
    }

    /** True if the rule depends on parameter roles ({@code LayerRoles}); false for {@link Kind#PER_TENSOR}. */
    boolean needsRoles() {
        return kind != Kind.PER_TENSOR;
    }

    /** The blocks of one parameter. */
    ParamBlocks blocks(ParamSpec spec) {
        return switch (kind) {
            case PER_TENSOR -> AdamMiniPartition.wholeTensor(spec);
            case ADAM_MINI -> AdamMiniPartition.blocks(spec);
            case PER_OUTPUT_NEURON -> perOutputNeuron(spec);
        };
    }

    private static ParamBlocks perOutputNeuron(ParamSpec spec) {
        int rank = spec.shape().length;
        if (rank < 2) {
            return AdamMiniPartition.wholeTensor(spec);
        }
        return switch (spec.role()) {
            case DENSE_WEIGHT -> AdamMiniPartition.keepTrailing(spec, 1);
            case CONV_WEIGHT, EMBEDDING -> AdamMiniPartition.keepLeading(spec, 1);
            case ATTENTION_QUERY_KEY, ATTENTION_VALUE -> AdamMiniPartition.keepLeading(spec, rank >= 3 ? 2 : 1);
            case BIAS, NORM, OTHER -> AdamMiniPartition.wholeTensor(spec);
        };
    }

    /** "perOutputNeuron", "adamMini" or "perTensor", with the layer restriction if any. */
    public String describe() {
        String name = switch (kind) {
            case PER_TENSOR -> "perTensor";
            case PER_OUTPUT_NEURON -> "perOutputNeuron";
            case ADAM_MINI -> "adamMini";
        };
        return layers.isEmpty() ? name : name + "(" + String.join(",", layers) + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockPartition p && p.kind == kind && p.layers.equals(layers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, layers);
    }

    @Override
    public String toString() {
        return "BlockPartition[" + describe() + "]";
    }
}
