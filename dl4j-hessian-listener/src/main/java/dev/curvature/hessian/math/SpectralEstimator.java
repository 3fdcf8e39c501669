package dev.curvature.hessian.math;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Spectral summaries of a symmetric operator known through products, as practitioners' Hessian tools report them
 * (PyHessian, curvlinops):
 *
 * <ul>
 *   <li>{@link #lanczos}: the extreme eigenvalues by the Lanczos method with full reorthogonalisation. After
 *       {@code k} steps the largest (smallest) Ritz value is a lower (upper) bound on the largest (smallest)
 *       eigenvalue and converges fast for well separated extremes; with {@code k = dimension} it is exact up to
 *       round-off. Cost: {@code k} products plus {@code O(k n)} memory for the basis.</li>
 *   <li>{@link #hutchinsonTrace}: Hutchinson's unbiased trace estimator {@code tr(A) = E z^T A z} with Rademacher
 *       {@code z}, with standard error {@code s / sqrt(m)} over {@code m} probes.</li>
 * </ul>
 */
public final class SpectralEstimator {

    /**
     * @param topEigenvalue    largest Ritz value (lower bound on the largest eigenvalue)
     * @param bottomEigenvalue smallest Ritz value (upper bound on the smallest eigenvalue)
     * @param steps            Lanczos steps taken (fewer than asked when an invariant subspace was found)
     * @param ritzValues       all Ritz values, increasing
     */
    public record LanczosResult(double topEigenvalue, double bottomEigenvalue, int steps, double[] ritzValues) {
    }

    private SpectralEstimator() {
    }

    /**
     * Extreme eigenvalues of {@code op} by {@code steps} Lanczos steps from a random Rademacher start.
     *
     * @param steps at least 1; capped at the operator's dimension
     */
    public static LanczosResult lanczos(LinearOperator op, DataType type, int steps, Random rng) {
        if (steps < 1) {
            throw new IllegalArgumentException("Lanczos steps must be >= 1, got " + steps);
        }
        long n = op.dimension();
        int k = (int) Math.min(steps, n);
        INDArray basis = Nd4j.create(type, k, n);
        double[] alpha = new double[k];
        double[] beta = new double[k];
        INDArray v = Rademacher.sample(type, n, rng);
        v.divi(v.norm2Number().doubleValue());
        int used = 0;
        double scale = 0;
        for (int i = 0; i < k; i++) {
            basis.get(NDArrayIndex.point(i), NDArrayIndex.all()).assign(v);
            INDArray w = op.apply(v).reshape(n);
            alpha[i] = dot(w, v);
            v.close(); // kept in the basis
            scale = Math.max(scale, w.norm2Number().doubleValue());
            INDArray q = basis.get(NDArrayIndex.interval(0, i + 1), NDArrayIndex.all());
            for (int pass = 0; pass < 2; pass++) { // "twice is enough" (Kahan, Parlett)
                INDArray c = q.mmul(w.reshape(n, 1));
                INDArray projection = q.transpose().mmul(c);
                w.subi(projection.reshape(n));
                c.close();
                projection.close();
            }
            used = i + 1;
            if (i == k - 1) {
                w.close();
                break;
            }
            beta[i] = w.norm2Number().doubleValue();
            if (!(beta[i] > 1e-12 * scale)) {
                w.close();
                break; // invariant subspace: the Ritz values found are exact eigenvalues
            }
            v = w.divi(beta[i]);
        }
        basis.close();
        double[] ritz = SymmetricTridiagonal.eigenvalues(java.util.Arrays.copyOf(alpha, used),
                java.util.Arrays.copyOf(beta, Math.max(0, used - 1)));
        return new LanczosResult(ritz[used - 1], ritz[0], used, ritz);
    }

    /**
     * Hutchinson's trace estimate from {@code probes} Rademacher vectors.
     *
     * @param probes at least 1 (the standard error is NaN with one probe)
     */
    public static ScalarEstimate hutchinsonTrace(LinearOperator op, DataType type, int probes, Random rng) {
        if (probes < 1) {
            throw new IllegalArgumentException("trace probes must be >= 1, got " + probes);
        }
        double[] samples = new double[probes];
        for (int s = 0; s < probes; s++) {
            INDArray z = Rademacher.sample(type, op.dimension(), rng);
            INDArray hz = op.apply(z);
            samples[s] = dot(z, hz);
            z.close();
            hz.close();
        }
        double[][] one = {samples};
        return new ScalarEstimate(TwoStageSampling.mean(one), TwoStageSampling.standardError(one, 1, false));
    }

    static double dot(INDArray a, INDArray b) {
        return Nd4j.getExecutioner().exec(new Dot(a.reshape(a.length()), b.reshape(b.length()))).getDouble(0);
    }
}
