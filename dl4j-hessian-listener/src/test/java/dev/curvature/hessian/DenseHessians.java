package dev.curvature.hessian;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Slow plain-Java references: dense Hessians written from their definitions, block norms of a dense matrix, and a
 * Jacobi eigenvalue solver. Independent of the code under test (no Hessian-vector products, no Lanczos).
 */
final class DenseHessians {
    private DenseHessians() {
    }

    /**
     * Hessian of the mean softmax cross-entropy of softmax regression without bias, with respect to {@code W
     * [nIn, C]} flattened in DL4J's 'f' order (index {@code i + nIn * k}): block {@code (k, l)} is the mean over
     * samples of {@code (p_k delta_kl - p_k p_l) x x^T}.
     */
    static double[][] softmaxRegression(double[][] w, double[][] x) {
        int nIn = w.length;
        int c = w[0].length;
        int n = nIn * c;
        double[][] h = new double[n][n];
        for (double[] xs : x) {
            double[] z = new double[c];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                for (int i = 0; i < nIn; i++) {
                    z[k] += xs[i] * w[i][k];
                }
                max = Math.max(max, z[k]);
            }
            double sum = 0;
            double[] p = new double[c];
            for (int k = 0; k < c; k++) {
                p[k] = Math.exp(z[k] - max);
                sum += p[k];
            }
            for (int k = 0; k < c; k++) {
                p[k] /= sum;
            }
            for (int k = 0; k < c; k++) {
                for (int l = 0; l < c; l++) {
                    double a = (k == l ? p[k] : 0) - p[k] * p[l];
                    for (int i = 0; i < nIn; i++) {
                        for (int j = 0; j < nIn; j++) {
                            h[i + nIn * k][j + nIn * l] += a * xs[i] * xs[j] / x.length;
                        }
                    }
                }
            }
        }
        return h;
    }

    /**
     * Hessian of the network's score (mean loss, no regularization) by second differences of the score,
     * {@code H_ab ~ [f(+a+b) - f(+a-b) - f(-a+b) + f(-a-b)] / (4 h^2)}. The network must be DOUBLE with no
     * dropout; its parameters are restored afterwards.
     */
    static double[][] secondDifferences(MultiLayerNetwork net, DataSet data, double h) {
        INDArray theta = net.params().dup();
        int n = (int) theta.length();
        double[][] hess = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = a; b < n; b++) {
                double fpp = score(net, data, theta, a, h, b, h);
                double fpm = score(net, data, theta, a, h, b, -h);
                double fmp = score(net, data, theta, a, -h, b, h);
                double fmm = score(net, data, theta, a, -h, b, -h);
                hess[a][b] = (fpp - fpm - fmp + fmm) / (4 * h * h);
                hess[b][a] = hess[a][b];
            }
        }
        net.setParams(theta);
        return hess;
    }

    private static double score(MultiLayerNetwork net, DataSet data, INDArray theta, int a, double da, int b, double db) {
        INDArray p = theta.dup();
        p.putScalar(a, p.getDouble(a) + da);
        p.putScalar(b, p.getDouble(b) + db);
        net.setParams(p);
        return net.score(data, false);
    }

    /** {@code ||H_ij||_F^2} for blocks given by {@code blockOf[index]}. */
    static double[][] blockSquaredNorms(double[][] h, int[] blockOf, int numBlocks) {
        double[][] out = new double[numBlocks][numBlocks];
        for (int a = 0; a < h.length; a++) {
            for (int b = 0; b < h.length; b++) {
                out[blockOf[a]][blockOf[b]] += h[a][b] * h[a][b];
            }
        }
        return out;
    }

    /** The principal sub-matrix of {@code h} on the indices of block {@code j}. */
    static double[][] diagonalBlock(double[][] h, int[] blockOf, int j) {
        int[] idx = java.util.stream.IntStream.range(0, blockOf.length).filter(i -> blockOf[i] == j).toArray();
        double[][] out = new double[idx.length][idx.length];
        for (int a = 0; a < idx.length; a++) {
            for (int b = 0; b < idx.length; b++) {
                out[a][b] = h[idx[a]][idx[b]];
            }
        }
        return out;
    }

    static double trace(double[][] h) {
        double t = 0;
        for (int i = 0; i < h.length; i++) {
            t += h[i][i];
        }
        return t;
    }

    /** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations, increasing. */
    static double[] jacobiEigenvalues(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = matrix[i].clone();
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double total = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    total += a[i][j] * a[i][j];
                    if (i != j) {
                        off += a[i][j] * a[i][j];
                    }
                }
            }
            if (off <= 1e-30 * total) {
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double[] ev = new double[n];
        for (int i = 0; i < n; i++) {
            ev[i] = a[i][i];
        }
        java.util.Arrays.sort(ev);
        return ev;
    }

    /** Block ids of the per-output-neuron partition for a stack of dense layers with biases, in flat order. */
    static int[] perOutputNeuronDenseStack(int[][] layerShapes, boolean bias) {
        int n = 0;
        for (int[] s : layerShapes) {
            n += s[0] * s[1] + (bias ? s[1] : 0);
        }
        int[] ids = new int[n];
        int at = 0;
        int block = 0;
        for (int[] s : layerShapes) {
            int nIn = s[0];
            int nOut = s[1];
            for (int k = 0; k < nOut; k++) { // W [nIn, nOut] in 'f' order: column k contiguous = output neuron k
                for (int i = 0; i < nIn; i++) {
                    ids[at++] = block + k;
                }
            }
            block += nOut;
            if (bias) {
                for (int k = 0; k < nOut; k++) {
                    ids[at++] = block; // the whole bias vector is one block
                }
                block++;
            }
        }
        return ids;
    }
}
