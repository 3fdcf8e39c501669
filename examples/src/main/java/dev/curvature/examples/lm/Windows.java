package dev.curvature.examples.lm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Next-token examples over a stream of class ids split into training (first 95%) and validation (last 5%) parts.
 * The example with target position {@code t} has input {@code ids[t-k .. t-1]} (oldest first) and target
 * {@code ids[t]}; a window never crosses the split, so no validation token is seen in training and no target is ever
 * inside its own input.
 *
 * <p>A batch is a {@link MultiDataSet} with two inputs, the token ids {@code [B, k]} and the positions
 * {@code 0..k-1} {@code [B, k]} (for the learned position embedding), and one label column {@code [B, 1]} of target
 * ids (sparse cross-entropy).
 */
public final class Windows {
    /** Fraction of the stream held out for validation, at its end. */
    public static final double VALIDATION_FRACTION = 0.05;
    private final int[] ids;
    private final int window;
    private final int trainEnd;

    public Windows(int[] ids, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("the window k must be >= 1, got " + window);
        }
        this.ids = ids;
        this.window = window;
        this.trainEnd = ids.length - (int) Math.ceil(ids.length * VALIDATION_FRACTION);
    }

    public int window() {
        return window;
    }

    /** Tokens in the training part. */
    public int trainTokens() {
        return trainEnd;
    }

    /** Tokens in the validation part. */
    public int validationTokens() {
        return ids.length - trainEnd;
    }

    /** Number of training examples (targets at {@code k .. trainEnd-1}). */
    public int trainExamples() {
        return Math.max(0, trainEnd - window);
    }

    /** Number of validation examples (targets at {@code trainEnd+k .. n-1}). */
    public int validationExamples() {
        return Math.max(0, ids.length - trainEnd - window);
    }

    /** Target position of training example {@code i}. */
    public int trainTarget(int i) {
        return window + i;
    }

    /** Target position of validation example {@code i}. */
    public int validationTarget(int i) {
        return trainEnd + window + i;
    }

    /** The class id at stream position {@code t}. */
    public int id(int t) {
        return ids[t];
    }

    /** {@code size} training examples drawn uniformly with replacement from {@code random}. */
    public MultiDataSet randomTrainBatch(int size, Random random) {
        int[] targets = new int[size];
        for (int i = 0; i < size; i++) {
            targets[i] = trainTarget(random.nextInt(trainExamples()));
        }
        return batch(targets);
    }

    /** Up to {@code max} validation examples evenly spaced over the validation part (all if fewer). */
    public int[] validationTargets(int max) {
        int n = validationExamples();
        int m = Math.min(max, n);
        int[] targets = new int[m];
        for (int i = 0; i < m; i++) {
            targets[i] = validationTarget((int) ((long) i * n / m));
        }
        return targets;
    }

    /** The examples whose targets are at stream positions {@code targets}. */
    public MultiDataSet batch(int[] targets) {
        int b = targets.length;
        float[] tokens = new float[b * window];
        float[] positions = new float[b * window];
        float[] labels = new float[b];
        for (int i = 0; i < b; i++) {
            int t = targets[i];
            if (t < window) {
                throw new IllegalArgumentException("target position " + t + " has no full window of " + window);
            }
            for (int j = 0; j < window; j++) {
                tokens[i * window + j] = ids[t - window + j];
                positions[i * window + j] = j;
            }
            labels[i] = ids[t];
        }
        INDArray x = Nd4j.create(tokens, new long[] {b, window}, 'c').castTo(DataType.FLOAT);
        INDArray p = Nd4j.create(positions, new long[] {b, window}, 'c').castTo(DataType.FLOAT);
        INDArray y = Nd4j.create(labels, new long[] {b, 1}, 'c').castTo(DataType.FLOAT);
        return new MultiDataSet(new INDArray[] {x, p}, new INDArray[] {y});
    }
}
