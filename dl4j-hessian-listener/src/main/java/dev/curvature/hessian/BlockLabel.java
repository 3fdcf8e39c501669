package dev.curvature.hessian;

/**
 * Which parameters a block holds: block {@code index} of the {@code count} blocks of parameter {@code param} of
 * layer {@code layer}. Under {@link BlockPartition#perOutputNeuron()} the index is the output neuron (column of a
 * dense {@code W}), output channel, token or attention output neuron; under {@link BlockPartition#adamMini()} it is
 * also the element of a bias; a whole-tensor block has index 0 of 1.
 *
 * @param layer the DL4J layer name
 * @param param the parameter key ("W", "b", "RW", ...)
 * @param index block index within the parameter
 * @param count number of blocks of the parameter
 */
public record BlockLabel(String layer, String param, long index, long count) {

    /** "layer/param[index]", or "layer/param" for a whole-tensor block. */
    @Override
    public String toString() {
        return count == 1 ? layer + "/" + param : layer + "/" + param + "[" + index + "]";
    }
}
