package dev.curvature.optimizers;

import dev.curvature.testing.ConvergenceSuite;
import dev.curvature.testing.ConvergenceSuite.Problem;
import dev.curvature.testing.SyntheticData;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Muon against Adam, both tuned by the same small search (learning rate in {0.03, 0.1, 0.3}, constant or
 * decayed by 0.99 per step), 400 steps. Claim tested: Muon reaches Adam's best final loss within the same step
 * budget on the softmax classifier, Rosenbrock and the MLP. On the diagonal quadratic, whose curvature is exactly
 * per coordinate (Adam's ideal case), Muon's orthogonalised steps only reach ~1e-5 while Adam reaches ~1e-25: that
 * is asserted as what it is (convergence by five orders of magnitude), and reported as a miss in the README.
 */
class MuonConvergenceTest {
    static final int STEPS = 400;
    static final double[] LRS = {0.03, 0.1, 0.3};

    record Best(String label, double[] losses) {
        double last() {
            return losses[losses.length - 1];
        }
    }

    static Best best(Problem p, BiFunction<Double, Boolean, IUpdater> make, String name) {
        Best best = null;
        for (double lr : LRS) {
            for (boolean decay : new boolean[] {false, true}) {
                double[] losses = ConvergenceSuite.run(make.apply(lr, decay), p, STEPS);
                if (best == null || losses[STEPS] < best.last() || Double.isNaN(best.last())) {
                    best = new Best(name + " lr " + lr + (decay ? " decayed" : ""), losses);
                }
            }
        }
        return best;
    }

    static ExponentialSchedule decay(double lr) {
        return new ExponentialSchedule(ScheduleType.ITERATION, lr, 0.99);
    }

    @Test
    void sharedSuite() {
        for (Problem p : ConvergenceSuite.problems()) {
            Best adam = best(p, (lr, d) -> d ? new Adam(decay(lr)) : new Adam(lr, 0.9, 0.999, 1e-8), "Adam");
            Best muon = best(p, (lr, d) -> d ? Muon.builder().learningRateSchedule(decay(lr)).build()
                    : Muon.builder().learningRate(lr).build(), "Muon");
            int steps = ConvergenceSuite.stepsToReach(muon.losses(), adam.last());
            System.out.printf("%-10s best %s: %.3g   best %s: %.3g   Muon steps to Adam's final: %d%n", p.name(),
                    adam.label(), adam.last(), muon.label(), muon.last(), steps);
            if (p.name().equals("quadratic")) {
                assertTrue(muon.last() < 1e-5 * muon.losses()[0], "Muon did not converge: " + muon.last());
            } else {
                assertTrue(steps >= 0 && steps <= STEPS, p.name() + ": Muon never reached Adam's " + adam.last());
            }
        }
    }

    static MultiLayerNetwork mlp(IUpdater updater) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(42)
                .dataType(DataType.FLOAT).updater(updater).list()
                .layer(new DenseLayer.Builder().nIn(20).nOut(64).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(20)).build());
        net.init();
        return Layouts.attach(net);
    }

    @Test
    void smallClassifierReachesAdamsLossInNoMoreSteps() {
        DataSet train = SyntheticData.classification(8, 512, 20, 10, DataType.FLOAT);
        java.util.List<DataSet> batches = train.batchBy(128);
        int epochs = 40;
        MultiLayerNetwork adam = mlp(new Adam(3e-3));
        MultiLayerNetwork muon = mlp(Muon.builder().learningRate(0.02).auxiliary(new Adam(3e-3)).build());
        double[] adamLoss = new double[epochs + 1];
        double[] muonLoss = new double[epochs + 1];
        adamLoss[0] = adam.score(train);
        muonLoss[0] = muon.score(train);
        for (int e = 1; e <= epochs; e++) {
            for (DataSet b : batches) {
                adam.fit(b);
                muon.fit(b);
            }
            adamLoss[e] = adam.score(train);
            muonLoss[e] = muon.score(train);
        }
        int reached = ConvergenceSuite.stepsToReach(muonLoss, adamLoss[epochs]);
        System.out.printf("MLP 20-64-64-10, %d steps: Adam(3e-3) %.4f, Muon(0.02, aux Adam 3e-3) %.4f; Muon reached "
                + "Adam's final loss after %d of %d epochs%n", epochs * batches.size(), adamLoss[epochs],
                muonLoss[epochs], reached, epochs);
        assertTrue(reached >= 0 && reached <= epochs, "Muon never reached Adam's final loss " + adamLoss[epochs]);
    }
}
