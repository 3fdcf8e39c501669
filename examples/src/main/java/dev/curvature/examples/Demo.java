package dev.curvature.examples;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.hessian.sink.Slf4jReportSink;
import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.Layouts;
import dev.curvature.optimizers.Muon;
import dev.curvature.optimizers.OptimizerMemory;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The main demo: the same MLP trained with DL4J's Adam, Adam-mini and Muon on a synthetic many-class task (no
 * download), with the Hessian block listener attached, printing progress per epoch, one log line per Hessian probe
 * and a summary.
 */
public final class Demo {
    private Demo() {
    }

    static final String HELP = """
            demo: train an MLP with DL4J Adam, Adam-mini and Muon on a synthetic 20-class task, with the
                  Hessian block listener measuring how block-diagonal the loss Hessian is.
              --epochs N     epochs (default 6)
              --train N      training examples (default 8192)
              --classes N    classes (default 20)
              --lr X         learning rate of Adam and Adam-mini, and Muon's auxiliary Adam (default 0.002);
                             Muon's own rate is 0.02
              --hessian-every N   iterations between Hessian probes (default 128)
            """;

    /** What one optimizer reached. */
    public record Summary(String optimizer, double loss, double accuracy, long stateBytes, double seconds,
                          List<BlockHessianReport> hessian) {
    }

    public static void main(String[] argv) {
        run(argv);
    }

    /** Runs the demo; returns one summary per optimizer (empty for --help). */
    public static List<Summary> run(String[] argv) {
        Args args = new Args(argv, Set.of("epochs", "train", "classes", "lr", "hessian-every"), Set.of("help"));
        if (args.flag("help")) {
            System.out.print(HELP);
            return List.of();
        }
        int epochs = args.getInt("epochs", 6, 1);
        int trainSize = args.getInt("train", 8192, 64);
        int classes = args.getInt("classes", 20, 2);
        double lr = args.getDouble("lr", 0.002);
        int hessianEvery = args.getInt("hessian-every", 128, 1);
        int nIn = 64;
        DataSet[] data = SyntheticTask.make(42, trainSize, 2048, nIn, classes);
        System.out.printf("Synthetic task: %d train / %d test examples, %d inputs, %d classes; MLP %d-256-256-%d%n",
                trainSize, 2048, nIn, classes, nIn, classes);
        Map<String, IUpdater> optimizers = new LinkedHashMap<>();
        optimizers.put("Adam (DL4J)", new Adam(lr));
        optimizers.put("AdamMini", new AdamMini(lr));
        optimizers.put("Muon", Muon.builder().learningRate(0.02).auxiliary(new Adam(lr)).build());
        List<Summary> summaries = new ArrayList<>();
        for (Map.Entry<String, IUpdater> e : optimizers.entrySet()) {
            summaries.add(train(e.getKey(), e.getValue(), data[0], data[1], nIn, classes, epochs, hessianEvery));
        }
        System.out.printf("%n%-12s %10s %10s %14s %10s %28s%n", "optimizer", "test loss", "test acc", "state bytes",
                "seconds", "Hessian pairwiseRatio first->last");
        for (Summary s : summaries) {
            List<BlockHessianReport> h = s.hessian();
            String ratios = h.isEmpty() ? "-" : String.format("%.4f -> %.4f (%d probes)", h.get(0).pairwiseRatio(),
                    h.get(h.size() - 1).pairwiseRatio(), h.size());
            System.out.printf("%-12s %10.4f %10.4f %14d %10.1f %28s%n", s.optimizer(), s.loss(), s.accuracy(),
                    s.stateBytes(), s.seconds(), ratios);
        }
        System.out.printf("(pairwiseRatio: RMS off-diagonal / RMS diagonal Hessian block norm, blocks = output neurons;"
                + " Dong et al. 2025 predict about 1/C = %.3f at initialisation)%n", 1.0 / classes);
        return summaries;
    }

    static MultiLayerNetwork mlp(IUpdater updater, int nIn, int classes) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.FLOAT).updater(updater).list()
                .layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(nIn)).build());
        net.init();
        return Layouts.attach(net); // stamps parameter shapes for the layout-aware optimizers; harmless for Adam
    }

    static Evaluation evaluate(MultiLayerNetwork net, DataSet test, int classes) {
        Evaluation eval = new Evaluation(classes);
        eval.eval(test.getLabels(), net.output(test.getFeatures(), false));
        return eval;
    }

    static Summary train(String name, IUpdater updater, DataSet train, DataSet test, int nIn, int classes, int epochs,
                         int hessianEvery) {
        MultiLayerNetwork net = mlp(updater, nIn, classes);
        // Hessian block structure while training, logged per probe. The listener's default schedule keeps probes
        // within 5% of training time; this short demo probes on a fixed interval with a lighter estimator instead.
        HessianBlockListener hessian = HessianBlockListener.builder().frequency(hessianEvery)
                .estimator(HessianBlockEstimator.builder().maxBlocks(12).probesPerBlock(2).lanczosSteps(6)
                        .traceProbes(4).build())
                .sink(new Slf4jReportSink()).build();
        net.setListeners(hessian);
        long start = System.nanoTime();
        List<DataSet> batches = train.batchBy(128);
        int steps = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            for (DataSet batch : batches) {
                net.fit(batch);
                steps++;
            }
            Evaluation eval = evaluate(net, test, classes);
            System.out.printf("[%-11s] epoch %d/%d  step %5d  train loss %.4f  test loss %.4f  test acc %.4f  %.1fs%n",
                    name, epoch, epochs, steps, net.score(train), net.score(test), eval.accuracy(),
                    (System.nanoTime() - start) / 1e9);
        }
        Evaluation eval = evaluate(net, test, classes);
        long stateBytes = OptimizerMemory.stateBytes(net);
        return new Summary(name, net.score(test), eval.accuracy(), stateBytes, (System.nanoTime() - start) / 1e9,
                hessian.history());
    }
}
