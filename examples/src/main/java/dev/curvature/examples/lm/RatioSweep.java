package dev.curvature.examples.lm;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.BlockPartition;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.LayerSummary;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The output layer's per-output-neuron Hessian pairwiseRatio (docs/ALGORITHMS.md; Dong et al. 2025) of the
 * language model, measured on several probe batches of training windows. The ratio of each probe batch is taken from
 * the per-layer summary of a STOCHASTIC {@link HessianBlockEstimator} restricted to the output layer
 * ({@code BlockPartition.perOutputNeuron().onlyLayers("output")}: one block per output neuron, i.e. per column of
 * {@code W [hidden, C]}; {@code blocks} probed blocks, a stratified sample, each with {@code probes} Rademacher
 * probes; exact Hessian-vector products, the ReLU kinks frozen). The reported value is the mean over probe batches
 * and its standard error is their sample standard deviation over the square root of their number: it covers the
 * choice of data, of probed blocks (a different sample per batch) and of probe vectors.
 */
public final class RatioSweep {
    private RatioSweep() {
    }

    /** How the ratio is measured. */
    public record Probe(int batches, int batchSize, int blocks, int probes, long seed) {
    }

    /** Mean and standard error of the output layer's ratio over probe batches. */
    public record Ratio(double mean, double standardError, int batches) {
    }

    /** The probe batches: {@code probe.batches()} batches of random training windows, fixed by the seed. */
    public static List<MultiDataSet> probeBatches(Windows windows, Probe probe) {
        Random random = new Random(probe.seed() ^ 0x5DEECE66DL);
        List<MultiDataSet> batches = new ArrayList<>();
        for (int b = 0; b < probe.batches(); b++) {
            batches.add(windows.randomTrainBatch(probe.batchSize(), random));
        }
        return batches;
    }

    /** The output layer's ratio of {@code graph} on each of {@code batches}, as mean and standard error. */
    public static Ratio measure(ComputationGraph graph, List<MultiDataSet> batches, Probe probe) {
        double[] values = new double[batches.size()];
        for (int b = 0; b < batches.size(); b++) {
            HessianBlockEstimator estimator = HessianBlockEstimator.builder()
                    .partition(BlockPartition.perOutputNeuron().onlyLayers(LmModel.OUTPUT))
                    .method(HessianBlockEstimator.Method.STOCHASTIC).maxBlocks(probe.blocks())
                    .probesPerBlock(probe.probes()).lanczosSteps(0).traceProbes(0).blockEigenvalues(false)
                    .seed(probe.seed() * 1000 + b).build();
            BlockHessianReport report = estimator.estimate(graph, batches.get(b));
            values[b] = report.layers().stream().filter(l -> l.layer().equals(LmModel.OUTPUT))
                    .mapToDouble(LayerSummary::pairwiseRatio).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no output layer in the Hessian report"));
        }
        double mean = 0;
        for (double v : values) {
            mean += v / values.length;
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double se = values.length > 1 ? Math.sqrt(ss / (values.length - 1) / values.length) : Double.NaN;
        return new Ratio(mean, se, values.length);
    }
}
