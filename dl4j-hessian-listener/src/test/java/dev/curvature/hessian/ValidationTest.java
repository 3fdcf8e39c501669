package dev.curvature.hessian;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input fails at construction (or at the first probe for model-dependent checks), naming value and range. */
class ValidationTest {

    private record Case(String name, Class<? extends Exception> type, Executable action, String... fragments) {
    }

    private static HessianBlockEstimator.Builder estimator() {
        return HessianBlockEstimator.builder();
    }

    private static HessianBlockListener.Builder listener() {
        return HessianBlockListener.builder();
    }

    @TestFactory
    Stream<DynamicTest> rejectsBadInput() {
        MultiLayerNetwork net = Nets.oneHidden(3, 70, 3, DataType.DOUBLE, 1.0, 1);
        List<Case> cases = List.of(
                new Case("probesPerBlock 0", IllegalArgumentException.class, () -> estimator().probesPerBlock(0),
                        "probesPerBlock must be >= 1", "got 0"),
                new Case("maxBlocks -3", IllegalArgumentException.class, () -> estimator().maxBlocks(-3),
                        "maxBlocks must be >= 1", "got -3"),
                new Case("lanczosSteps -1", IllegalArgumentException.class, () -> estimator().lanczosSteps(-1),
                        "lanczosSteps must be >= 0", "got -1"),
                new Case("traceProbes -2", IllegalArgumentException.class, () -> estimator().traceProbes(-2),
                        "traceProbes must be >= 0", "got -2"),
                new Case("relativeStep 0", IllegalArgumentException.class, () -> estimator().relativeStep(0),
                        "relativeStep must be in (0, 0.1]", "got 0.0"),
                new Case("relativeStep 0.5", IllegalArgumentException.class, () -> estimator().relativeStep(0.5),
                        "(0, 0.1]", "got 0.5"),
                new Case("relativeStep NaN", IllegalArgumentException.class, () -> estimator().relativeStep(Double.NaN),
                        "(0, 0.1]", "got NaN"),
                new Case("maxExactParameters 0", IllegalArgumentException.class,
                        () -> estimator().maxExactParameters(0), "maxExactParameters must be >= 1", "got 0"),
                new Case("partition null", IllegalArgumentException.class, () -> estimator().partition(null),
                        "partition must not be null"),
                new Case("method null", IllegalArgumentException.class, () -> estimator().method(null),
                        "method must not be null", "EXACT or STOCHASTIC"),
                new Case("frequency 0", IllegalArgumentException.class, () -> listener().frequency(0),
                        "frequency must be >= 1", "got 0"),
                new Case("maxOverhead 0", IllegalArgumentException.class, () -> listener().maxOverhead(0),
                        "maxOverhead must be in (0, 1]", "got 0.0"),
                new Case("maxOverhead > 1", IllegalArgumentException.class, () -> listener().maxOverhead(1.5),
                        "maxOverhead must be in (0, 1]", "got 1.5"),
                new Case("frequency and maxOverhead", IllegalArgumentException.class,
                        () -> listener().frequency(5).maxOverhead(0.1).build(), "set either frequency", "not both"),
                new Case("maxConsecutiveFailures 0", IllegalArgumentException.class,
                        () -> listener().maxConsecutiveFailures(0), "maxConsecutiveFailures must be >= 1", "got 0"),
                new Case("estimator null", IllegalArgumentException.class, () -> listener().estimator(null),
                        "estimator must not be null"),
                new Case("sink null", IllegalArgumentException.class, () -> listener().sink(null),
                        "sink must not be null"),
                new Case("probe batch null", IllegalArgumentException.class,
                        () -> listener().probeBatch((org.nd4j.linalg.dataset.DataSet) null), "needs features and labels"),
                new Case("onlyLayers()", IllegalArgumentException.class,
                        () -> BlockPartition.perOutputNeuron().onlyLayers(), "at least one layer name"),
                new Case("onlyLayers blank", IllegalArgumentException.class,
                        () -> BlockPartition.perTensor().onlyLayers("a", " "), "must not be null or blank"),
                new Case("unsupported model", IllegalArgumentException.class,
                        () -> estimator().build().estimate(null, Nets.randomData(1, 2, 3, 3, DataType.DOUBLE)),
                        "MultiLayerNetwork and ComputationGraph", "got null"),
                new Case("EXACT beyond maxExactParameters", IllegalStateException.class,
                        () -> estimator().method(HessianBlockEstimator.Method.EXACT).maxExactParameters(100).build()
                                .estimate(net, Nets.randomData(1, 4, 3, 3, DataType.DOUBLE)),
                        "> maxExactParameters 100", "Method.STOCHASTIC"));
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Exception e = assertThrows(c.type(), c.action());
            for (String f : c.fragments()) {
                assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should contain '" + f + "'");
            }
        }));
    }
}
