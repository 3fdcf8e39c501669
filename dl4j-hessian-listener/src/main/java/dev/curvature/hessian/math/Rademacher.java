package dev.curvature.hessian.math;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rademacher vectors (independent +1/-1 with probability 1/2) drawn from a caller-owned ND4J generator, never from
 * {@code Nd4j.getRandom()}: probing must not move the random stream that training (dropout, noise) draws from.
 */
public final class Rademacher {
    private Rademacher() {
    }

    /** A new rank-1 Rademacher vector of {@code length} elements. */
    public static INDArray sample(DataType type, long length, Random rng) {
        INDArray z = Nd4j.create(type, length);
        Nd4j.getExecutioner().exec(new BernoulliDistribution(z, 0.5), rng);
        return z.muli(2.0).subi(1.0);
    }
}
