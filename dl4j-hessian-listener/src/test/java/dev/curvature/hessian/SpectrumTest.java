package dev.curvature.hessian;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Top eigenvalue (Lanczos on Hessian-vector products) and trace (exact, Hutchinson) of the model and of each
 * block, against the eigenvalues of dense Hessians computed in plain Java (analytic, and second differences of
 * the score) with a Jacobi solver written in the test.
 */
class SpectrumTest {

    @Test
    void softmaxRegressionModelAndBlockSpectraMatchTheAnalyticHessian() {
        int nIn = 3;
        int classes = 4;
        MultiLayerNetwork net = Nets.softmaxRegressionAt(nIn, classes, 1.0, 31);
        DataSet data = Nets.randomData(32, 40, nIn, classes, DataType.DOUBLE);
        double[][] h = DenseHessians.softmaxRegression(net.getParam("0_W").toDoubleMatrix(),
                data.getFeatures().toDoubleMatrix());
        double[] ev = DenseHessians.jacobiEigenvalues(h);
        double top = ev[ev.length - 1];
        int[] blockOf = DenseHessians.perOutputNeuronDenseStack(new int[][] {{nIn, classes}}, false);

        BlockHessianReport exact = HessianBlockEstimator.builder().method(HessianBlockEstimator.Method.EXACT)
                .lanczosSteps(nIn * classes).build().estimate(net, data);
        assertEquals(top, exact.topEigenvalue(), 1e-7 * top, "top eigenvalue");
        assertEquals(ev[0], exact.bottomEigenvalue(), 1e-7 * top, "bottom eigenvalue (the softmax null space: 0)");
        assertEquals(DenseHessians.trace(h), exact.trace(), 1e-8 * DenseHessians.trace(h), "exact trace");
        assertEquals(0.0, exact.traceStandardError());
        for (int j = 0; j < classes; j++) {
            double[] blockEv = DenseHessians.jacobiEigenvalues(DenseHessians.diagonalBlock(h, blockOf, j));
            double blockTop = blockEv[blockEv.length - 1];
            assertEquals(blockTop, exact.blockTopEigenvalue(j), 1e-7 * blockTop, "top eigenvalue of H_" + j + j);
        }

        BlockHessianReport stochastic = HessianBlockEstimator.builder().probesPerBlock(4).traceProbes(200)
                .lanczosSteps(nIn).blockEigenvalues(true).seed(3).build().estimate(net, data);
        double trace = DenseHessians.trace(h);
        assertTrue(Math.abs(stochastic.trace() - trace) <= 3 * stochastic.traceStandardError(),
                "Hutchinson trace " + stochastic.trace() + " ± " + stochastic.traceStandardError() + " vs " + trace);
        for (int j = 0; j < classes; j++) {
            double[] blockEv = DenseHessians.jacobiEigenvalues(DenseHessians.diagonalBlock(h, blockOf, j));
            double blockTop = blockEv[blockEv.length - 1];
            assertEquals(blockTop, stochastic.blockTopEigenvalue(j), 1e-7 * blockTop,
                    "Lanczos on H_" + j + j + " through products, as many steps as the block has parameters");
        }
    }

    @Test
    void hiddenLayerNetSpectrumMatchesSecondDifferences() {
        MultiLayerNetwork net = Nets.oneHidden(2, 3, 3, DataType.DOUBLE, 1.0, 41);
        DataSet data = Nets.randomData(42, 16, 2, 3, DataType.DOUBLE);
        double[][] h = DenseHessians.secondDifferences(net, data, 1e-4);
        double[] ev = DenseHessians.jacobiEigenvalues(h);
        double scale = Math.max(Math.abs(ev[0]), Math.abs(ev[ev.length - 1]));
        assertTrue(ev[0] < -1e-3 * scale, "a tanh network's Hessian is indefinite here: bottom " + ev[0]);

        BlockHessianReport r = HessianBlockEstimator.builder().method(HessianBlockEstimator.Method.EXACT)
                .partition(BlockPartition.perTensor()).lanczosSteps(h.length).build().estimate(net, data);
        assertEquals(ev[ev.length - 1], r.topEigenvalue(), 1e-5 * scale, "top eigenvalue");
        assertEquals(ev[0], r.bottomEigenvalue(), 1e-5 * scale, "bottom eigenvalue");
        assertEquals(DenseHessians.trace(h), r.trace(), 1e-5 * scale, "trace");
        int[] tensorOf = new int[h.length];
        int[] lengths = {6, 3, 9, 3};
        for (int t = 0, at = 0; t < lengths.length; t++) {
            for (int i = 0; i < lengths[t]; i++) {
                tensorOf[at++] = t;
            }
        }
        for (int t = 0; t < lengths.length; t++) {
            double[] blockEv = DenseHessians.jacobiEigenvalues(DenseHessians.diagonalBlock(h, tensorOf, t));
            assertEquals(blockEv[blockEv.length - 1], r.blockTopEigenvalue(t), 1e-5 * scale, "tensor " + t);
            assertEquals(DenseHessians.trace(DenseHessians.diagonalBlock(h, tensorOf, t)), r.blockTrace(t), 1e-5 * scale);
        }

        // the default 16 Lanczos steps already give the top eigenvalue of this 21-parameter model closely
        BlockHessianReport quick = HessianBlockEstimator.builder().partition(BlockPartition.perTensor())
                .build().estimate(net, data);
        assertEquals(ev[ev.length - 1], quick.topEigenvalue(), 1e-3 * scale, "top eigenvalue after 16 steps");
    }
}
