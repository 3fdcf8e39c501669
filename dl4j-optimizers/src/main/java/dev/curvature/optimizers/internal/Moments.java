package dev.curvature.optimizers.internal;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Moment estimates shared by the optimizers, in the manner of optax's {@code update_moment} and
 * {@code bias_correction}: Adam-mini's first moment and Muon's momentum buffer are the same exponential moving
 * average, and Adam-mini corrects both of its moments the same way (docs/ALGORITHMS.md, sections Adam-mini and
 * Muon).
 */
public final class Moments {
    private Moments() {
    }

    /**
     * The exponential moving average {@code mu <- decay mu + (1 - decay) x}, kept as {@code stored = mu / (1 - decay)}
     * so that its update is {@code stored <- decay stored + x} (no multiply by {@code 1 - decay} per element; the
     * factor goes into the step size, or vanishes where the use is scale invariant as in Newton-Schulz).
     */
    public static void accumulate(double decay, INDArray x, INDArray stored) {
        Nd4j.exec(new Axpy(stored, x, stored, decay)); // one fused pass (BLAS would need scal and axpy: two)
    }

    /** {@code 1 - decay^t}: the bias correction of an average started at zero, after {@code t >= 1} updates. */
    public static double biasCorrection(double decay, int t) {
        return 1.0 - Math.pow(decay, t);
    }
}
