package dev.curvature.optimizers;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every invalid Muon hyperparameter fails at construction with its name, the value and the allowed range. */
class MuonValidationTest {

    static Stream<Arguments> invalid() {
        return Stream.of(
                arguments("lr < 0", (Supplier<?>) () -> new Muon(-0.02), "learningRate must be finite and >= 0, got -0.02"),
                arguments("lr NaN", (Supplier<?>) () -> new Muon(Double.NaN), "learningRate must be finite and >= 0, got NaN"),
                arguments("momentum = 1", (Supplier<?>) () -> Muon.builder().momentum(1.0).build(), "momentum must be in [0, 1), got 1.0"),
                arguments("momentum < 0", (Supplier<?>) () -> Muon.builder().momentum(-0.5).build(), "momentum must be in [0, 1), got -0.5"),
                arguments("momentum NaN", (Supplier<?>) () -> Muon.builder().momentum(Double.NaN).build(), "momentum must be in [0, 1), got NaN"),
                arguments("nsSteps = 0", (Supplier<?>) () -> Muon.builder().nsSteps(0).build(), "nsSteps must be >= 1, got 0"),
                arguments("nsSteps < 0", (Supplier<?>) () -> Muon.builder().nsSteps(-3).build(), "nsSteps must be >= 1, got -3"),
                arguments("wd < 0", (Supplier<?>) () -> Muon.builder().weightDecay(-1).build(), "weightDecay must be finite and >= 0, got -1.0"),
                arguments("wd NaN", (Supplier<?>) () -> Muon.builder().weightDecay(Double.NaN).build(), "weightDecay must be finite and >= 0, got NaN"),
                arguments("aux wd < 0", (Supplier<?>) () -> Muon.builder().auxiliaryWeightDecay(-0.1).build(), "auxiliaryWeightDecay must be finite and >= 0, got -0.1"),
                arguments("scaling null", (Supplier<?>) () -> Muon.builder().scaling(null).build(), "scaling must not be null"),
                arguments("aux null", (Supplier<?>) () -> Muon.builder().auxiliary(null).build(), "auxiliary must not be null"),
                arguments("aux Muon", (Supplier<?>) () -> Muon.builder().auxiliary(new Muon()).build(), "auxiliary must not be Muon"),
                arguments("aux wd without lr", (Supplier<?>) () -> Muon.builder().auxiliary(new NoOp()).auxiliaryWeightDecay(0.1).build(),
                        "auxiliaryWeightDecay needs an auxiliary updater with a learning rate"),
                arguments("lr and schedule", (Supplier<?>) () -> Muon.builder().learningRate(0.1)
                        .learningRateSchedule(new ExponentialSchedule(ScheduleType.ITERATION, 0.1, 0.9)).build(),
                        "set either learningRate or learningRateSchedule, not both"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejected(String name, Supplier<?> construct, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct::get);
        assertTrue(e.getMessage().contains(message), "message was: " + e.getMessage());
    }
}
