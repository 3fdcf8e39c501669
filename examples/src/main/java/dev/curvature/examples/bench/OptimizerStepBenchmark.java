package dev.curvature.examples.bench;

import dev.curvature.examples.Args;
import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.Layouts;
import dev.curvature.optimizers.OptimizerMemory;
import dev.curvature.optimizers.Muon;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One optimizer step (DL4J's {@code MultiLayerUpdater.update}: divide by minibatch, every block's
 * {@code applyUpdater}) timed for each optimizer on the same network and gradient, in interleaved rounds so that
 * machine noise hits all candidates alike. Prints a table and writes CSV.
 *
 * <p>Muon rows also get their GEMM floor, measured in the same rounds: for every matrix Muon orthogonalises in that
 * network ({@link Muon#orthogonalizedShapes()}), the three GEMMs of a Newton-Schulz iteration on preallocated arrays
 * of its shape, run as many times as Muon runs iterations ({@code 5 (4 m^2 n + 2 m^3)} flops per {@code m x n}
 * matrix, {@code m <= n}). {@code gemm_floor_us} is the median time of that, i.e. Newton-Schulz's flops divided by the
 * GEMM rate of this run; {@code x_floor} is Muon's median step over it.
 */
public final class OptimizerStepBenchmark {
    private static final int BATCH = 128;

    record Candidate(String name, IUpdater updater) {
    }

    /** One row; {@code gemmFloorMicros} is NaN except for Muon. */
    record Result(String network, String optimizer, long params, long stateBytes, double medianMicros,
                  double p10Micros, double p90Micros, double ratioToAdam, double gemmFloorMicros) {
        double xFloor() {
            return medianMicros / gemmFloorMicros;
        }
    }

    public static final String HELP = """
            bench-step: time one optimizer step, DL4J Adam vs the curvature optimizers.
              --rounds N     interleaved rounds (default 7)
              --iters N      timed steps per candidate per round (default 40)
              --out DIR      where to write optimizer-step.csv (default target/benchmarks)
            """;

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv, Set.of("rounds", "iters", "out"), Set.of("help"));
        if (args.flag("help")) {
            System.out.print(HELP);
            return;
        }
        int rounds = args.getInt("rounds", 7, 1);
        int iters = args.getInt("iters", 40, 1);
        Path out = Path.of(args.get("out", "target/benchmarks"));
        List<Result> results = new ArrayList<>();
        results.addAll(run("MLP 784-512-512-10", OptimizerStepBenchmark::mlp, rounds, iters));
        results.addAll(run("CNN 28x28 c32-c64-d128", OptimizerStepBenchmark::cnn, rounds, iters));
        print(results);
        write(out.resolve("optimizer-step.csv"), results);
    }

    static final String MUON = "Muon";

    static List<Candidate> candidates() {
        return List.of(new Candidate("Adam (DL4J)", new Adam(1e-3)), new Candidate("AdamMini", new AdamMini(1e-3)),
                new Candidate(MUON, new Muon(0.02)));
    }

    /** The GEMMs Newton-Schulz performs in one Muon step of a network, on preallocated arrays: its floor. */
    private static final class GemmFloor {
        final List<NewtonSchulzBenchmark.GemmReference> gemms = new ArrayList<>();
        final int iterations;
        final List<Double> micros = new ArrayList<>();

        GemmFloor(MultiLayerNetwork muonNet) {
            int steps = 0;
            for (UpdaterBlock block : ((MultiLayerUpdater) muonNet.getUpdater()).getUpdaterBlocks()) {
                if (block.getGradientUpdater().getConfig() instanceof Muon muon) {
                    steps = muon.getNsSteps();
                    for (long[] shape : muon.orthogonalizedShapes()) {
                        gemms.add(NewtonSchulzBenchmark.GemmReference.of(muonNet.params().dataType(), shape[0],
                                shape[1]));
                    }
                }
            }
            this.iterations = steps;
        }

        void step(boolean record) {
            long t0 = System.nanoTime();
            for (NewtonSchulzBenchmark.GemmReference g : gemms) {
                g.run(iterations);
            }
            long t1 = System.nanoTime();
            if (record) {
                micros.add((t1 - t0) / 1e3);
            }
        }
    }

    static MultiLayerConfiguration mlp(IUpdater u) {
        return new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).updater(u).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(512).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(512).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(784)).build();
    }

    static MultiLayerConfiguration cnn(IUpdater u) {
        return new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).updater(u).list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(32).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(64).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1)).build();
    }

    /** One prepared candidate: network, its updater, the gradient and a saved copy to restore before each step. */
    private static final class Prepared {
        final Candidate candidate;
        final MultiLayerNetwork net;
        final MultiLayerUpdater updater;
        final Gradient gradient;
        final INDArray saved;
        final List<Double> micros = new ArrayList<>();
        int iteration;

        Prepared(Candidate c, Function<IUpdater, MultiLayerConfiguration> conf, INDArray x, INDArray y) {
            this.candidate = c;
            net = new MultiLayerNetwork(conf.apply(c.updater().clone()));
            net.init();
            Layouts.attach(net);
            net.setInput(x);
            net.setLabels(y);
            net.computeGradientAndScore();
            gradient = net.gradient();
            saved = gradient.gradient().dup();
            updater = (MultiLayerUpdater) net.getUpdater();
        }

        void step(boolean record) {
            gradient.gradient().assign(saved);
            long t0 = System.nanoTime();
            updater.update(gradient, iteration++, 0, BATCH, LayerWorkspaceMgr.noWorkspaces());
            long t1 = System.nanoTime();
            if (record) {
                micros.add((t1 - t0) / 1e3);
            }
        }

        long stateBytes() {
            return OptimizerMemory.stateBytes(net);
        }
    }

    static List<Result> run(String network, Function<IUpdater, MultiLayerConfiguration> conf, int rounds, int iters) {
        MultiLayerConfiguration probe = conf.apply(new Adam());
        MultiLayerNetwork shape = new MultiLayerNetwork(probe);
        shape.init();
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 784);
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 10);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, i % 10, 1.0);
        }
        Map<String, Prepared> prepared = new LinkedHashMap<>();
        for (Candidate c : candidates()) {
            prepared.put(c.name(), new Prepared(c, conf, x, y));
        }
        GemmFloor floor = new GemmFloor(prepared.get(MUON).net);
        System.out.printf("%s: %d parameters, %d rounds x %d steps per optimizer%n", network, shape.numParams(), rounds, iters);
        for (int i = 0; i < 20; i++) { // warm-up: JIT, workspaces, first-step allocations
            for (Prepared p : prepared.values()) {
                p.step(false);
            }
            floor.step(false);
        }
        for (int r = 0; r < rounds; r++) {
            for (Prepared p : prepared.values()) {
                for (int i = 0; i < iters; i++) {
                    p.step(true);
                }
            }
            for (int i = 0; i < iters; i++) {
                floor.step(true);
            }
            System.out.printf("  round %d/%d done%n", r + 1, rounds);
        }
        double adamMedian = percentile(prepared.values().iterator().next().micros, 0.5);
        List<Result> results = new ArrayList<>();
        for (Prepared p : prepared.values()) {
            double med = percentile(p.micros, 0.5);
            double floorMicros = p.candidate.name().equals(MUON) ? percentile(floor.micros, 0.5) : Double.NaN;
            results.add(new Result(network, p.candidate.name(), p.net.numParams(), p.stateBytes(), med,
                    percentile(p.micros, 0.1), percentile(p.micros, 0.9), med / adamMedian, floorMicros));
        }
        return results;
    }

    static double percentile(List<Double> values, double q) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v[(int) Math.min(v.length - 1, Math.round(q * (v.length - 1)))];
    }

    static void print(List<Result> results) {
        System.out.printf("%n%-26s %-12s %10s %12s %12s %10s %10s %8s %12s %8s%n", "network", "optimizer", "params",
                "state bytes", "median us", "p10 us", "p90 us", "x Adam", "GEMM floor", "x floor");
        for (Result r : results) {
            boolean floor = !Double.isNaN(r.gemmFloorMicros());
            System.out.printf("%-26s %-12s %10d %12d %12.1f %10.1f %10.1f %8.3f %12s %8s%n", r.network(), r.optimizer(),
                    r.params(), r.stateBytes(), r.medianMicros(), r.p10Micros(), r.p90Micros(), r.ratioToAdam(),
                    floor ? String.format("%.1f", r.gemmFloorMicros()) : "",
                    floor ? String.format("%.3f", r.xFloor()) : "");
        }
    }

    static void write(Path file, List<Result> results) throws IOException {
        Files.createDirectories(file.getParent());
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("network,optimizer,params,state_bytes,median_us,p10_us,p90_us,ratio_to_adam,gemm_floor_us,"
                    + "x_floor");
            for (Result r : results) {
                boolean floor = !Double.isNaN(r.gemmFloorMicros());
                w.printf("%s,%s,%d,%d,%.2f,%.2f,%.2f,%.4f,%s,%s%n", r.network(), r.optimizer(), r.params(),
                        r.stateBytes(), r.medianMicros(), r.p10Micros(), r.p90Micros(), r.ratioToAdam(),
                        floor ? String.format("%.2f", r.gemmFloorMicros()) : "",
                        floor ? String.format("%.4f", r.xFloor()) : "");
            }
        }
        System.out.println("wrote " + file.toAbsolutePath());
    }
}
