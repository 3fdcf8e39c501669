package dev.curvature.examples;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A many-class synthetic classification task that needs no download: Gaussian inputs, labels from a fixed random
 * two-layer teacher network (argmax of {@code tanh(x A) B}), so a hidden layer helps. Built with array ops.
 */
public final class SyntheticTask {
    private SyntheticTask() {
    }

    /** {@code [train, test]} sets drawn from the same teacher. */
    public static DataSet[] make(long seed, int trainSize, int testSize, int nIn, int nClasses) {
        Nd4j.getRandom().setSeed(seed);
        INDArray a = Nd4j.randn(DataType.FLOAT, nIn, 2 * nIn).divi(Math.sqrt(nIn));
        INDArray b = Nd4j.randn(DataType.FLOAT, 2 * nIn, nClasses);
        return new DataSet[] {draw(trainSize, nIn, nClasses, a, b), draw(testSize, nIn, nClasses, a, b)};
    }

    private static DataSet draw(int n, int nIn, int nClasses, INDArray a, INDArray b) {
        INDArray x = Nd4j.randn(DataType.FLOAT, n, nIn);
        INDArray scores = Transforms.tanh(x.mmul(a), true).mmul(b);
        INDArray idx = Nd4j.argMax(scores, 1);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, nClasses);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, idx.getInt(i), 1.0f);
        }
        return new DataSet(x, y);
    }
}
