package dev.curvature.optimizers.arbiter;

import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.Muon;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.math.MathOp;
import org.deeplearning4j.arbiter.optimize.parameter.math.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invalid spaces fail when they are built, naming the space, the hyperparameter, the offending value and the allowed
 * range; valid boundary cases build.
 */
class SpaceValidationTest {

    /** {@code build}, then the texts the message must contain: space, hyperparameter, offending value, allowed range. */
    static Stream<Arguments> invalidSpaces() {
        return Stream.of(
                invalid("Adam-mini lr range below 0",
                        () -> AdamMiniSpace.withLR(new ContinuousParameterSpace(-0.1, 0.1)),
                        "AdamMiniSpace", "learningRate", "-0.1", ">= 0"),
                invalid("Adam-mini lr from a normal distribution (unbounded below)",
                        () -> AdamMiniSpace.withLR(new ContinuousParameterSpace(new NormalDistribution(1e-3, 1e-4))),
                        "AdamMiniSpace", "learningRate", "-Infinity", ">= 0"),
                invalid("Adam-mini beta1 range reaching 1",
                        () -> AdamMiniSpace.builder().beta1(new ContinuousParameterSpace(0.5, 1.0)).build(),
                        "AdamMiniSpace", "beta1", "1.0", "[0, 1)"),
                invalid("Adam-mini beta2 fixed at 1",
                        () -> AdamMiniSpace.builder().beta2(1.0).build(),
                        "AdamMiniSpace", "beta2", "1.0", "[0, 1)"),
                invalid("Adam-mini beta2 discrete values including 1",
                        () -> AdamMiniSpace.builder().beta2(new DiscreteParameterSpace<>(0.99, 0.999, 1.0)).build(),
                        "AdamMiniSpace", "beta2", "1.0", "[0, 1)"),
                invalid("Adam-mini beta1 range below 0",
                        () -> AdamMiniSpace.builder().beta1(new ContinuousParameterSpace(-0.5, 0.9)).build(),
                        "AdamMiniSpace", "beta1", "-0.5", "[0, 1)"),
                invalid("Adam-mini epsilon 0",
                        () -> AdamMiniSpace.builder().epsilon(0.0).build(),
                        "AdamMiniSpace", "epsilon", "0.0", "> 0"),
                invalid("Adam-mini weight decay range below 0",
                        () -> AdamMiniSpace.builder().weightDecay(new ContinuousParameterSpace(-1e-3, 1e-3)).build(),
                        "AdamMiniSpace", "weightDecay", "-0.001", ">= 0"),
                invalid("Muon lr range below 0",
                        () -> MuonSpace.withLR(new ContinuousParameterSpace(-0.01, 0.02)),
                        "MuonSpace", "learningRate", "-0.01", ">= 0"),
                invalid("Muon momentum range reaching 1",
                        () -> MuonSpace.builder().momentum(new ContinuousParameterSpace(0.9, 1.0)).build(),
                        "MuonSpace", "momentum", "1.0", "[0, 1)"),
                invalid("Muon momentum fixed above 1",
                        () -> MuonSpace.builder().momentum(1.5).build(),
                        "MuonSpace", "momentum", "1.5", "[0, 1)"),
                invalid("Muon nsSteps range from 0",
                        () -> MuonSpace.builder().nsSteps(new IntegerParameterSpace(0, 5)).build(),
                        "MuonSpace", "nsSteps", "0", ">= 1"),
                invalid("Muon nsSteps fixed negative",
                        () -> MuonSpace.builder().nsSteps(-2).build(),
                        "MuonSpace", "nsSteps", "-2", ">= 1"),
                invalid("Muon weight decay below 0",
                        () -> MuonSpace.builder().weightDecay(-0.1).build(),
                        "MuonSpace", "weightDecay", "-0.1", ">= 0"),
                invalid("Muon auxiliary weight decay range below 0",
                        () -> MuonSpace.builder().auxiliaryWeightDecay(new ContinuousParameterSpace(-1.0, 0.0)).build(),
                        "MuonSpace", "auxiliaryWeightDecay", "-1.0", ">= 0"),
                invalid("Muon auxiliary that is a Muon space",
                        () -> MuonSpace.builder().auxiliary(MuonSpace.withLR(new ContinuousParameterSpace(0.01, 0.02))).build(),
                        "MuonSpace", "auxiliary", "MuonSpace", "must not be Muon"),
                invalid("Muon auxiliary that is a fixed Muon",
                        () -> MuonSpace.builder().auxiliary(new Muon()).build(),
                        "MuonSpace", "auxiliary", "Muon(lr=0.02", "non-Muon"),
                invalid("choice without options",
                        () -> UpdaterChoiceSpace.of(List.of()),
                        "UpdaterChoiceSpace", "options", "[]", "at least one"));
    }

    private static Arguments invalid(String what, Supplier<Object> build, String... expectedInMessage) {
        return Arguments.of(what, build, List.of(expectedInMessage));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSpaces")
    void invalidSpacesFailWhenBuiltNamingHyperparameterValueAndRange(String what, Supplier<Object> build,
                                                                    List<String> expectedInMessage) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get, what);
        for (String part : expectedInMessage) {
            assertTrue(e.getMessage().contains(part), what + ": message should contain '" + part + "': " + e.getMessage());
        }
    }

    @Test
    void messageReadsAsOneSentence() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdamMiniSpace.builder().beta2(new ContinuousParameterSpace(0.9, 1.0)).build());
        assertEquals("AdamMiniSpace: beta2 = ContinuousParameterSpace(min=0.9,max=1.0) can produce 1.0, outside the "
                + "allowed range (beta2 must be in [0, 1), got 1.0)", e.getMessage());
    }

    @Test
    void boundaryValuesInsideTheAllowedRangesBuild() {
        assertDoesNotThrow(() -> AdamMiniSpace.builder()
                .learningRate(new ContinuousParameterSpace(0.0, 1.0))
                .beta1(new ContinuousParameterSpace(0.0, 0.999))
                .beta2(new DiscreteParameterSpace<>(0.0, 0.95, 0.9999))
                .epsilon(new ContinuousParameterSpace(1e-12, 1e-6))
                .weightDecay(0.0)
                .build());
        assertDoesNotThrow(() -> MuonSpace.builder()
                .learningRate(0.0)
                .momentum(new ContinuousParameterSpace(0.0, 0.99))
                .nsSteps(new IntegerParameterSpace(1, 8))
                .scaling(new DiscreteParameterSpace<>(Muon.Scaling.values()))
                .auxiliary(new Sgd(0.1))
                .build());
    }

    /**
     * A space whose range Arbiter does not expose (here {@code MathOp}) cannot be checked when built; the bad value is
     * then rejected when a candidate is sampled, by the optimizer's own validation, with the same wording.
     */
    @Test
    void spacesWithUnknownRangeAreCheckedWhenSampled() {
        ContinuousParameterSpace base = new ContinuousParameterSpace(0.5, 1.0);
        ParameterSpace<Double> shifted = new MathOp<>(base, Op.ADD, 0.2);
        AdamMiniSpace space = assertDoesNotThrow(() -> AdamMiniSpace.builder().beta1(shifted).build());
        base.setIndices(0);
        IUpdater fine = space.getValue(new double[] {0.1});
        assertEquals(0.75, ((AdamMini) fine).getBeta1(), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> space.getValue(new double[] {0.9}));
        assertEquals("beta1 must be in [0, 1), got 1.15", e.getMessage());
    }

    @Test
    void validationLeavesTheUsersSpaceUntouched() {
        ContinuousParameterSpace lr = new ContinuousParameterSpace(1e-3, 1e-2);
        AdamMiniSpace.withLR(lr);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> lr.getValue(new double[] {0.5}));
        assertTrue(e.getMessage().contains("index has not been set"), e.getMessage());
        assertEquals(new FixedValue<>(0.5), new FixedValue<>(0.5));
    }
}
