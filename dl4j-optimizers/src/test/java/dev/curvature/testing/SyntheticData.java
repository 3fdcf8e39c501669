package dev.curvature.testing;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/** Seeded synthetic data sets: nothing is downloaded. */
public final class SyntheticData {
    private SyntheticData() {
    }

    /**
     * A classification task with a planted linear-plus-nonlinear rule: features ~ N(0, 1), label = argmax of
     * {@code x W + 0.5 sin(2 x V)} for fixed random W, V. Learnable but not linearly separable.
     */
    public static DataSet classification(long seed, int n, int nIn, int nClasses, DataType type) {
        Random rnd = new Random(seed);
        double[][] w = new double[nIn][nClasses];
        double[][] v = new double[nIn][nClasses];
        for (int i = 0; i < nIn; i++) {
            for (int c = 0; c < nClasses; c++) {
                w[i][c] = rnd.nextGaussian();
                v[i][c] = rnd.nextGaussian();
            }
        }
        double[][] x = new double[n][nIn];
        double[][] y = new double[n][nClasses];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < nIn; i++) {
                x[s][i] = rnd.nextGaussian();
            }
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < nClasses; c++) {
                double lin = 0;
                double non = 0;
                for (int i = 0; i < nIn; i++) {
                    lin += x[s][i] * w[i][c];
                    non += x[s][i] * v[i][c];
                }
                double score = lin + 0.5 * Math.sin(2 * non);
                if (score > bestScore) {
                    bestScore = score;
                    best = c;
                }
            }
            y[s][best] = 1;
        }
        return new DataSet(Nd4j.createFromArray(x).castTo(type), Nd4j.createFromArray(y).castTo(type));
    }

    /** Images {@code [n, channels, h, w]} with labels from the sign pattern of channel means per quadrant. */
    public static DataSet images(long seed, int n, int channels, int h, int w, int nClasses, DataType type) {
        Random rnd = new Random(seed);
        double[][][][] x = new double[n][channels][h][w];
        double[][] y = new double[n][nClasses];
        for (int s = 0; s < n; s++) {
            int label = rnd.nextInt(nClasses);
            y[s][label] = 1;
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        int quadrant = (i < h / 2 ? 0 : 2) + (j < w / 2 ? 0 : 1);
                        double signal = ((label + quadrant + c) % nClasses == 0) ? 1.0 : 0.0;
                        x[s][c][i][j] = signal + 0.5 * rnd.nextGaussian();
                    }
                }
            }
        }
        return new DataSet(Nd4j.createFromArray(x).castTo(type), Nd4j.createFromArray(y).castTo(type));
    }

    /** Sequences {@code [n, nIn, length]} labelled at every step {@code [n, nClasses, length]}. */
    public static DataSet sequences(long seed, int n, int nIn, int length, int nClasses, DataType type) {
        Random rnd = new Random(seed);
        INDArray x = Nd4j.create(DataType.DOUBLE, n, nIn, length);
        INDArray y = Nd4j.create(DataType.DOUBLE, n, nClasses, length);
        double[] buf = new double[n * nIn * length];
        for (int i = 0; i < buf.length; i++) {
            buf[i] = rnd.nextGaussian();
        }
        x.assign(Nd4j.createFromArray(buf).reshape('c', n, nIn, length));
        for (int s = 0; s < n; s++) {
            for (int t = 0; t < length; t++) {
                y.putScalar(new long[] {s, rnd.nextInt(nClasses), t}, 1.0);
            }
        }
        return new DataSet(x.castTo(type), y.castTo(type));
    }
}
