package dev.curvature.optimizers.layout;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The parameters one updater configuration is responsible for, in the order DL4J lays them out in the flat
 * parameter, gradient and updater-state arrays. {@link dev.curvature.optimizers.Layouts#attach} stamps one layout
 * into each layer's updater configuration, so the layout travels with the configuration JSON through
 * save/restore, {@code clone()}, {@code convertDataType}, ParallelWrapper and Spark.
 *
 * <p>The parameters are held in an array, not an immutable {@code List}: Spark's Kryo serializer (a common
 * {@code spark.serializer}) rebuilds collections by calling {@code add} on a fresh instance, which immutable lists
 * refuse, so a broadcast configuration holding one would fail to deserialise on the executors.
 */
public final class ParamLayout implements Serializable {
    @JsonProperty("params")
    private final ParamSpec[] params;

    @JsonCreator
    public ParamLayout(@JsonProperty("params") List<ParamSpec> params) {
        if (params == null || params.isEmpty()) {
            throw new IllegalArgumentException("a layout needs at least one parameter");
        }
        for (ParamSpec p : params) {
            if (p == null) {
                throw new IllegalArgumentException("layout parameters must not be null: " + params);
            }
        }
        this.params = params.toArray(new ParamSpec[0]);
    }

    public static ParamLayout of(ParamSpec... params) {
        return new ParamLayout(List.of(params));
    }

    /** The parameters, in layout order (an unmodifiable view). */
    public List<ParamSpec> params() {
        return Collections.unmodifiableList(Arrays.asList(params));
    }

    /** Total number of parameter elements covered. */
    public long length() {
        long n = 0;
        for (ParamSpec p : params) {
            n += p.length();
        }
        return n;
    }

    /** Comma-separated labels, for messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (ParamSpec p : params) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(p);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParamLayout && Arrays.equals(params, ((ParamLayout) o).params);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(params);
    }

    @Override
    public String toString() {
        return "ParamLayout[" + describe() + "]";
    }
}
