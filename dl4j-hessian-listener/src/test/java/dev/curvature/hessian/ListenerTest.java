package dev.curvature.hessian;

import ch.qos.logback.classic.Level;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener: probe schedule, probe batch capture, sinks, and failure handling (a failing probe is logged and
 * training goes on; after N consecutive failures the listener disables itself and says so).
 */
class ListenerTest {
    private static final HessianBlockEstimator CHEAP = HessianBlockEstimator.builder().probesPerBlock(2).maxBlocks(4)
            .lanczosSteps(4).traceProbes(4).build();

    private static List<DataSet> batches() {
        return Nets.randomData(5, 48, 4, 3, DataType.FLOAT).batchBy(16);
    }

    private static float[] train(MultiLayerNetwork net, int iterations) {
        List<DataSet> batches = batches();
        for (int i = 0; i < iterations; i++) {
            net.fit(batches.get(i % batches.size()));
        }
        return net.params().toFloatVector();
    }

    @Test
    void probesOnScheduleAndPassesReportsToSinks() {
        List<BlockHessianReport> seen = new ArrayList<>();
        HessianBlockListener listener = HessianBlockListener.builder().frequency(3).estimator(CHEAP).sink(seen::add)
                .build();
        MultiLayerNetwork net = Nets.oneHidden(4, 5, 3, DataType.FLOAT, 1.0, 1);
        net.setListeners(listener);
        train(net, 7);
        assertEquals(List.of(0L, 3L, 6L), listener.history().stream().map(BlockHessianReport::iteration).toList());
        assertEquals(listener.history(), seen, "every report reaches the sink");
        assertFalse(listener.isDisabled());
        assertTrue(listener.history().get(0).elapsed().toNanos() > 0);
    }

    @Test
    void timeBudgetRule() {
        // first probe always; then only while probes so far + one more stay within the budget
        assertTrue(HessianBlockListener.withinBudget(false, 0, 0, 0, 0.05));
        assertFalse(HessianBlockListener.withinBudget(true, 100, 100, 3_999, 0.05));
        assertTrue(HessianBlockListener.withinBudget(true, 100, 100, 4_000, 0.05));
        assertFalse(HessianBlockListener.withinBudget(true, 300, 100, 7_999, 0.05));
        assertTrue(HessianBlockListener.withinBudget(true, 300, 100, 8_000, 0.05));
    }

    @Test
    void defaultScheduleKeepsToTheTimeBudget() {
        // a vanishing budget: only the probe at initialisation
        HessianBlockListener stingy = HessianBlockListener.builder().maxOverhead(1e-9).estimator(CHEAP).build();
        MultiLayerNetwork a = Nets.oneHidden(4, 5, 3, DataType.FLOAT, 1.0, 1);
        a.setListeners(stingy);
        train(a, 40);
        assertEquals(List.of(0L), stingy.history().stream().map(BlockHessianReport::iteration).toList());
        // the whole budget: probes keep coming, and probe time stays within training time plus one probe
        HessianBlockListener generous = HessianBlockListener.builder().maxOverhead(1.0).estimator(CHEAP).build();
        MultiLayerNetwork b = Nets.oneHidden(4, 5, 3, DataType.FLOAT, 1.0, 1);
        b.setListeners(generous);
        train(b, 300);
        List<BlockHessianReport> reports = generous.history();
        assertTrue(reports.size() >= 2, "probes: " + reports.size());
        long longest = reports.stream().mapToLong(r -> r.elapsed().toNanos()).max().orElseThrow();
        assertTrue(generous.probeNanos() <= generous.trainingNanos() + 2 * longest,
                "probe " + generous.probeNanos() + " ns vs training " + generous.trainingNanos() + " ns");
        assertEquals(0.05, HessianBlockListener.builder().build().maxOverhead());
        assertEquals(0, HessianBlockListener.builder().frequency(10).build().maxOverhead());
    }

    @Test
    void capturesACopyOfTheFirstMinibatch() {
        List<DataSet> batches = batches();
        INDArray firstFeatures = batches.get(0).getFeatures().dup();
        for (boolean graph : new boolean[] {false, true}) {
            HessianBlockListener listener = HessianBlockListener.builder().frequency(100).estimator(CHEAP).build();
            if (graph) {
                ComputationGraph g = Nets.oneHiddenGraph(4, 5, 3, DataType.FLOAT, 1.0, 2);
                g.setListeners(listener);
                batches.forEach(g::fit);
            } else {
                MultiLayerNetwork n = Nets.oneHidden(4, 5, 3, DataType.FLOAT, 1.0, 2);
                n.setListeners(listener);
                batches.forEach(n::fit);
            }
            assertEquals(firstFeatures, listener.probeBatch().getFeatures(0), "graph " + graph);
            assertEquals(batches.get(0).getLabels(), listener.probeBatch().getLabels(0), "graph " + graph);
            assertNotSame(batches.get(0).getFeatures(), listener.probeBatch().getFeatures(0), "a copy, graph " + graph);
            assertEquals(1, listener.history().size(), "probed once, at iteration 0, graph " + graph);
        }
    }

    @Test
    void failingProbesAreLoggedTrainingContinuesAndTheListenerDisablesItself() {
        float[] reference = train(Nets.oneHidden(4, 5, 3, DataType.FLOAT, 1.0, 3), 8);
        // a probe batch with 5 features for a network that takes 4: every probe throws inside DL4J
        DataSet wrong = Nets.randomData(6, 8, 5, 3, DataType.FLOAT);
        HessianBlockListener listener = HessianBlockListener.builder().frequency(1).estimator(CHEAP).probeBatch(wrong)
                .build();
        MultiLayerNetwork net = Nets.oneHidden(4, 5, 3, DataType.FLOAT, 1.0, 3);
        net.setListeners(listener);
        float[] params;
        try (LogCapture log = new LogCapture(HessianBlockListener.class)) {
            params = train(net, 8);
            assertEquals(3, log.count(Level.WARN, "Hessian probe at iteration"), "three failures logged: " + log.events());
            assertEquals(1, log.count(Level.ERROR, "disabled itself after 3 consecutive failures"));
            assertTrue(log.events().get(0).getThrowableProxy() != null, "the cause is logged");
        }
        assertTrue(listener.isDisabled());
        assertEquals(3, listener.consecutiveFailures());
        assertTrue(listener.history().isEmpty());
        assertEquals(8, net.getIterationCount(), "training went on");
        assertArrayEquals(reference, params, "and was not changed by the failing probes");
    }

    @Test
    void nonFiniteProbeIsAFailure() {
        DataSet nan = Nets.randomData(7, 8, 4, 3, DataType.FLOAT);
        nan.getFeatures().putScalar(0, 1, Double.NaN);
        HessianBlockListener listener = HessianBlockListener.builder().frequency(1).estimator(CHEAP).probeBatch(nan)
                .maxConsecutiveFailures(1).build();
        MultiLayerNetwork net = Nets.oneHidden(4, 5, 3, DataType.FLOAT, 1.0, 4);
        net.setListeners(listener);
        try (LogCapture log = new LogCapture(HessianBlockListener.class)) {
            train(net, 3);
            assertEquals(1, log.count(Level.WARN, "probe at iteration 0 failed"), "" + log.events());
            assertTrue(log.events().get(0).getThrowableProxy().getMessage().contains("non-finite"));
            assertEquals(1, log.count(Level.ERROR, "disabled itself after 1 consecutive failures"));
        }
        assertTrue(listener.isDisabled());
        assertEquals(3, net.getIterationCount());
    }

    @Test
    void failingSinkIsLoggedAndDoesNotCountAsAFailedProbe() {
        HessianBlockListener listener = HessianBlockListener.builder().frequency(1).estimator(CHEAP)
                .maxConsecutiveFailures(1).sink(r -> {
                    throw new java.io.IOException("disk full");
                }).build();
        MultiLayerNetwork net = Nets.oneHidden(4, 5, 3, DataType.FLOAT, 1.0, 5);
        net.setListeners(listener);
        try (LogCapture log = new LogCapture(HessianBlockListener.class)) {
            train(net, 2);
            assertEquals(2, log.count(Level.WARN, "sink"), "" + log.events());
        }
        assertFalse(listener.isDisabled());
        assertEquals(2, listener.history().size());
    }

    @Test
    void givenProbeBatchIsCopiedAndUsed() {
        DataSet probe = Nets.randomData(8, 10, 4, 3, DataType.FLOAT);
        HessianBlockListener listener = HessianBlockListener.builder().frequency(5).estimator(CHEAP).probeBatch(probe)
                .build();
        probe.getFeatures().assign(Nd4j.zeros(DataType.FLOAT, 10, 4)); // later changes to the caller's batch...
        assertTrue(listener.probeBatch().getFeatures(0).norm2Number().doubleValue() > 0, "...do not reach the listener");
        MultiLayerNetwork net = Nets.oneHidden(4, 5, 3, DataType.FLOAT, 1.0, 6);
        net.setListeners(listener);
        train(net, 1);
        assertEquals(10, listener.probeBatch().getFeatures(0).size(0), "not replaced by a training minibatch");
        assertEquals(1, listener.history().size());
    }

    /**
     * A probe measures the network as it is for its iteration, before that iteration's update: the first report of a
     * run is the initial network, so runs from the same initialisation and batch agree on it whatever the optimizer,
     * and it equals a probe of the untrained network made outside training.
     */
    @Test
    void theFirstProbeMeasuresTheInitialNetworkWhateverTheOptimizer() {
        HessianBlockEstimator estimator = HessianBlockEstimator.builder().probesPerBlock(2).lanczosSteps(6)
                .traceProbes(4).build();
        List<org.nd4j.linalg.learning.config.IUpdater> updaters = List.of(new org.nd4j.linalg.learning.config.Adam(0.1),
                dev.curvature.optimizers.AdamMini.builder().learningRate(0.1).build(),
                new dev.curvature.optimizers.Muon(0.5), new org.nd4j.linalg.learning.config.Sgd(1.0));
        DataSet first = batches().get(0);
        MultiLayerNetwork untrained = reluNet(new org.nd4j.linalg.learning.config.Sgd(1.0));
        BlockHessianReport reference = estimator.estimate(untrained, first);
        double[] secondRatios = new double[updaters.size()];
        for (int u = 0; u < updaters.size(); u++) {
            MultiLayerNetwork net = reluNet(updaters.get(u));
            HessianBlockListener listener = HessianBlockListener.builder().frequency(1).estimator(estimator).build();
            net.setListeners(listener);
            train(net, 2);
            BlockHessianReport r = listener.history().get(0);
            assertEquals(0L, r.iteration());
            for (double[] pair : new double[][] {{reference.pairwiseRatio(), r.pairwiseRatio()},
                    {reference.offDiagonalMassRatio(), r.offDiagonalMassRatio()}, {reference.trace(), r.trace()},
                    {reference.topEigenvalue(), r.topEigenvalue()}}) {
                assertEquals(pair[0], pair[1], 1e-9 * Math.abs(pair[0]), updaters.get(u) + ": first probe");
            }
            secondRatios[u] = listener.history().get(1).pairwiseRatio();
        }
        // the second probe follows one update, which differs between optimizers
        assertTrue(java.util.Arrays.stream(secondRatios).distinct().count() > 1, java.util.Arrays.toString(secondRatios));
    }

    /** ReLU MLP at DL4J's default zero biases, the case central differences got wrong (negative traces). */
    private static MultiLayerNetwork reluNet(org.nd4j.linalg.learning.config.IUpdater updater) {
        MultiLayerNetwork net = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.FLOAT).updater(updater).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(4).nOut(6)
                        .activation(org.nd4j.linalg.activations.Activation.RELU).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build());
        net.init();
        dev.curvature.optimizers.Layouts.attach(net);
        return net;
    }
}
