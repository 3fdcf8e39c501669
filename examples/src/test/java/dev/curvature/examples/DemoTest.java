package dev.curvature.examples;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's demo, end to end on a small setting: every optimizer learns well above chance. */
class DemoTest {

    @Test
    void everyOptimizerLearnsAboveChance() {
        List<Demo.Summary> summaries = Demo.run(new String[] {"--epochs", "3", "--train", "2048", "--classes", "5"});
        assertEquals(List.of("Adam (DL4J)", "AdamMini", "Muon"), summaries.stream().map(Demo.Summary::optimizer).toList());
        Demo.Summary adam = summaries.get(0);
        for (Demo.Summary s : summaries) {
            assertTrue(s.accuracy() > 0.5, s.optimizer() + " accuracy " + s.accuracy() + " (chance 0.2)");
            assertTrue(Double.isFinite(s.loss()), s.optimizer() + " loss " + s.loss());
            assertTrue(!s.hessian().isEmpty() && s.hessian().get(0).iteration() == 0, "probed at initialisation");
            double ratio = s.hessian().get(0).pairwiseRatio();
            assertTrue(ratio > 0 && ratio < 1, s.optimizer() + " pairwiseRatio " + ratio);
        }
        // Adam-mini keeps about half of Adam's optimizer state
        assertTrue(summaries.get(1).stateBytes() < 0.55 * adam.stateBytes());
    }

    @Test
    void rejectsUnknownOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Demo.run(new String[] {"--epoch", "3"}));
        assertTrue(e.getMessage().contains("unknown option --epoch"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Demo.run(new String[] {"--classes", "1"}));
        assertTrue(bad.getMessage().contains("--classes must be >= 2, got 1"), bad.getMessage());
    }
}
