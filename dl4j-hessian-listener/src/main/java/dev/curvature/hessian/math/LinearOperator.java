package dev.curvature.hessian.math;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A symmetric linear map {@code v -> A v} on rank-1 vectors of length {@link #dimension()}, known only through
 * products (a Hessian, a restriction of one, or a dense matrix).
 */
public interface LinearOperator {

    /** Length of the vectors this operator acts on. */
    long dimension();

    /**
     * {@code A v}.
     *
     * @param v rank-1 vector of length {@link #dimension()}; not modified
     * @return a new rank-1 vector owned by the caller
     */
    INDArray apply(INDArray v);

    /** The operator of a dense square matrix (used for assembled diagonal blocks and in tests). */
    static LinearOperator dense(INDArray matrix) {
        if (matrix.rank() != 2 || matrix.rows() != matrix.columns()) {
            throw new IllegalArgumentException("a dense operator needs a square matrix, got shape "
                    + java.util.Arrays.toString(matrix.shape()));
        }
        long n = matrix.rows();
        return new LinearOperator() {
            @Override
            public long dimension() {
                return n;
            }

            @Override
            public INDArray apply(INDArray v) {
                return matrix.mmul(v.reshape(n, 1)).reshape(n);
            }
        };
    }
}
