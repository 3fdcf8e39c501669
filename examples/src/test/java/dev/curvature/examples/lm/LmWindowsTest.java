package dev.curvature.examples.lm;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Window and target alignment: each target is the token after its window; no window crosses the split. */
class LmWindowsTest {
    /** A stream whose id at position t is t + 1000, so every value names its position. */
    private static int[] positions(int n) {
        int[] ids = new int[n];
        for (int t = 0; t < n; t++) {
            ids[t] = t + 1000;
        }
        return ids;
    }

    @Test
    void splitIsTheLastFivePercentAndWindowsStayOnTheirSide() {
        Windows w = new Windows(positions(200), 3);
        assertEquals(190, w.trainTokens());
        assertEquals(10, w.validationTokens());
        assertEquals(187, w.trainExamples());
        assertEquals(7, w.validationExamples());
        assertEquals(3, w.trainTarget(0));
        assertEquals(189, w.trainTarget(w.trainExamples() - 1));
        assertEquals(193, w.validationTarget(0));
        assertEquals(199, w.validationTarget(w.validationExamples() - 1));
        int[] val = w.validationTargets(100);
        assertEquals(7, val.length);
        for (int t : val) {
            assertTrue(t - 3 >= 190, "validation window starts in the training part: target " + t);
        }
    }

    @Test
    void eachTargetIsTheTokenAfterItsWindowAndNeverInIt() {
        int k = 4;
        Windows w = new Windows(positions(500), k);
        MultiDataSet b = w.randomTrainBatch(64, new Random(3));
        INDArray x = b.getFeatures(0);
        INDArray p = b.getFeatures(1);
        INDArray y = b.getLabels(0);
        assertEquals(64, x.size(0));
        assertEquals(k, x.size(1));
        for (int i = 0; i < 64; i++) {
            int target = y.getInt(i, 0);
            assertTrue(target - 1000 < w.trainTokens(), "training target in the validation part");
            for (int j = 0; j < k; j++) {
                // oldest first: the last input token is the one just before the target
                assertEquals(target - k + j, x.getInt(i, j), "row " + i + " position " + j);
                assertEquals(j, p.getInt(i, j));
                assertTrue(x.getInt(i, j) != target, "target leaked into its window");
            }
        }
        MultiDataSet one = w.batch(new int[] {w.validationTarget(0)});
        assertEquals(w.id(w.validationTarget(0)), one.getLabels(0).getInt(0, 0));
        assertEquals(w.id(w.validationTarget(0) - 1), one.getFeatures(0).getInt(0, k - 1));
    }

    @Test
    void windowBelowOneAndTargetsWithoutFullWindowAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Windows(positions(50), 0));
        Windows w = new Windows(positions(50), 3);
        assertThrows(IllegalArgumentException.class, () -> w.batch(new int[] {2}));
    }
}
