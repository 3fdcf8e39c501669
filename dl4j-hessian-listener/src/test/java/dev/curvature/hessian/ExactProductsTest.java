package dev.curvature.hessian;

import dev.curvature.hessian.internal.ProbeCopy;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exact Hessian-vector products against PyTorch's autograd Hessians in float64 ({@link TorchFixture}): a ReLU MLP, a
 * CNN with max pooling and a 1e-7 near-tie inside a pooling window, a CNN at DL4J's default initialisation with zero
 * biases on black image regions (units exactly at the kink), a leaky-ReLU MLP with MSE and zero-input examples, and a
 * CNN with overlapping max pooling, hard tanh and ELU(2); each as a MultiLayerNetwork and as a ComputationGraph.
 */
class ExactProductsTest {

    static Stream<Arguments> fixtures() {
        return TorchFixture.NAMES.stream().flatMap(n -> Stream.of(Arguments.of(n, "MultiLayerNetwork"),
                Arguments.of(n, "ComputationGraph")));
    }

    private static Model build(TorchFixture f, String kind) {
        return kind.equals("MultiLayerNetwork") ? f.multiLayerNetwork() : f.graph();
    }

    private static double[][] assemble(HessianOperator h) {
        int p = (int) h.dimension();
        double[][] out = new double[p][];
        for (int k = 0; k < p; k++) {
            INDArray e = Nd4j.zeros(DataType.DOUBLE, p);
            e.putScalar(k, 1.0);
            out[k] = h.apply(e).toDoubleVector(); // column k; the matrix is symmetric
        }
        return out;
    }

    private static double frobenius(double[][] a) {
        double s = 0;
        for (double[] row : a) {
            for (double v : row) {
                s += v * v;
            }
        }
        return Math.sqrt(s);
    }

    /**
     * The layouts agree: DL4J's mean loss is torch's, and the gradient the probe copy records at the fixture's
     * parameters is torch's (1e-7: DL4J's leaky-ReLU backpropagation uses the slope 0.01 rounded to float). This is
     * the gradient the probed Hessian differentiates. For ELU with alpha != 1 it is not DL4J's training gradient:
     * DL4J 1.0.0-M2.1 backpropagates ELU as if alpha were 1 (its EluBp takes no alpha), so the probe differentiates the
     * forward function instead.
     */
    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("fixtures")
    void theDl4jNetworkIsTheFixturesNetwork(String name, String kind) {
        TorchFixture f = TorchFixture.load(name);
        Model model = build(f, kind);
        double score = model instanceof MultiLayerNetwork n ? n.score(f.data(), true)
                : ((ComputationGraph) model).score(f.data(), true);
        assertEquals(f.loss(), score, 1e-9 * f.loss(), "mean loss");
        try (ProbeCopy copy = ProbeCopy.of(model, f.data())) {
            double[] g = copy.record(copy.parameters().dup()).toDoubleVector();
            double err = 0;
            double norm = 0;
            for (int i = 0; i < g.length; i++) {
                err = Math.max(err, Math.abs(g[i] - f.gradient()[i]));
                norm = Math.max(norm, Math.abs(f.gradient()[i]));
            }
            assertTrue(err <= 1e-7 * norm, "gradient differs from torch's by " + err + " (max |g| " + norm + ")");
        }
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("fixtures")
    void theHessianAssembledFromProductsIsAutogradsToOneInTenMillion(String name, String kind) {
        TorchFixture f = TorchFixture.load(name);
        try (HessianOperator h = HessianOperator.of(build(f, kind), f.data())) {
            assertEquals(List.of(), h.notExact(), "every kink of these networks is frozen");
            double[][] actual = assemble(h);
            double[][] expected = f.hessian();
            int p = expected.length;
            double[][] diff = new double[p][p];
            double[][] asym = new double[p][p];
            double minDiagonal = Double.POSITIVE_INFINITY;
            for (int a = 0; a < p; a++) {
                minDiagonal = Math.min(minDiagonal, actual[a][a]);
                for (int b = 0; b < p; b++) {
                    diff[a][b] = actual[a][b] - expected[a][b];
                    asym[a][b] = actual[a][b] - actual[b][a];
                }
            }
            double scale = frobenius(expected);
            System.out.printf(java.util.Locale.ROOT, "%s as %s: relative Frobenius error %.2e, asymmetry %.2e, "
                    + "min diagonal %.3g%n", name, kind, frobenius(diff) / scale, frobenius(asym) / scale, minDiagonal);
            assertTrue(frobenius(diff) <= 1e-7 * scale, name + ": relative Frobenius error "
                    + frobenius(diff) / scale);
            assertTrue(frobenius(asym) <= 1e-8 * scale, name + ": relative asymmetry " + frobenius(asym) / scale);
            if (f.piecewiseLinear()) {
                // a piecewise-linear network with a convex loss: the Hessian's diagonal is the Gauss-Newton one
                assertTrue(minDiagonal >= -1e-9 * scale, name + ": diagonal entry " + minDiagonal);
            }
        }
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("fixtures")
    void theExactEstimatorReportsAutogradsBlockStructure(String name, String kind) {
        TorchFixture f = TorchFixture.load(name);
        int p = f.params().length;
        BlockHessianReport r = HessianBlockEstimator.builder().method(HessianBlockEstimator.Method.EXACT)
                .partition(BlockPartition.perOutputNeuron()).lanczosSteps(p).build().estimate(build(f, kind), f.data());
        assertTrue(r.kinksFrozen());
        assertEquals(List.of(), r.notExact());

        // reference block norms from the torch Hessian with blocks written from the layer specs
        String[] keyOf = f.perOutputNeuronKeys();
        Map<String, Integer> index = new LinkedHashMap<>();
        int[] blockOf = new int[p];
        for (int a = 0; a < p; a++) {
            blockOf[a] = index.computeIfAbsent(keyOf[a], k -> index.size());
        }
        double[][] ref = DenseHessians.blockSquaredNorms(f.hessian(), blockOf, index.size());
        assertEquals(index.size(), r.blockCount(), "blocks");

        // the report's blocks, matched by label (layer ordinal, parameter, neuron)
        Map<String, Integer> ordinal = new HashMap<>();
        int[] refBlock = new int[r.blockCount()];
        for (int i = 0; i < r.blockCount(); i++) {
            BlockLabel l = r.labels().get(i);
            int layer = ordinal.computeIfAbsent(l.layer(), k -> ordinal.size());
            String key = layer + "/" + l.param() + "/" + (l.count() == 1 && l.param().equals("b") ? -1 : l.index());
            Integer b = index.get(key);
            assertTrue(b != null, "no reference block for " + l + " (key " + key + ", have " + index.keySet() + ")");
            refBlock[i] = b;
        }
        double maxNorm = 0;
        for (double[] row : ref) {
            for (double v : row) {
                maxNorm = Math.max(maxNorm, Math.sqrt(v));
            }
        }
        double diagSq = 0;
        double offSq = 0;
        int b = r.blockCount();
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                double expected = Math.sqrt(ref[refBlock[i]][refBlock[j]]);
                assertEquals(expected, r.blockNorm(i, j), 1e-7 * maxNorm, name + " block norm " + i + "," + j);
                if (i == j) {
                    diagSq += expected * expected;
                } else {
                    offSq += expected * expected;
                }
            }
        }
        double pairwise = Math.sqrt(offSq / (b * (b - 1.0))) / Math.sqrt(diagSq / b);
        assertEquals(pairwise, r.pairwiseRatio(), 1e-7 * pairwise, "pairwiseRatio");
        double mass = Math.sqrt(offSq / diagSq);
        assertEquals(mass, r.offDiagonalMassRatio(), 1e-7 * mass, "offDiagonalMassRatio");
        assertEquals(f.trace(), r.trace(), 1e-7 * Math.abs(f.trace()), "trace");
        double top = f.eigenvalues()[p - 1];
        double bottom = f.eigenvalues()[0];
        assertEquals(top, r.topEigenvalue(), 1e-7 * Math.max(top, -bottom), "top eigenvalue");
        assertEquals(bottom, r.bottomEigenvalue(), 1e-7 * Math.max(top, -bottom), "bottom eigenvalue");
    }

    /**
     * Products do not depend on the difference step once the kinks are frozen; plain central differences do, on the
     * units that DL4J's zero biases put exactly on the kink.
     */
    @Test
    void productsOnTheZeroBiasCnnDoNotDependOnTheStepOnlyWhenFrozen() {
        TorchFixture f = TorchFixture.load("cnn-zero-bias");
        MultiLayerNetwork net = f.multiLayerNetwork();
        org.nd4j.linalg.dataset.api.MultiDataSet batch = new org.nd4j.linalg.dataset.MultiDataSet(
                f.data().getFeatures(), f.data().getLabels());
        Random rng = new Random(31);
        double[] v = new double[f.params().length];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextBoolean() ? 1 : -1;
        }
        INDArray direction = Nd4j.createFromArray(v);
        double frozen = maxRelativeSpread(net, batch, direction, true);
        double plain = maxRelativeSpread(net, batch, direction, false);
        System.out.printf(java.util.Locale.ROOT, "steps 1e-4..1e-6: frozen spread %.2e, plain spread %.2e%n", frozen,
                plain);
        assertTrue(frozen <= 1e-6, "frozen products agree across steps: " + frozen);
        assertTrue(plain > 1e-3, "plain central differences do not: " + plain);
    }

    private static double maxRelativeSpread(MultiLayerNetwork net, org.nd4j.linalg.dataset.api.MultiDataSet batch,
                                            INDArray v, boolean freeze) {
        INDArray[] hv = new INDArray[3];
        double[] steps = {1e-4, 1e-5, 1e-6};
        for (int s = 0; s < 3; s++) {
            try (HessianOperator h = HessianOperator.of(net, batch, freeze, steps[s])) {
                hv[s] = h.apply(v);
            }
        }
        double norm = hv[1].norm2Number().doubleValue();
        double spread = 0;
        for (int s = 0; s < 3; s++) {
            for (int t = s + 1; t < 3; t++) {
                spread = Math.max(spread, hv[s].sub(hv[t]).norm2Number().doubleValue() / norm);
            }
        }
        return spread;
    }
}
