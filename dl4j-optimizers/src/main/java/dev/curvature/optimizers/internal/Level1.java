package dev.curvature.optimizers.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Vector ops that run next to GEMMs (Newton-Schulz, Muon, finite-difference Hessian-vector products between
 * gradient evaluations) or on the small per-block arrays of Adam-mini. For float and double on arrays whose
 * elements are contiguous they go through BLAS level 1, called directly (well under a microsecond per call, where
 * an ND4J op costs several): an ND4J (OpenMP) element-wise op right after a BLAS GEMM also contends with BLAS's
 * still-spinning threads and was measured 5-10x slower on 2 cores. Other data types (half precision, integers) and
 * strided arrays use the equivalent ND4J op, so results never depend on the path (up to rounding in the last
 * place).
 */
public final class Level1 {
    private Level1() {
    }

    /** True when BLAS can take these arrays: float or double, one common type, every element contiguous. */
    private static boolean blas(INDArray... arrays) {
        DataType type = arrays[0].dataType();
        for (INDArray a : arrays) {
            if (!(type == DataType.FLOAT || type == DataType.DOUBLE) || a.dataType() != type
                    || a.elementWiseStride() != 1) {
                return false;
            }
        }
        return true;
    }

    /** True when BLAS can take {@code x} and {@code y} as vectors of the same element order. */
    private static boolean blasPair(INDArray x, INDArray y) {
        return blas(x, y) && (x.ordering() == y.ordering() || x.rank() <= 1 && y.rank() <= 1
                || isVector(x) && isVector(y));
    }

    private static boolean isVector(INDArray a) {
        return a.length() == Math.max(a.size(0), a.rank() > 1 ? a.size(a.rank() - 1) : 1);
    }

    /** {@code y <- alpha x + y}. */
    public static void axpy(double alpha, INDArray x, INDArray y) {
        if (blasPair(x, y)) {
            Nd4j.getBlasWrapper().level1().axpy(x.length(), alpha, x, y);
        } else {
            Nd4j.exec(new Axpy(x, y, y, alpha));
        }
    }

    /** {@code x <- alpha x}. */
    public static void scal(double alpha, INDArray x) {
        if (blas(x)) {
            Nd4j.getBlasWrapper().level1().scal(x.length(), alpha, x);
        } else {
            x.muli(alpha);
        }
    }

    /** {@code y <- x}. */
    public static void copy(INDArray x, INDArray y) {
        if (blasPair(x, y)) {
            Nd4j.getBlasWrapper().level1().copy(x, y);
        } else {
            y.assign(x);
        }
    }

    /** Euclidean (Frobenius) norm. */
    public static double nrm2(INDArray x) {
        return blas(x) ? Nd4j.getBlasWrapper().level1().nrm2(x) : x.norm2Number().doubleValue();
    }

    /** Sum of absolute values; NaN or infinite as soon as one element is (a cheap finiteness check). */
    public static double asum(INDArray x) {
        return blas(x) ? Nd4j.getBlasWrapper().level1().asum(x) : x.norm1Number().doubleValue();
    }
}
