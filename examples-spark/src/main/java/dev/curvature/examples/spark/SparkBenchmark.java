package dev.curvature.examples.spark;

import dev.curvature.examples.Args;
import dev.curvature.examples.SyntheticTask;
import dev.curvature.optimizers.Layouts;
import dev.curvature.spark.CurvatureSpark;
import dev.curvature.spark.CurvatureTrainingMaster;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Adam (DL4J), AdamMini and Muon trained three ways on the same synthetic task and network: single-machine
 * {@code MultiLayerNetwork.fit}, Spark parameter averaging ({@code local[2]} by default) and ParallelWrapper with
 * 2 workers. Every run starts from the same initial parameters and sees the same minibatches for the same number
 * of epochs; the distributed runs average every {@code --averaging-frequency} minibatches per worker. One
 * discarded epoch of local training warms up the JVM first. Prints a table (final training loss, test accuracy,
 * wall time) and writes it as CSV.
 */
public final class SparkBenchmark {
    static final String HELP = """
            SparkBenchmark: local vs Spark parameter averaging vs ParallelWrapper, for Adam, AdamMini and Muon.

            Options:
              --master URL               Spark master (default local[2])
              --epochs N                 epochs per run, >= 1 (default 5)
              --train N                  training examples, >= 1 (default 8000)
              --test N                   test examples, >= 1 (default 2000)
              --inputs N                 input width of the synthetic task, >= 2 (default 64)
              --hidden N                 width of the two hidden layers, >= 1 (default 128)
              --batch N                  minibatch size (per worker), >= 1 (default 64)
              --averaging-frequency N    minibatches per worker between averagings, >= 1 (default 5)
              --optimizers LIST          comma-separated subset of adam,adammini,muon (default all)
              --csv FILE                 where to write the table (default spark-benchmark.csv)
              --help                     this text
            """;

    private SparkBenchmark() {
    }

    /** One row of the table. */
    public record Row(String optimizer, String mode, double initialLoss, double finalLoss, double testAccuracy,
                      double seconds) {
    }

    /** Runs the benchmark with command-line options (see {@code --help}); exits with status 2 on a bad option. */
    public static void main(String[] args) {
        try {
            run(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Runs the benchmark, printing to {@code out}; returns the rows (null for {@code --help}). */
    public static List<Row> run(String[] args, PrintStream out) {
        Args a = new Args(args, Set.of("master", "epochs", "train", "test", "inputs", "hidden", "batch",
                "averaging-frequency", "optimizers", "csv"), Set.of("help"));
        if (a.flag("help")) {
            out.print(HELP);
            return null;
        }
        int epochs = a.getInt("epochs", 5, 1);
        int trainSize = a.getInt("train", 8000, 1);
        int testSize = a.getInt("test", 2000, 1);
        int inputs = a.getInt("inputs", 64, 2);
        int hidden = a.getInt("hidden", 128, 1);
        int batch = a.getInt("batch", 64, 1);
        int frequency = a.getInt("averaging-frequency", 5, 1);
        List<Optimizers> optimizers = new ArrayList<>();
        for (String name : a.get("optimizers", "adam,adammini,muon").split(",")) {
            optimizers.add(Optimizers.parse(name.trim()));
        }
        Path csv = Path.of(a.get("csv", "spark-benchmark.csv"));
        int classes = 10;
        DataSet[] data = SyntheticTask.make(11, trainSize, testSize, inputs, classes);
        DataSet train = data[0];
        DataSet test = data[1];
        List<DataSet> batches = train.batchBy(batch);
        out.printf(Locale.ROOT, "synthetic task: %d inputs, %d classes, %d train / %d test; MLP %d-%d-%d-%d; batch %d; "
                + "%d epochs; distributed runs: 2 workers, averaging every %d minibatches%n", inputs, classes,
                trainSize, testSize, inputs, hidden, hidden, classes, batch, epochs, frequency);

        List<Row> rows = new ArrayList<>();
        SparkConf conf = new SparkConf().setAppName("SparkBenchmark").setIfMissing("spark.master", "local[2]")
                .setIfMissing("spark.ui.showConsoleProgress", "false");
        if (a.flag("master")) {
            conf.setMaster(a.get("master", null));
        }
        Path export = null;
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            export = Files.createTempDirectory("spark-benchmark-export");
            JavaRDD<DataSet> rdd = sc.parallelize(batches, 2);
            // warm-up, discarded: JIT and ND4J's first-use costs would otherwise land on the first timed run
            MultiLayerNetwork warmUp = mlp(Optimizers.ADAM.updater(2e-3), inputs, hidden, classes);
            for (DataSet b : batches) {
                warmUp.fit(b);
            }
            for (Optimizers o : optimizers) {
                // local
                MultiLayerNetwork local = mlp(o.updater(2e-3), inputs, hidden, classes);
                double initial = local.score(train);
                long t0 = System.nanoTime();
                for (int e = 0; e < epochs; e++) {
                    for (DataSet b : batches) {
                        local.fit(b);
                    }
                }
                rows.add(row(o, "local MultiLayerNetwork.fit", initial, local, train, test, t0));

                // Spark parameter averaging
                MultiLayerNetwork distributed = mlp(o.updater(2e-3), inputs, hidden, classes);
                CurvatureTrainingMaster tm = new CurvatureTrainingMaster(new ParameterAveragingTrainingMaster
                        .Builder(2, batch).batchSizePerWorker(batch).averagingFrequency(frequency).saveUpdater(true)
                        .rngSeed(5).rddTrainingApproach(RDDTrainingApproach.Export)
                        .exportDirectory(export.resolve(o.option()).toUri().toString()));
                SparkDl4jMultiLayer spark = CurvatureSpark.multiLayer(sc, distributed, tm);
                t0 = System.nanoTime();
                for (int e = 0; e < epochs; e++) {
                    spark.fit(rdd);
                }
                rows.add(row(o, "Spark " + sc.master() + " averaging", initial, distributed, train, test, t0));

                // ParallelWrapper
                MultiLayerNetwork wrapped = mlp(o.updater(2e-3), inputs, hidden, classes);
                ParallelWrapper wrapper = new ParallelWrapper.Builder<>(wrapped).workers(2)
                        .averagingFrequency(frequency).averageUpdaters(true).prefetchBuffer(4).build();
                t0 = System.nanoTime();
                try {
                    for (int e = 0; e < epochs; e++) {
                        wrapper.fit(new ListDataSetIterator<>(batches));
                    }
                } finally {
                    wrapper.shutdown();
                }
                rows.add(row(o, "ParallelWrapper 2 workers", initial, wrapped, train, test, t0));
                for (Row r : rows.subList(rows.size() - 3, rows.size())) {
                    out.printf(Locale.ROOT, "  %-12s %-28s loss %.4f -> %.4f, test accuracy %.4f, %.1f s%n",
                            r.optimizer(), r.mode(), r.initialLoss(), r.finalLoss(), r.testAccuracy(), r.seconds());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            sc.stop();
            if (export != null) {
                try (Stream<Path> paths = Files.walk(export)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    System.err.println("could not remove " + export + ": " + e);
                }
            }
        }
        printTable(rows, out);
        writeCsv(rows, csv);
        out.println("wrote " + csv.toAbsolutePath());
        return rows;
    }

    private static Row row(Optimizers o, String mode, double initial, MultiLayerNetwork net, DataSet train,
                           DataSet test, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double accuracy = net.evaluate(new ListDataSetIterator<>(test.batchBy(1000))).accuracy();
        return new Row(o.label(), mode, initial, net.score(train), accuracy, seconds);
    }

    static void printTable(List<Row> rows, PrintStream out) {
        out.println();
        out.println("| optimizer | mode | initial loss | final loss | test accuracy | wall time (s) |");
        out.println("|---|---|---:|---:|---:|---:|");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "| %s | %s | %.4f | %.4f | %.4f | %.1f |%n", r.optimizer(), r.mode(),
                    r.initialLoss(), r.finalLoss(), r.testAccuracy(), r.seconds());
        }
    }

    static void writeCsv(List<Row> rows, Path csv) {
        StringBuilder sb = new StringBuilder("optimizer,mode,initial_loss,final_loss,test_accuracy,seconds\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%.6f,%.6f,%.6f,%.3f%n", r.optimizer(), r.mode(),
                    r.initialLoss(), r.finalLoss(), r.testAccuracy(), r.seconds()));
        }
        try {
            Path parent = csv.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(csv, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + csv, e);
        }
    }

    /** The benchmark MLP inputs-hidden-hidden-classes (tanh, softmax), stamped, seed 7 (same start for every run). */
    static MultiLayerNetwork mlp(IUpdater updater, int inputs, int hidden, int classes) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(updater).list()
                .layer(new DenseLayer.Builder().nOut(hidden).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(hidden).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(inputs)).build());
        net.init();
        return Layouts.attach(net);
    }
}
