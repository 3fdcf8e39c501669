package dev.curvature.hessian.math;

import dev.curvature.testing.Matrices;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lanczos, the tridiagonal eigen solver and Hutchinson on dense symmetric matrices with known spectra. */
class SpectralEstimatorTest {

    /** Q diag(eigenvalues) Q^T with a seeded random orthogonal Q (Gram-Schmidt of a Gaussian matrix). */
    static double[][] withSpectrum(double[] eigenvalues, long seed) {
        double[][] q = Matrices.orthonormalColumns(new java.util.Random(seed), eigenvalues.length, eigenvalues.length);
        return Matrices.fromSvd(q, eigenvalues, q);
    }

    @Test
    void fullLanczosFindsTheExactExtremeEigenvalues() {
        int n = 30;
        double[] spectrum = new double[n];
        for (int i = 0; i < n; i++) {
            spectrum[i] = -3 + 0.25 * i * i / n; // indefinite, clustered near the bottom
        }
        LinearOperator op = LinearOperator.dense(Nd4j.createFromArray(withSpectrum(spectrum, 1)));
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(7)) {
            SpectralEstimator.LanczosResult r = SpectralEstimator.lanczos(op, DataType.DOUBLE, n, rng);
            assertEquals(spectrum[n - 1], r.topEigenvalue(), 1e-10);
            assertEquals(spectrum[0], r.bottomEigenvalue(), 1e-10);
            for (int i = 0; i < n; i++) {
                assertEquals(spectrum[i], r.ritzValues()[i], 1e-9, "Ritz value " + i);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void fewLanczosStepsFindAWellSeparatedTopEigenvalue() throws Exception {
        int n = 200;
        double[] spectrum = new double[n];
        for (int i = 0; i < n; i++) {
            spectrum[i] = i < n - 1 ? (double) i / n : 5.0; // outlier 5, bulk in [0, 1)
        }
        LinearOperator op = LinearOperator.dense(Nd4j.createFromArray(withSpectrum(spectrum, 2)));
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(8)) {
            SpectralEstimator.LanczosResult r = SpectralEstimator.lanczos(op, DataType.DOUBLE, 16, rng);
            assertEquals(16, r.steps());
            assertEquals(5.0, r.topEigenvalue(), 1e-8, "an outlier converges in a few steps");
            assertTrue(r.topEigenvalue() <= 5.0 + 1e-12, "Ritz values never exceed the top eigenvalue");
        }
    }

    @Test
    void lanczosStopsEarlyOnAnInvariantSubspace() throws Exception {
        double[] spectrum = {2, 2, 2, 2, 2, 2, -1, -1};
        LinearOperator op = LinearOperator.dense(Nd4j.createFromArray(withSpectrum(spectrum, 3)));
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(9)) {
            SpectralEstimator.LanczosResult r = SpectralEstimator.lanczos(op, DataType.DOUBLE, 8, rng);
            assertEquals(2, r.steps(), "two distinct eigenvalues: the Krylov space has dimension 2");
            assertEquals(2.0, r.topEigenvalue(), 1e-10);
            assertEquals(-1.0, r.bottomEigenvalue(), 1e-10);
        }
    }

    @Test
    void tridiagonalEigenvaluesOfTheSecondDifferenceMatrix() {
        int k = 50; // tridiag(-1, 2, -1): eigenvalues 2 - 2 cos(pi i / (k + 1))
        double[] d = new double[k];
        double[] e = new double[k - 1];
        java.util.Arrays.fill(d, 2);
        java.util.Arrays.fill(e, -1);
        double[] ev = SymmetricTridiagonal.eigenvalues(d, e);
        for (int i = 1; i <= k; i++) {
            assertEquals(2 - 2 * Math.cos(Math.PI * i / (k + 1)), ev[i - 1], 1e-13, "eigenvalue " + i);
        }
    }

    @Test
    void hutchinsonIsWithinThreeStandardErrorsAndTheErrorIsHonest() throws Exception {
        int n = 40;
        double[][] a = FiniteDifferenceHvpTest.randomSymmetric(4, n);
        double trace = 0;
        for (int i = 0; i < n; i++) {
            a[i][i] += 3;
            trace += a[i][i];
        }
        LinearOperator op = LinearOperator.dense(Nd4j.createFromArray(a));
        int misses = 0;
        int runs = 20;
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(10)) {
            for (int run = 0; run < runs; run++) {
                ScalarEstimate t = SpectralEstimator.hutchinsonTrace(op, DataType.DOUBLE, 30, rng);
                assertTrue(t.standardError() > 0);
                if (Math.abs(t.value() - trace) > 2 * t.standardError()) {
                    misses++;
                }
            }
        }
        // P(|z| > 2) ~ 4.6%: more than 5 misses of 20 has probability < 0.5% if the standard error is honest
        assertTrue(misses <= 5, misses + " of " + runs + " estimates off by more than 2 standard errors");
    }
}
