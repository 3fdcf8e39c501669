package dev.curvature.examples.spark;

import dev.curvature.examples.Args;
import dev.curvature.examples.Networks;
import dev.curvature.examples.SyntheticTask;
import dev.curvature.examples.data.FashionMnist;
import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.spark.CurvatureSpark;
import dev.curvature.spark.CurvatureTrainingMaster;
import dev.curvature.spark.SparkHessianProbe;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Comparator;
import java.util.stream.Stream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Trains the Fashion-MNIST MLP 784-256-256-10 with Adam, AdamMini or Muon under Spark parameter averaging
 * ({@link CurvatureTrainingMaster}), on a local master by default ({@code local[2]}: two executor threads) or any
 * {@code --master}. Prints one line per epoch: the training loss on the driver's averaged network, the test
 * accuracy and the elapsed time. With {@code --hessian} the driver probes the Hessian block structure of the
 * averaged network after averaging rounds (within 5% of the wall time) and prints each report.
 *
 * <p>Data: the IDX files from {@code --data DIR}, else {@code /usr/share/datasets/fashion-mnist} (Debian package
 * {@code dataset-fashion-mnist}); without them, or with {@code --synthetic}, a synthetic 784-input 10-class task
 * ({@link SyntheticTask}) so the example always runs.
 */
public final class SparkFashionMnist {
    static final String HELP = """
            SparkFashionMnist: the Fashion-MNIST MLP 784-256-256-10 trained under Spark parameter averaging.

            Options:
              --master URL               Spark master (default local[2]; on a cluster spark-submit sets it)
              --optimizer NAME           adam | adammini | muon (default adammini)
              --epochs N                 passes over the training set, >= 1 (default 2)
              --train N                  training examples, >= 1 (default 20000; Fashion-MNIST has 60000)
              --test N                   test examples, >= 1 (default 10000)
              --workers N                workers that train between averagings, >= 1 (default: Spark's default
                                         parallelism, 2 for local[2])
              --batch N                  minibatch size per worker, >= 1 (default 64)
              --averaging-frequency N    minibatches per worker between averagings, >= 1 (default 5)
              --lr X                     learning rate of Adam / AdamMini and of Muon's auxiliary Adam, > 0
                                         (default 0.001); Muon's own rate is 0.02
              --seed N                   seed of initialisation and splits (default 42)
              --data DIR                 directory with the Fashion-MNIST IDX files (optionally .gz)
              --export-dir URI           where DL4J exports the training minibatches once, so that averaging
                                         rounds ship file paths, not data (default: a temporary local
                                         directory, removed at the end; on a cluster give a shared one,
                                         e.g. hdfs:///tmp/dl4j-export)
              --synthetic                use the synthetic 10-class task instead of Fashion-MNIST
              --hessian                  Hessian block probes on the driver after averaging rounds (within 5%
                                         of the wall time); prints each report
              --help                     this text
            """;

    private SparkFashionMnist() {
    }

    /** One epoch's progress line. */
    public record Epoch(int epoch, long rounds, double trainLoss, double testAccuracy, double seconds) {
    }

    /** What a run produced. */
    public record Result(String data, String optimizer, int workers, List<Epoch> epochs,
                         List<BlockHessianReport> hessianReports) {
    }

    /** Runs the example with command-line options (see {@code --help}); exits with status 2 on a bad option. */
    public static void main(String[] args) {
        try {
            run(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    /**
     * Runs the example, printing to {@code out}; returns null for {@code --help}.
     *
     * @throws IllegalArgumentException for a bad option value, naming it and the allowed values
     */
    public static Result run(String[] args, PrintStream out) {
        Args a = new Args(args, Set.of("master", "optimizer", "epochs", "train", "test", "workers", "batch",
                "averaging-frequency", "lr", "seed", "data", "export-dir"), Set.of("help", "synthetic", "hessian"));
        if (a.flag("help")) {
            out.print(HELP);
            return null;
        }
        String master = a.get("master", "local[2]");
        Optimizers optimizer = Optimizers.parse(a.get("optimizer", "adammini"));
        int epochs = a.getInt("epochs", 2, 1);
        int trainSize = a.getInt("train", 20000, 1);
        int testSize = a.getInt("test", 10000, 1);
        int batch = a.getInt("batch", 64, 1);
        int frequency = a.getInt("averaging-frequency", 5, 1);
        double lr = a.getDouble("lr", 1e-3);
        if (!(lr > 0 && Double.isFinite(lr))) {
            throw new IllegalArgumentException("--lr must be a finite number > 0, got " + lr);
        }
        long seed = a.getInt("seed", 42, 0);
        Integer workersOption = a.flag("workers") ? a.getInt("workers", 1, 1) : null;
        String dataOption = a.get("data", null);

        DataSet[] data;
        String dataName;
        // as compare does: --data with --synthetic is refused rather than DIR silently ignored
        Optional<Path> dir = FashionMnist.choose(dataOption, a.flag("synthetic"));
        if (dir.isPresent()) {
            data = new DataSet[] {FashionMnist.load(dir.get(), FashionMnist.Split.TRAIN, trainSize),
                    FashionMnist.load(dir.get(), FashionMnist.Split.TEST, testSize)};
            dataName = "Fashion-MNIST (" + dir.get() + ")";
        } else {
            data = SyntheticTask.make(seed, trainSize, testSize, FashionMnist.PIXELS, FashionMnist.CLASSES);
            dataName = a.flag("synthetic") ? "synthetic 10-class task"
                    : "synthetic 10-class task (Fashion-MNIST not found in " + FashionMnist.SYSTEM_DIR
                            + "; install dataset-fashion-mnist or pass --data)";
        }
        DataSet train = data[0];
        DataSet test = data[1];

        SparkConf conf = new SparkConf().setAppName("SparkFashionMnist").setIfMissing("spark.master", master)
                .setIfMissing("spark.ui.showConsoleProgress", "false");
        if (a.flag("master")) {
            conf.setMaster(master);
        }
        String exportOption = a.get("export-dir", null);
        Path tempExport = null;
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            String exportDir = exportOption;
            if (exportDir == null) {
                tempExport = Files.createTempDirectory("spark-fashion-mnist-export");
                exportDir = tempExport.toUri().toString();
            }
            int workers = workersOption != null ? workersOption : sc.defaultParallelism();
            out.printf(Locale.ROOT, "data: %s, %d train / %d test examples%n", dataName, train.numExamples(),
                    test.numExamples());
            out.printf(Locale.ROOT, "Spark master %s, %d workers, batch %d per worker, averaging every %d "
                    + "minibatches, optimizer %s, export to %s%n", sc.master(), workers, batch, frequency,
                    optimizer.label(), exportDir);

            CurvatureTrainingMaster tm = new CurvatureTrainingMaster(
                    new ParameterAveragingTrainingMaster.Builder(workers, batch).batchSizePerWorker(batch)
                            .averagingFrequency(frequency).saveUpdater(true).rngSeed(seed)
                            .rddTrainingApproach(RDDTrainingApproach.Export).exportDirectory(exportDir)
                            .workerPrefetchNumBatches(2));
            SparkDl4jMultiLayer spark = CurvatureSpark.multiLayer(sc,
                    Networks.build(Networks.Kind.MLP, optimizer.updater(lr), FashionMnist.CLASSES, seed, 0), tm);
            MultiLayerNetwork net = spark.getNetwork();

            SparkHessianProbe probe = null;
            if (a.flag("hessian")) {
                probe = new SparkHessianProbe(HessianBlockListener.builder()
                        .estimator(HessianBlockEstimator.builder().seed(seed).build())
                        .probeBatch(head(test, 256))
                        .sink(report -> out.printf(Locale.ROOT, "  hessian @ iteration %d: pairwiseRatio %.4f, "
                                        + "offDiagonalMassRatio %.4f, trace %.4g (%.1f s)%n", report.iteration(),
                                report.pairwiseRatio(), report.offDiagonalMassRatio(), report.trace(),
                                report.elapsed().toMillis() / 1000.0))
                        .build());
                tm.addRoundListener(probe);
            }

            JavaRDD<DataSet> rdd = sc.parallelize(train.batchBy(batch), Math.max(workers, sc.defaultParallelism()));
            DataSet lossSample = head(train, 5000);
            List<DataSet> testBatches = test.batchBy(1000);
            List<Epoch> results = new ArrayList<>();
            long start = System.nanoTime();
            for (int epoch = 1; epoch <= epochs; epoch++) {
                spark.fit(rdd);
                double loss = net.score(lossSample);
                Evaluation eval = net.evaluate(new ListDataSetIterator<>(testBatches));
                Epoch e = new Epoch(epoch, tm.rounds(), loss, eval.accuracy(), (System.nanoTime() - start) / 1e9);
                results.add(e);
                out.printf(Locale.ROOT, "epoch %d/%d  rounds %d  train loss %.4f  test accuracy %.4f  time %.1f s%n",
                        epoch, epochs, e.rounds(), e.trainLoss(), e.testAccuracy(), e.seconds());
            }
            return new Result(dataName, optimizer.label(), workers, results,
                    probe == null ? List.of() : probe.history());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            sc.stop();
            if (tempExport != null) {
                deleteTree(tempExport);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove the temporary export directory " + root + ": " + e);
        }
    }

    /** The first {@code n} examples (all when there are fewer). */
    static DataSet head(DataSet data, int n) {
        return n >= data.numExamples() ? data : (DataSet) data.getRange(0, n);
    }
}
