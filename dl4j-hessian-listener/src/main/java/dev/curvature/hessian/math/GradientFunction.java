package dev.curvature.hessian.math;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A differentiable scalar function of a flat parameter vector, seen only through its gradient.
 */
@FunctionalInterface
public interface GradientFunction {

    /**
     * The gradient at {@code params}.
     *
     * @param params rank-1 parameter vector; implementations must neither modify nor keep it
     * @return a new rank-1 array of the same length and data type, owned by the caller
     */
    INDArray gradient(INDArray params);
}
