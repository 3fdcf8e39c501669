package dev.curvature.hessian.math;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Central-difference Hessian-vector products on functions whose Hessian is known in closed form. */
class FiniteDifferenceHvpTest {

    static double[][] randomSymmetric(long seed, int n) {
        Random rnd = new Random(seed);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i][j] = rnd.nextGaussian();
                a[j][i] = a[i][j];
            }
        }
        return a;
    }

    static double[] randomVector(long seed, int n) {
        Random rnd = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian();
        }
        return v;
    }

    @Test
    void quadraticIsExactUpToRoundOff() {
        int n = 12;
        double[][] a = randomSymmetric(1, n);
        INDArray matrix = Nd4j.createFromArray(a);
        INDArray b = Nd4j.createFromArray(randomVector(2, n));
        GradientFunction g = p -> matrix.mmul(p.reshape(n, 1)).reshape(n).addi(b); // f = p'Ap/2 + b'p
        INDArray theta = Nd4j.createFromArray(randomVector(3, n));
        FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(g, theta, 1e-5);
        double[] v = randomVector(4, n);
        double[] hv = hvp.apply(Nd4j.createFromArray(v)).toDoubleVector();
        for (int i = 0; i < n; i++) {
            double expected = 0;
            for (int j = 0; j < n; j++) {
                expected += a[i][j] * v[j];
            }
            assertEquals(expected, hv[i], 1e-8, "row " + i);
        }
        assertEquals(1, hvp.products());
        assertEquals(2, hvp.gradientEvaluations(), "two gradient evaluations per product");
        assertEquals(theta.toDoubleVector()[0], Nd4j.createFromArray(randomVector(3, n)).getDouble(0),
                "theta must not be modified");
    }

    @Test
    void errorOfANonQuadraticFunctionShrinksQuadraticallyWithTheStep() {
        // f = sum(cosh(p)) + (a'p)^4 / 4: H = diag(cosh(p)) + 3 (a'p)^2 a a'
        int n = 6;
        double[] a = randomVector(5, n);
        INDArray av = Nd4j.createFromArray(a);
        GradientFunction g = p -> {
            double s = p.mul(av).sumNumber().doubleValue();
            return org.nd4j.linalg.ops.transforms.Transforms.sinh(p, true).addi(av.mul(s * s * s));
        };
        double[] t = randomVector(6, n);
        for (int i = 0; i < n; i++) {
            t[i] *= 0.5;
        }
        double[] v = randomVector(7, n);
        double s = 0;
        double av2 = 0;
        for (int i = 0; i < n; i++) {
            s += a[i] * t[i];
            av2 += a[i] * v[i];
        }
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            expected[i] = Math.cosh(t[i]) * v[i] + 3 * s * s * a[i] * av2;
        }
        double err2 = error(g, t, v, expected, 1e-2);
        double err3 = error(g, t, v, expected, 1e-3);
        double err5 = error(g, t, v, expected, 1e-5);
        double ratio = err2 / err3;
        assertTrue(ratio > 50 && ratio < 200, "O(step^2): 10x smaller step, ~100x smaller error, got " + ratio);
        assertTrue(err5 < 1e-8, "double precision with step 1e-5: error " + err5);
    }

    private static double error(GradientFunction g, double[] theta, double[] v, double[] expected, double step) {
        FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(g, Nd4j.createFromArray(theta), step);
        double[] hv = hvp.apply(Nd4j.createFromArray(v)).toDoubleVector();
        double worst = 0;
        for (int i = 0; i < hv.length; i++) {
            worst = Math.max(worst, Math.abs(hv[i] - expected[i]));
        }
        return worst;
    }

    @Test
    void productIsLinearInTheDirectionScale() {
        int n = 5;
        double[][] a = randomSymmetric(8, n);
        INDArray matrix = Nd4j.createFromArray(a);
        GradientFunction g = p -> matrix.mmul(p.reshape(n, 1)).reshape(n);
        FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(g, Nd4j.zeros(DataType.DOUBLE, n), 1e-5);
        INDArray v = Nd4j.createFromArray(randomVector(9, n));
        double[] h1 = hvp.apply(v).toDoubleVector();
        double[] h1000 = hvp.apply(v.mul(1000)).toDoubleVector();
        for (int i = 0; i < n; i++) {
            assertEquals(1000 * h1[i], h1000[i], 1e-6 * Math.abs(1000 * h1[i]) + 1e-9);
        }
        assertEquals(0.0, hvp.apply(Nd4j.zeros(DataType.DOUBLE, n)).norm2Number().doubleValue(), "H 0 = 0");
    }

    @Test
    void rejectsBadInput() {
        GradientFunction g = p -> p.dup();
        INDArray theta = Nd4j.zeros(DataType.DOUBLE, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FiniteDifferenceHvp(g, theta, 0.0));
        assertTrue(e.getMessage().contains("(0, 0.1]") && e.getMessage().contains("0.0"), e.getMessage());
        FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(g, theta, 1e-5);
        assertThrows(IllegalArgumentException.class, () -> hvp.apply(Nd4j.zeros(DataType.DOUBLE, 4)));
    }
}
