package dev.curvature.hessian;

import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import dev.curvature.testing.ReferencePartition;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exact mode against closed forms and independent dense Hessians (docs/ALGORITHMS.md, section 3 "Hessian block structure"): softmax regression at
 * W = 0 gives pairwiseRatio = 1/(C-1) and offDiagonalMassRatio = 1/sqrt(C-1); at random W its blocks are the
 * analytic {@code mean (p_k delta_kl - p_k p_l) x x^T}; a one-hidden-layer net matches second differences of the
 * score.
 */
class ClosedFormTest {

    private static HessianBlockEstimator exact(BlockPartition partition) {
        return HessianBlockEstimator.builder().method(HessianBlockEstimator.Method.EXACT).partition(partition)
                .lanczosSteps(0).build();
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 10, 100})
    void softmaxRegressionAtZeroHasTheClosedFormRatios(int classes) {
        int nIn = 4;
        MultiLayerNetwork net = Nets.softmaxRegression(nIn, classes, DataType.DOUBLE);
        assertEquals(0.0, net.params().norm2Number().doubleValue(), "weights must start at zero");
        DataSet data = Nets.randomData(classes, 32, nIn, classes, DataType.DOUBLE);

        BlockHessianReport r = exact(BlockPartition.perOutputNeuron()).estimate(net, data);

        assertEquals(classes, r.blockCount(), "one block per output neuron (column of W)");
        assertEquals((long) nIn * classes, r.hessianVectorProducts(), "one product per parameter");
        double pairwise = 1.0 / (classes - 1);
        double mass = 1.0 / Math.sqrt(classes - 1);
        assertEquals(pairwise, r.pairwiseRatio(), 1e-6 * pairwise, "pairwiseRatio = 1/(C-1)");
        assertEquals(mass, r.offDiagonalMassRatio(), 1e-6 * mass, "offDiagonalMassRatio = 1/sqrt(C-1)");
        assertEquals(0.0, r.pairwiseRatioStandardError(), "exact mode over all blocks has no sampling error");
    }

    @Test
    void subsampledBlocksKeepTheClosedFormAtZero() {
        // at W = 0 every diagonal block has the same norm and so has every off-diagonal pair, so a uniform sample of
        // blocks extrapolated to all C blocks keeps both identities
        int classes = 100;
        MultiLayerNetwork net = Nets.softmaxRegression(4, classes, DataType.DOUBLE);
        DataSet data = Nets.randomData(7, 32, 4, classes, DataType.DOUBLE);
        BlockHessianReport r = HessianBlockEstimator.builder().method(HessianBlockEstimator.Method.EXACT)
                .maxBlocks(10).lanczosSteps(0).traceProbes(0).build().estimate(net, data);
        assertEquals(10, r.probedBlocks().length);
        assertEquals(40, r.hessianVectorProducts(), "products only for the probed blocks");
        assertEquals(1.0 / 99, r.pairwiseRatio(), 1e-6 / 99);
        assertEquals(1.0 / Math.sqrt(99), r.offDiagonalMassRatio(), 1e-6 / Math.sqrt(99));
    }

    @Test
    void softmaxRegressionAtRandomWeightsMatchesTheAnalyticHessian() {
        int nIn = 3;
        int classes = 5;
        MultiLayerNetwork net = Nets.softmaxRegressionAt(nIn, classes, 0.8, 11);
        DataSet data = Nets.randomData(12, 40, nIn, classes, DataType.DOUBLE);
        double[][] w = net.getParam("0_W").toDoubleMatrix();
        double[][] h = DenseHessians.softmaxRegression(w, data.getFeatures().toDoubleMatrix());

        // every entry: columns H e_k from the probe copy's gradient by central differences
        HessianOperator hvp = HessianOperator.of(net, data);
        INDArray theta = hvp.parameters();
        double maxEntry = 0;
        double maxError = 0;
        for (int k = 0; k < theta.length(); k++) {
            INDArray e = Nd4j.zeros(DataType.DOUBLE, theta.length());
            e.putScalar(k, 1.0);
            double[] column = hvp.apply(e).toDoubleVector();
            for (int i = 0; i < column.length; i++) {
                maxEntry = Math.max(maxEntry, Math.abs(h[i][k]));
                maxError = Math.max(maxError, Math.abs(column[i] - h[i][k]));
            }
        }
        assertTrue(maxError <= 1e-8 * maxEntry, "max |Hv - analytic| = " + maxError + " for entries up to " + maxEntry);

        // the report's block norms and block traces
        BlockHessianReport r = exact(BlockPartition.perOutputNeuron()).estimate(net, data);
        int[] blockOf = DenseHessians.perOutputNeuronDenseStack(new int[][] {{nIn, classes}}, false);
        double[][] expected = DenseHessians.blockSquaredNorms(h, blockOf, classes);
        for (int i = 0; i < classes; i++) {
            for (int j = 0; j < classes; j++) {
                assertEquals(expected[i][j], r.squaredNorm(i, j), 1e-7 * expected[i][i], "||H_" + i + j + "||^2");
            }
            double trace = DenseHessians.trace(DenseHessians.diagonalBlock(h, blockOf, i));
            assertEquals(trace, r.blockTrace(i), 1e-8 * Math.abs(trace), "tr(H_" + i + i + ")");
        }
        double offSum = 0;
        double diagSum = 0;
        for (int i = 0; i < classes; i++) {
            for (int j = 0; j < classes; j++) {
                if (i == j) {
                    diagSum += expected[i][j];
                } else {
                    offSum += expected[i][j];
                }
            }
        }
        assertEquals(Math.sqrt(offSum / diagSum), r.offDiagonalMassRatio(), 1e-7, "||H_off|| / ||H_diag||");
        assertEquals(Math.sqrt(offSum / (classes * (classes - 1.0)) / (diagSum / classes)), r.pairwiseRatio(), 1e-7,
                "RMS off-diagonal / RMS diagonal");
    }

    @Test
    void hiddenLayerNetMatchesSecondDifferencesOfTheScore() {
        int nIn = 2;
        int hidden = 3;
        int classes = 3;
        MultiLayerNetwork net = Nets.oneHidden(nIn, hidden, classes, DataType.DOUBLE, 1.0, 5);
        DataSet data = Nets.randomData(6, 16, nIn, classes, DataType.DOUBLE);
        double[][] h = DenseHessians.secondDifferences(net, data, 1e-4);

        int[] perNeuron = DenseHessians.perOutputNeuronDenseStack(new int[][] {{nIn, hidden}, {hidden, classes}}, true);
        assertBlocksMatch(h, perNeuron, exact(BlockPartition.perOutputNeuron()).estimate(net, data), "perOutputNeuron");

        int[] perTensor = new int[h.length];
        int[] tensorLengths = {nIn * hidden, hidden, hidden * classes, classes};
        for (int t = 0, at = 0; t < tensorLengths.length; t++) {
            for (int i = 0; i < tensorLengths[t]; i++) {
                perTensor[at++] = t;
            }
        }
        assertBlocksMatch(h, perTensor, exact(BlockPartition.perTensor()).estimate(net, data), "perTensor");

        // Adam-mini: block ids from the optimizers' plain-Java reference partition
        int[] adamMini = new int[h.length];
        long[][] shapes = {{nIn, hidden}, {1, hidden}, {hidden, classes}, {1, classes}};
        ParamRole[] roles = {ParamRole.DENSE_WEIGHT, ParamRole.BIAS, ParamRole.DENSE_WEIGHT, ParamRole.BIAS};
        char[] orders = {'f', 'c', 'f', 'c'};
        for (int t = 0, at = 0, offset = 0; t < shapes.length; t++) {
            int[] ids = ReferencePartition.blockIds(new ParamSpec("l", "p", roles[t], shapes[t], orders[t], false));
            for (int id : ids) {
                adamMini[at++] = offset + id;
            }
            offset += ReferencePartition.numBlocks(ids);
        }
        assertBlocksMatch(h, adamMini, exact(BlockPartition.adamMini()).estimate(net, data), "adamMini");
    }

    private static void assertBlocksMatch(double[][] h, int[] blockOf, BlockHessianReport r, String what) {
        int b = ReferencePartition.numBlocks(blockOf);
        assertEquals(b, r.blockCount(), what + " block count");
        double[][] expected = DenseHessians.blockSquaredNorms(h, blockOf, b);
        double scale = 0;
        for (double[] row : expected) {
            for (double v : row) {
                scale = Math.max(scale, Math.sqrt(v));
            }
        }
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                assertEquals(Math.sqrt(expected[i][j]), r.blockNorm(i, j), 1e-5 * scale,
                        what + " ||H_" + i + "," + j + "||_F (" + r.labels().get(i) + ", " + r.labels().get(j) + ")");
            }
        }
    }
}
