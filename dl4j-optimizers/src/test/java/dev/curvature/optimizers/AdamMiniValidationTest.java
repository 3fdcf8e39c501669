package dev.curvature.optimizers;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every invalid hyperparameter fails at construction with its name, the value and the allowed range. */
class AdamMiniValidationTest {

    static Stream<Arguments> invalid() {
        return Stream.of(
                arguments("lr < 0", (Supplier<?>) () -> new AdamMini(-1e-3), "learningRate must be finite and >= 0, got -0.001"),
                arguments("lr NaN", (Supplier<?>) () -> new AdamMini(Double.NaN), "learningRate must be finite and >= 0, got NaN"),
                arguments("lr inf", (Supplier<?>) () -> AdamMini.builder().learningRate(Double.POSITIVE_INFINITY).build(), "learningRate must be finite and >= 0, got Infinity"),
                arguments("beta1 = 1", (Supplier<?>) () -> AdamMini.builder().beta1(1.0).build(), "beta1 must be in [0, 1), got 1.0"),
                arguments("beta1 < 0", (Supplier<?>) () -> AdamMini.builder().beta1(-0.1).build(), "beta1 must be in [0, 1), got -0.1"),
                arguments("beta1 NaN", (Supplier<?>) () -> AdamMini.builder().beta1(Double.NaN).build(), "beta1 must be in [0, 1), got NaN"),
                arguments("beta2 = 1", (Supplier<?>) () -> AdamMini.builder().beta2(1.0).build(), "beta2 must be in [0, 1), got 1.0"),
                arguments("beta2 > 1", (Supplier<?>) () -> AdamMini.builder().beta2(1.5).build(), "beta2 must be in [0, 1), got 1.5"),
                arguments("eps = 0", (Supplier<?>) () -> AdamMini.builder().epsilon(0).build(), "epsilon must be finite and > 0, got 0.0"),
                arguments("eps < 0", (Supplier<?>) () -> AdamMini.builder().epsilon(-1e-8).build(), "epsilon must be finite and > 0, got -1.0E-8"),
                arguments("eps NaN", (Supplier<?>) () -> AdamMini.builder().epsilon(Double.NaN).build(), "epsilon must be finite and > 0, got NaN"),
                arguments("wd < 0", (Supplier<?>) () -> AdamMini.builder().weightDecay(-0.01).build(), "weightDecay must be finite and >= 0, got -0.01"),
                arguments("wd NaN", (Supplier<?>) () -> AdamMini.builder().weightDecay(Double.NaN).build(), "weightDecay must be finite and >= 0, got NaN"),
                arguments("lr and schedule", (Supplier<?>) () -> AdamMini.builder().learningRate(0.1)
                        .learningRateSchedule(new ExponentialSchedule(ScheduleType.ITERATION, 0.1, 0.9)).build(),
                        "set either learningRate or learningRateSchedule, not both"),
                arguments("setLrAndSchedule < 0", (Supplier<?>) () -> {
                    new AdamMini().setLrAndSchedule(-2, null);
                    return null;
                }, "learningRate must be finite and >= 0, got -2.0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejected(String name, Supplier<?> construct, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct::get);
        assertTrue(e.getMessage().contains(message), "message was: " + e.getMessage());
    }
}
