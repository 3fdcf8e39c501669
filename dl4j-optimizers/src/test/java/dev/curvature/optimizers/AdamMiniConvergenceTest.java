package dev.curvature.optimizers;

import dev.curvature.testing.ConvergenceSuite;
import dev.curvature.testing.ConvergenceSuite.Problem;
import dev.curvature.testing.SyntheticData;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adam-mini against Adam (reference epsilon placement: Adam-mini with one block per element) on the shared suite,
 * same learning rate per problem, and against DL4J's Adam on a small MLP classifier.
 * Tolerance: final losses within a factor of 2 (0.3 decades) or both below 1e-6.
 */
class AdamMiniConvergenceTest {
    static final Map<String, Double> LR = Map.of("quadratic", 0.05, "rosenbrock", 0.02, "softmax", 0.05);
    static final int STEPS = 1500;

    @Test
    void sharedSuiteReachesAdamsLoss() {
        for (Problem p : ConvergenceSuite.problems()) {
            double lr = LR.get(p.name());
            double[] adam = ConvergenceSuite.run(new org.nd4j.linalg.learning.config.Adam(lr, 0.9, 0.999, 1e-8), p, STEPS);
            double[] mini = ConvergenceSuite.run(new AdamMini(lr), p, STEPS);
            double la = adam[STEPS];
            double lm = mini[STEPS];
            System.out.printf("%-10s lr %.3f  start %.4g  Adam %.4g  Adam-mini %.4g%n", p.name(), lr, adam[0], la, lm);
            boolean bothTiny = la < 1e-6 && lm < 1e-6;
            assertTrue(bothTiny || Math.abs(Math.log10(lm) - Math.log10(la)) <= 0.3,
                    p.name() + ": Adam " + la + " vs Adam-mini " + lm);
            assertTrue(lm < 0.05 * mini[0] || lm < 1e-6 || p.name().equals("softmax") && lm < 0.5 * mini[0],
                    p.name() + " did not converge: " + lm);
        }
    }

    static MultiLayerNetwork mlp(IUpdater updater) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.FLOAT)
                .updater(updater).list()
                .layer(new DenseLayer.Builder().nIn(20).nOut(64).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(20)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return Layouts.attach(net);
    }

    @Test
    void smallClassifierReachesAdamsLoss() {
        DataSet train = SyntheticData.classification(8, 512, 20, 10, DataType.FLOAT);
        MultiLayerNetwork adam = mlp(new org.nd4j.linalg.learning.config.Adam(3e-3));
        MultiLayerNetwork mini = mlp(new AdamMini(3e-3));
        double start = adam.score(train);
        for (int epoch = 0; epoch < 150; epoch++) {
            for (DataSet batch : train.batchBy(128)) {
                adam.fit(batch);
                mini.fit(batch);
            }
        }
        double la = adam.score(train);
        double lm = mini.score(train);
        System.out.printf("MLP 20-64-64-10, lr 3e-3, 600 steps: start %.4f  Adam %.4f  Adam-mini %.4f%n", start, la, lm);
        assertTrue(lm < 0.25 * start, "Adam-mini did not learn: " + lm);
        assertTrue(Math.abs(lm - la) <= 0.1 * la + 0.01, "Adam " + la + " vs Adam-mini " + lm);
    }
}
