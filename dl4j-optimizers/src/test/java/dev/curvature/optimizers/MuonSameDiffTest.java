package dev.curvature.optimizers;

import dev.curvature.testing.ReferenceDl4jAdam;
import dev.curvature.testing.ReferenceMuon;
import dev.curvature.testing.SyntheticData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.File;
import java.util.Map;

import static dev.curvature.testing.Assertions2.assertClose;
import static dev.curvature.testing.Assertions2.toDoubles;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Muon in a SameDiff TrainingConfig: the [nIn, C] weight is orthogonalised, the [1, C] bias gets the auxiliary. */
class MuonSameDiffTest {

    @Test
    void followsReference() {
        SameDiff sd = AdamMiniSameDiffTest.softmaxRegression(new Muon(0.02));
        DataSet data = SyntheticData.classification(41, 12, AdamMiniSameDiffTest.N_IN, AdamMiniSameDiffTest.C, DataType.DOUBLE);
        int nIn = AdamMiniSameDiffTest.N_IN;
        int c = AdamMiniSameDiffTest.C;
        ReferenceMuon refW = new ReferenceMuon(0.02, 0.95, true, 5, false, nIn, c, nIn, c);
        ReferenceDl4jAdam refB = new ReferenceDl4jAdam(3e-4, 0.9, 0.95, 1e-10, c);
        for (int step = 0; step < 4; step++) {
            Map<String, INDArray> grads = sd.calculateGradients(
                    Map.of("x", data.getFeatures(), "y", data.getLabels()), "w", "b");
            double[] w = toDoubles(sd.getVariable("w").getArr());
            double[] b = toDoubles(sd.getVariable("b").getArr());
            double[] uw = refW.update(toDoubles(grads.get("w"))); // SameDiff arrays are 'c': row-major already
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
        DataSet data = SyntheticData.classification(42, 12, AdamMiniSameDiffTest.N_IN, AdamMiniSameDiffTest.C, DataType.DOUBLE);
        SameDiff a = AdamMiniSameDiffTest.softmaxRegression(new Muon(0.02));
        SameDiff b = AdamMiniSameDiffTest.softmaxRegression(new Muon(0.02));
        for (int i = 0; i < 3; i++) {
            a.fit(data);
            b.fit(data);
        }
        File file = new File(dir, "muon.sd");
        b.save(file, true);
        SameDiff restored = SameDiff.load(file, true);
        for (int i = 0; i < 3; i++) {
            a.fit(data);
            restored.fit(data);
        }
        assertEquals(a.getVariable("w").getArr(), restored.getVariable("w").getArr());
        assertEquals(a.getVariable("b").getArr(), restored.getVariable("b").getArr());
    }
}
