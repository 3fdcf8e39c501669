package dev.curvature.optimizers.layout;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * One parameter tensor as an updater sees it: which layer and parameter it is, its role, its shape and the memory
 * order of its flat storage. Immutable; serialised with the network configuration.
 */
public final class ParamSpec implements Serializable {
    @JsonProperty("layer")
    private final String layer;
    @JsonProperty("param")
    private final String param;
    @JsonProperty("role")
    private final ParamRole role;
    @JsonProperty("shape")
    private final long[] shape;
    @JsonProperty("order")
    private final char order;
    @JsonProperty("outputLayer")
    private final boolean outputLayer;

    @JsonCreator
    public ParamSpec(@JsonProperty("layer") String layer, @JsonProperty("param") String param,
                     @JsonProperty("role") ParamRole role, @JsonProperty("shape") long[] shape,
                     @JsonProperty("order") char order, @JsonProperty("outputLayer") boolean outputLayer) {
        if (role == null) {
            throw new IllegalArgumentException("role must not be null (layer " + layer + ", param " + param + ")");
        }
        if (shape == null || shape.length == 0) {
            throw new IllegalArgumentException("shape must have at least one dimension (layer " + layer + ", param " + param + ")");
        }
        for (long d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("shape dimensions must be >= 1, got " + Arrays.toString(shape)
                        + " (layer " + layer + ", param " + param + ")");
            }
        }
        if (order != 'c' && order != 'f') {
            throw new IllegalArgumentException("order must be 'c' or 'f', got '" + order + "'");
        }
        this.layer = layer;
        this.param = param;
        this.role = role;
        this.shape = shape.clone();
        this.order = order;
        this.outputLayer = outputLayer;
    }

    public String layer() {
        return layer;
    }

    public String param() {
        return param;
    }

    public ParamRole role() {
        return role;
    }

    public long[] shape() {
        return shape.clone();
    }

    public char order() {
        return order;
    }

    /** True when the parameter belongs to a network output layer. */
    public boolean outputLayer() {
        return outputLayer;
    }

    public long length() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** "layer/param", used in messages and block labels. */
    public String label() {
        return layer + "/" + param;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ParamSpec)) {
            return false;
        }
        ParamSpec p = (ParamSpec) o;
        return order == p.order && outputLayer == p.outputLayer && Objects.equals(layer, p.layer)
                && Objects.equals(param, p.param) && role == p.role && Arrays.equals(shape, p.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(layer, param, role, order, outputLayer) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return label() + Arrays.toString(shape) + "'" + order + "' " + role + (outputLayer ? " (output layer)" : "");
    }
}
