package dev.curvature.examples;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.BlockPartition;
import dev.curvature.hessian.HessianBlockEstimator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code classes --figure1} on a tiny synthetic run: pictures, CSVs, and the output-layer numbers cross-checked. */
class Figure1Test {

    /** The whole figure on 12-pixel inputs (a 96 x 96 hidden-layer Hessian instead of 6272 x 6272). */
    @Test
    void tinyRunDrawsBothPhasesAndTheCurve(@TempDir Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        DataSet train = SyntheticTask.make(5, 120, 1, 12, 10)[0];
        Figure1.Result r = Figure1.make(train, (DataSet) train.getRange(0, 16), 1, 30, 3e-3, 2, 1, dir, "synthetic");
        for (String f : List.of("figure1-init.png", "figure1-trained.png", "figure1-ratio.png")) {
            assertTrue(Files.size(dir.resolve(f)) > 10_000, f);
        }
        assertEquals(8, r.hiddenInit().blocks());
        assertEquals(10, r.outputInit().blocks());
        // 4 steps of 30 images, probes at steps 0 and 2
        assertEquals(List.of(0L, 2L), r.curveSteps().stream().map(s -> s[0]).toList());
        List<String> blocks = Files.readAllLines(dir.resolve("figure1-blocks.csv"));
        assertEquals("phase,layer,block_i,block_j,block_norm,mean_abs", blocks.get(0));
        assertEquals(1 + 2 * (64 + 100), blocks.size());
        List<String> curve = Files.readAllLines(dir.resolve("figure1-ratio.csv"));
        assertEquals("step,layer,pairwise_ratio,standard_error", curve.get(0));
        assertEquals(1 + 2 * 2, curve.size());
        for (Figure1.LayerPicture p : List.of(r.hiddenInit(), r.outputInit(), r.hiddenTrained(), r.outputTrained())) {
            assertTrue(p.pairwiseRatio() > 0 && p.pairwiseRatio() < 1, p.layer() + " " + p.pairwiseRatio());
        }
    }

    /** The figure's ratios, from its own column-by-column assembly, are the EXACT estimator's. */
    @Test
    void theOutputLayerPictureAgreesWithTheExactEstimator(@TempDir Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        DataSet data = SyntheticTask.make(3, 12, 1, 12, 10)[0];
        MultiLayerNetwork net = Figure1.network(12, 10, 4, 1e-3);
        Figure1.LayerPicture[] pictures = Figure1.pictures(net, data, dir, "init", System.nanoTime());
        BlockHessianReport exact = HessianBlockEstimator.builder().method(HessianBlockEstimator.Method.EXACT)
                .partition(BlockPartition.perOutputNeuron().onlyLayers("output")).lanczosSteps(0).build()
                .estimate(net, data);
        assertEquals(exact.pairwiseRatio(), pictures[1].pairwiseRatio(), 1e-9 * exact.pairwiseRatio());
        BlockHessianReport hidden = HessianBlockEstimator.builder().method(HessianBlockEstimator.Method.EXACT)
                .partition(BlockPartition.perOutputNeuron().onlyLayers("hidden")).lanczosSteps(0).build()
                .estimate(net, data);
        assertEquals(hidden.pairwiseRatio(), pictures[0].pairwiseRatio(), 1e-9 * hidden.pairwiseRatio());
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 10; j++) {
                assertEquals(exact.blockNorm(i, j), pictures[1].blockNorms()[i][j], 1e-9 * exact.blockNorm(i, i));
            }
        }
    }
}
