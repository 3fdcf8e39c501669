package dev.curvature.testing;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/** Plain-Java dense matrices (double[rows][cols]) for test references. */
public final class Matrices {
    private Matrices() {
    }

    public static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int k = b.length;
        int m = b[0].length;
        double[][] c = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < k; p++) {
                double v = a[i][p];
                for (int j = 0; j < m; j++) {
                    c[i][j] += v * b[p][j];
                }
            }
        }
        return c;
    }

    public static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    /** Random {@code n x k} matrix with orthonormal columns (Gram-Schmidt on Gaussian columns). */
    public static double[][] orthonormalColumns(Random rnd, int n, int k) {
        double[][] q = new double[n][k];
        for (int j = 0; j < k; j++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = rnd.nextGaussian();
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int p = 0; p < j; p++) {
                    double dot = 0;
                    for (int i = 0; i < n; i++) {
                        dot += q[i][p] * v[i];
                    }
                    for (int i = 0; i < n; i++) {
                        v[i] -= dot * q[i][p];
                    }
                }
            }
            double norm = 0;
            for (double x : v) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < n; i++) {
                q[i][j] = v[i] / norm;
            }
        }
        return q;
    }

    /** {@code U diag(s) V^T} with U {@code [rows, r]}, V {@code [cols, r]}, r = s.length. */
    public static double[][] fromSvd(double[][] u, double[] s, double[][] v) {
        double[][] us = new double[u.length][s.length];
        for (int i = 0; i < u.length; i++) {
            for (int j = 0; j < s.length; j++) {
                us[i][j] = u[i][j] * s[j];
            }
        }
        return multiply(us, transpose(v));
    }

    public static INDArray toNd4j(double[][] a, DataType type) {
        return Nd4j.createFromArray(a).castTo(type);
    }

    public static double[][] fromNd4j(INDArray a) {
        return a.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    public static double frobenius(double[][] a) {
        double s = 0;
        for (double[] row : a) {
            for (double x : row) {
                s += x * x;
            }
        }
        return Math.sqrt(s);
    }

    public static double maxAbsDiff(double[][] a, double[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return m;
    }
}
