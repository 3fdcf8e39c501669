package dev.curvature.optimizers.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Vector ops that run next to GEMMs (Newton-Schulz, Muon, finite-difference Hessian-vector products between
 * gradient evaluations). For float and double on contiguous arrays they go
 * through BLAS level 1: an ND4J (OpenMP) element-wise op right after a BLAS GEMM contends with BLAS's
 * still-spinning threads and was measured 5-10x slower on 2 cores. Other data types and strided arrays use the
 * equivalent ND4J op, so results never depend on the path.
 */
public final class Level1 {
    private Level1() {
    }

    private static boolean blas(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (!(a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE) || a.elementWiseStride() != 1) {
                return false;
            }
        }
        return arrays[0].dataType() == arrays[arrays.length - 1].dataType();
    }

    /** {@code y <- alpha x + y}. */
    public static void axpy(double alpha, INDArray x, INDArray y) {
        if (blas(x, y) && x.ordering() == y.ordering()) {
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

    /** Euclidean (Frobenius) norm. */
    public static double nrm2(INDArray x) {
        return blas(x) ? Nd4j.getBlasWrapper().level1().nrm2(x) : x.norm2Number().doubleValue();
    }
}
