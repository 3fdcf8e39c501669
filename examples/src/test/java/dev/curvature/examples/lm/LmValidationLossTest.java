package dev.curvature.examples.lm;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The validation loss is the mean -log p(target), checked against a plain loop over the predicted probabilities. */
class LmValidationLossTest {

    @Test
    void validationLossIsTheMeanNegativeLogProbabilityOfEachTarget() {
        int classes = 12;
        Random random = new Random(5);
        int[] ids = new int[12000]; // more windows than one evaluation chunk, so the chunks are covered too
        for (int t = 0; t < ids.length; t++) {
            ids[t] = random.nextInt(classes);
        }
        Windows w = new Windows(ids, 3);
        MultiDataSet validation = w.batch(w.validationTargets(600));
        ComputationGraph graph = LmModel.build(new LmModel.Shape(classes, 3, 8, 2, 16), new Adam(1e-3), 0, 7);
        INDArray probs = graph.output(false, validation.getFeatures(0), validation.getFeatures(1))[0];
        INDArray labels = validation.getLabels(0);
        double expected = 0;
        long n = probs.size(0);
        for (long i = 0; i < n; i++) {
            expected -= Math.log(probs.getDouble(i, (long) labels.getDouble(i, 0)));
        }
        expected /= n;
        assertEquals(expected, Trainer.validationLoss(graph, validation), 1e-6 * expected);
    }
}
