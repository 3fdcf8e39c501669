package dev.curvature.hessian.math;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * A coordinate subspace of a flat parameter vector: a union of disjoint intervals (whole parameter tensors), laid
 * end to end in increasing order. {@link #restrict} turns an operator on the full vector into the principal
 * sub-operator {@code P A P^T} on the subspace, which is how the Hessian is restricted to chosen layers.
 */
public final class ParamSubspace {
    private final long fullLength;
    private final long[] fullStart;
    private final long[] subStart;
    private final long[] length;
    private final long dimension;

    private ParamSubspace(long fullLength, long[] fullStart, long[] subStart, long[] length, long dimension) {
        this.fullLength = fullLength;
        this.fullStart = fullStart;
        this.subStart = subStart;
        this.length = length;
        this.dimension = dimension;
    }

    /**
     * @param fullLength length of the full vector
     * @param offsets    start of each interval in the full vector, strictly increasing
     * @param lengths    length of each interval (at least 1); intervals must not overlap
     */
    public static ParamSubspace of(long fullLength, long[] offsets, long[] lengths) {
        if (offsets.length != lengths.length || offsets.length == 0) {
            throw new IllegalArgumentException("need one length per offset and at least one interval, got "
                    + offsets.length + " offsets and " + lengths.length + " lengths");
        }
        List<long[]> merged = new ArrayList<>();
        long end = 0;
        for (int i = 0; i < offsets.length; i++) {
            if (lengths[i] < 1 || offsets[i] < end || offsets[i] + lengths[i] > fullLength) {
                throw new IllegalArgumentException("interval " + i + " [" + offsets[i] + ", " + (offsets[i] + lengths[i])
                        + ") is empty, overlaps the previous one or exceeds the full length " + fullLength);
            }
            if (!merged.isEmpty() && offsets[i] == end) {
                merged.get(merged.size() - 1)[1] += lengths[i];
            } else {
                merged.add(new long[] {offsets[i], lengths[i]});
            }
            end = offsets[i] + lengths[i];
        }
        long[] fs = new long[merged.size()];
        long[] ss = new long[merged.size()];
        long[] ls = new long[merged.size()];
        long dim = 0;
        for (int i = 0; i < fs.length; i++) {
            fs[i] = merged.get(i)[0];
            ls[i] = merged.get(i)[1];
            ss[i] = dim;
            dim += ls[i];
        }
        return new ParamSubspace(fullLength, fs, ss, ls, dim);
    }

    /** The whole vector. */
    public static ParamSubspace full(long length) {
        return of(length, new long[] {0}, new long[] {length});
    }

    public long fullLength() {
        return fullLength;
    }

    /** Length of the subspace vectors. */
    public long dimension() {
        return dimension;
    }

    /** True when the subspace is the whole vector. */
    public boolean isFull() {
        return dimension == fullLength;
    }

    /** The subspace coordinates of {@code full}, as a new array. */
    public INDArray gather(INDArray full) {
        checkLength(full, fullLength, "full");
        INDArray flat = full.reshape(fullLength);
        if (isFull()) {
            return flat.dup();
        }
        INDArray sub = Nd4j.create(full.dataType(), dimension);
        for (int i = 0; i < fullStart.length; i++) {
            sub.get(NDArrayIndex.interval(subStart[i], subStart[i] + length[i]))
                    .assign(flat.get(NDArrayIndex.interval(fullStart[i], fullStart[i] + length[i])));
        }
        return sub;
    }

    /** A new full-length vector holding {@code sub} in the subspace coordinates and zeros elsewhere. */
    public INDArray embed(INDArray sub) {
        checkLength(sub, dimension, "subspace");
        INDArray flat = sub.reshape(dimension);
        if (isFull()) {
            return flat.dup();
        }
        INDArray full = Nd4j.zeros(sub.dataType(), fullLength);
        for (int i = 0; i < fullStart.length; i++) {
            full.get(NDArrayIndex.interval(fullStart[i], fullStart[i] + length[i]))
                    .assign(flat.get(NDArrayIndex.interval(subStart[i], subStart[i] + length[i])));
        }
        return full;
    }

    /** The principal sub-operator {@code v -> gather(A embed(v))}. */
    public LinearOperator restrict(LinearOperator full) {
        if (full.dimension() != fullLength) {
            throw new IllegalArgumentException("operator dimension " + full.dimension() + " != full length " + fullLength);
        }
        return new LinearOperator() {
            @Override
            public long dimension() {
                return dimension;
            }

            @Override
            public INDArray apply(INDArray v) {
                if (isFull()) {
                    return full.apply(v);
                }
                INDArray embedded = embed(v);
                INDArray product = full.apply(embedded);
                embedded.close();
                INDArray sub = gather(product);
                product.close();
                return sub;
            }
        };
    }

    private static void checkLength(INDArray a, long expected, String what) {
        if (a.length() != expected) {
            throw new IllegalArgumentException(what + " vector has length " + a.length() + ", expected " + expected);
        }
    }
}
