package dev.curvature.optimizers;

import dev.curvature.testing.Matrices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the quintic Newton-Schulz iteration on seeded matrices of tall, wide and square shapes whose SVD is
 * known by construction ({@code X = U diag(s) V^T}): singular vectors and signs are kept ({@code U^T NS(X) V} is
 * diagonal and positive), singular values land in the iteration's range, transpose and scale equivariance, and
 * closeness to the exact polar factor {@code U V^T}.
 */
class NewtonSchulzTest {

    record Case(double[][] x, double[][] u, double[][] v, double[] s) {
    }

    static Case wellConditioned(long seed, int rows, int cols, double smin, double smax) {
        Random rnd = new Random(seed);
        int r = Math.min(rows, cols);
        double[][] u = Matrices.orthonormalColumns(rnd, rows, r);
        double[][] v = Matrices.orthonormalColumns(rnd, cols, r);
        double[] s = new double[r];
        for (int i = 0; i < r; i++) {
            s[i] = smin + (smax - smin) * i / Math.max(1, r - 1);
        }
        return new Case(Matrices.fromSvd(u, s, v), u, v, s);
    }

    /** {@code U^T O V}: diagonal with the new singular values if O keeps X's singular vectors. */
    static double[][] inSvdBasis(Case c, double[][] o) {
        return Matrices.multiply(Matrices.multiply(Matrices.transpose(c.u()), o), c.v());
    }

    @ParameterizedTest(name = "{0}x{1} {2}")
    @CsvSource({"24,10,DOUBLE", "10,24,DOUBLE", "16,16,DOUBLE", "24,10,FLOAT", "10,24,FLOAT", "16,16,FLOAT",
            "64,96,FLOAT"})
    void keepsSingularVectorsAndMapsSingularValuesIntoRange(int rows, int cols, DataType type) {
        // condition number 20: after 5 steps every singular value lies in [0.68, 1.21]
        Case c = wellConditioned(rows * 31L + cols, rows, cols, 0.05, 1.0);
        INDArray o = NewtonSchulz.orthogonalize(Matrices.toNd4j(c.x(), type), 5);
        assertArrayEquals(new long[] {rows, cols}, o.shape());
        assertEquals(type, o.dataType());
        double[][] d = inSvdBasis(c, Matrices.fromNd4j(o));
        double tol = type == DataType.DOUBLE ? 1e-10 : 2e-5;
        for (int i = 0; i < d.length; i++) {
            for (int j = 0; j < d[0].length; j++) {
                if (i == j) {
                    assertTrue(d[i][i] >= 0.68 && d[i][i] <= 1.21, "singular value " + i + " = " + d[i][i]);
                } else {
                    assertEquals(0.0, d[i][j], tol, "off-diagonal (" + i + "," + j + ") in the SVD basis");
                }
            }
        }
    }

    /**
     * Many steps of the convergent coefficients {@code (2, -1.5, 0.5)} (the check optax's Muon tests make) give an
     * orthonormal result: {@code O^T O = I} for tall inputs, {@code O O^T = I} for wide and square ones, and
     * {@code O = U V^T}. This exercises every orientation and storage order of the iteration, which the quintic
     * default (fast, but its singular values stay in about [0.68, 1.21]) cannot show this sharply.
     */
    @ParameterizedTest(name = "{0}x{1} {2} '{3}'")
    @CsvSource({"24,10,DOUBLE,c", "24,10,DOUBLE,f", "10,24,DOUBLE,c", "10,24,DOUBLE,f", "16,16,DOUBLE,c",
            "16,16,DOUBLE,f", "24,10,FLOAT,f", "10,24,FLOAT,c", "16,16,FLOAT,f"})
    void convergentCoefficientsGiveAnOrthonormalMatrix(int rows, int cols, DataType type, char order) {
        Case c = wellConditioned(rows * 7L + cols, rows, cols, 0.1, 1.0);
        INDArray x = Matrices.toNd4j(c.x(), type).dup(order);
        INDArray o = Nd4j.create(type, new long[] {rows, cols}, order);
        NewtonSchulz.orthogonalizeInto(x, 30, 1e-12, 2.0, -1.5, 0.5, o);
        double[][] od = Matrices.fromNd4j(o);
        double[][] gram = rows >= cols ? Matrices.multiply(Matrices.transpose(od), od)
                : Matrices.multiply(od, Matrices.transpose(od));
        double tol = type == DataType.DOUBLE ? 1e-10 : 1e-5;
        for (int i = 0; i < gram.length; i++) {
            for (int j = 0; j < gram.length; j++) {
                assertEquals(i == j ? 1.0 : 0.0, gram[i][j], tol, "Gram (" + i + "," + j + ")");
            }
        }
        double[][] polar = Matrices.multiply(c.u(), Matrices.transpose(c.v()));
        assertTrue(Matrices.maxAbsDiff(polar, od) < 10 * tol, "distance to U V^T");
    }

    @Test
    void manyQuinticStepsKeepSingularValuesInRange() {
        // The default coefficients do not converge to 1 but must never leave [0.68, 1.21] once there: 100 steps.
        Case c = wellConditioned(11, 20, 12, 0.05, 1.0);
        double[][] d = inSvdBasis(c, Matrices.fromNd4j(NewtonSchulz.orthogonalize(Matrices.toNd4j(c.x(),
                DataType.DOUBLE), 100)));
        for (int i = 0; i < d.length; i++) {
            for (int j = 0; j < d[0].length; j++) {
                if (i == j) {
                    assertTrue(d[i][i] >= 0.68 && d[i][i] <= 1.21, "singular value " + i + " = " + d[i][i]);
                } else {
                    assertEquals(0.0, d[i][j], 1e-9, "off-diagonal (" + i + "," + j + ")");
                }
            }
        }
    }

    @Test
    void closeToExactPolarFactorForWellConditionedInput() {
        // s in [0.5, 1]: the polar factor U V^T is the fixed point up to the quintic's ripple; stated tolerance:
        // spectral error <= 0.32 (the iteration's range) and relative Frobenius error <= 0.2.
        Case c = wellConditioned(5, 20, 12, 0.5, 1.0);
        double[][] polar = Matrices.multiply(c.u(), Matrices.transpose(c.v()));
        double[][] o = Matrices.fromNd4j(NewtonSchulz.orthogonalize(Matrices.toNd4j(c.x(), DataType.DOUBLE), 5));
        double[][] d = inSvdBasis(c, o);
        for (int i = 0; i < d.length; i++) {
            assertEquals(1.0, d[i][i], 0.32);
        }
        double[][] diff = new double[o.length][o[0].length];
        for (int i = 0; i < o.length; i++) {
            for (int j = 0; j < o[0].length; j++) {
                diff[i][j] = o[i][j] - polar[i][j];
            }
        }
        double rel = Matrices.frobenius(diff) / Matrices.frobenius(polar);
        assertTrue(rel <= 0.2, "relative Frobenius error to U V^T: " + rel);
    }

    @Test
    void transposeEquivariant() {
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 13, 29);
        INDArray a = NewtonSchulz.orthogonalize(x, 5);
        INDArray b = NewtonSchulz.orthogonalize(x.transpose().dup('c'), 5);
        double err = a.sub(b.transpose()).amaxNumber().doubleValue();
        assertTrue(err < 1e-12, "NS(X^T) - NS(X)^T = " + err);
    }

    @Test
    void scaleInvariant() {
        INDArray x = Nd4j.randn(DataType.DOUBLE, 17, 11).muli(0.3);
        INDArray base = NewtonSchulz.orthogonalize(x, 5);
        for (double k : new double[] {1e-2, 7.5, 1e3}) {
            double err = NewtonSchulz.orthogonalize(x.mul(k), 5).sub(base).amaxNumber().doubleValue();
            // only the 1e-7 added to the norm breaks exact invariance
            assertTrue(err < 1e-5, "k = " + k + ": " + err);
        }
    }

    @Test
    void doesNotModifyItsInputAndRejectsNonMatrices() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 7);
        INDArray copy = x.dup();
        NewtonSchulz.orthogonalize(x, 3);
        assertEquals(copy, x);
        assertThrows(IllegalArgumentException.class, () -> NewtonSchulz.orthogonalize(Nd4j.ones(3, 4, 5), 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NewtonSchulz.orthogonalize(x, 0));
        assertTrue(e.getMessage().contains("steps must be >= 1, got 0"), e.getMessage());
    }

    @Test
    void oneStepMatchesThePolynomialOnSingularValues() {
        // One step maps each normalised singular value s to a s + b s^3 + c s^5 exactly.
        Case c = wellConditioned(3, 9, 6, 0.2, 1.0);
        double norm = Matrices.frobenius(c.x());
        double[][] d = inSvdBasis(c, Matrices.fromNd4j(NewtonSchulz.orthogonalize(Matrices.toNd4j(c.x(), DataType.DOUBLE), 1)));
        for (int i = 0; i < c.s().length; i++) {
            double s = c.s()[i] / (norm + NewtonSchulz.NORM_EPS);
            double expected = NewtonSchulz.A * s + NewtonSchulz.B * s * s * s + NewtonSchulz.C * Math.pow(s, 5);
            assertEquals(expected, d[i][i], 1e-12);
        }
    }
}
