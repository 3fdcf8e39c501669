package dev.curvature.optimizers;

import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import dev.curvature.testing.ReferenceAdamMini;
import dev.curvature.testing.ReferencePartition;
import dev.curvature.testing.SyntheticData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

import java.io.File;
import java.util.Map;

import static dev.curvature.testing.Assertions2.assertClose;
import static dev.curvature.testing.Assertions2.toDoubles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adam-mini as the updater of a SameDiff {@code TrainingConfig}: SameDiff passes real variable shapes, so no
 * attach call is needed; 2-D weights get one block per column, the [1, C] bias one per element.
 */
class AdamMiniSameDiffTest {
    static final int N_IN = 6;
    static final int C = 4;

    static SameDiff softmaxRegression(IUpdater updater) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, N_IN);
        SDVariable y = sd.placeHolder("y", DataType.DOUBLE, -1, C);
        Nd4j.getRandom().setSeed(99);
        SDVariable w = sd.var("w", Nd4j.randn(DataType.DOUBLE, N_IN, C).muli(0.3));
        SDVariable b = sd.var("b", Nd4j.zeros(DataType.DOUBLE, 1, C));
        SDVariable logits = x.mmul(w).add(b);
        sd.loss.softmaxCrossEntropy("loss", y, logits, null);
        sd.setLossVariables("loss");
        sd.setTrainingConfig(new TrainingConfig.Builder().updater(updater)
                .dataSetFeatureMapping("x").dataSetLabelMapping("y").build());
        return sd;
    }

    @Test
    void followsReferenceWithPerColumnBlocks() {
        SameDiff sd = softmaxRegression(new AdamMini(0.05));
        DataSet data = SyntheticData.classification(21, 12, N_IN, C, DataType.DOUBLE);
        ParamSpec wSpec = new ParamSpec("sd", "w", ParamRole.DENSE_WEIGHT, new long[] {N_IN, C}, 'c', false);
        ParamSpec bSpec = new ParamSpec("sd", "b", ParamRole.BIAS, new long[] {1, C}, 'c', false);
        ReferenceAdamMini refW = new ReferenceAdamMini(0.05, 0.9, 0.999, 1e-8, ReferencePartition.blockIds(wSpec));
        ReferenceAdamMini refB = new ReferenceAdamMini(0.05, 0.9, 0.999, 1e-8, ReferencePartition.blockIds(bSpec));
        assertEquals(C, refW.numBlocks());
        for (int step = 0; step < 5; step++) {
            Map<String, INDArray> grads = sd.calculateGradients(
                    Map.of("x", data.getFeatures(), "y", data.getLabels()), "w", "b");
            double[] w = toDoubles(sd.getVariable("w").getArr());
            double[] b = toDoubles(sd.getVariable("b").getArr());
            double[] uw = refW.update(toDoubles(grads.get("w")), step);
            double[] ub = refB.update(toDoubles(grads.get("b")), step);
            for (int i = 0; i < w.length; i++) {
                w[i] -= uw[i];
            }
            for (int i = 0; i < b.length; i++) {
                b[i] -= ub[i];
            }
            sd.fit(data);
            assertClose(w, sd.getVariable("w").getArr(), 1e-9, 1e-12, "w step " + step);
            assertClose(b, sd.getVariable("b").getArr(), 1e-9, 1e-12, "b step " + step);
        }
    }

    @Test
    void saveAndLoadWithUpdaterStateContinuesIdentically(@TempDir File dir) {
        DataSet data = SyntheticData.classification(22, 12, N_IN, C, DataType.DOUBLE);
        SameDiff a = softmaxRegression(new AdamMini(0.05));
        SameDiff b = softmaxRegression(new AdamMini(0.05));
        for (int i = 0; i < 3; i++) {
            a.fit(data);
            b.fit(data);
        }
        File file = new File(dir, "model.sd");
        b.save(file, true);
        SameDiff restored = SameDiff.load(file, true);
        for (int i = 0; i < 3; i++) {
            a.fit(data);
            restored.fit(data);
        }
        assertEquals(a.getVariable("w").getArr(), restored.getVariable("w").getArr());
        assertEquals(a.getVariable("b").getArr(), restored.getVariable("b").getArr());
    }

    @Test
    void weightDecayInsideTheUpdaterIsRefusedInSameDiff() {
        SameDiff sd = softmaxRegression(AdamMini.builder().weightDecay(0.1).build());
        DataSet data = SyntheticData.classification(23, 4, N_IN, C, DataType.DOUBLE);
        RuntimeException e = assertThrows(RuntimeException.class, () -> sd.fit(data));
        assertTrue(AdamMiniNetworkTest.messageChain(e).contains("TrainingConfig.Builder.weightDecay"),
                AdamMiniNetworkTest.messageChain(e));
    }
}
