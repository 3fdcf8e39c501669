package dev.curvature.examples.lm;

import dev.curvature.examples.Compare;
import dev.curvature.hessian.BlockPartition;
import dev.curvature.hessian.HessianBlockEstimator;
import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.hessian.sink.CsvReportSink;
import dev.curvature.hessian.ui.HessianUi;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.api.UIServer;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Part two of {@code lm}: the optimizers at the largest C from one initialisation (the parameters of the first
 * network are copied into the others) on one sequence of batches. Adam-mini's run carries a
 * {@link HessianBlockListener} with {@link BlockPartition#adamMini()} (probes at most {@value #HESSIAN_OVERHEAD} of
 * its training time, excluded from it), whose reports go to {@code hessian-adammini.csv} and, with {@code --ui}, to
 * the DL4J UI's Hessian tab.
 */
final class OptimizerComparison {
    /** Fraction of Adam-mini's training time the Hessian listener may spend probing. */
    static final double HESSIAN_OVERHEAD = 0.2;

    private OptimizerComparison() {
    }

    record Outcome(List<LmOutput.SummaryRow> summary, List<Trainer.Point> points, List<Path> files,
                   String uiAddress) {
    }

    static Outcome run(LanguageModel.Settings s, Map<String, Compare.OptimizerChoice> optimizers, Windows windows,
                       Consumer<String> log) throws IOException {
        int c = s.classes()[s.classes().length - 1];
        LmModel.Shape shape = s.shape().withClasses(c);
        MultiDataSet validation = windows.batch(windows.validationTargets(s.valWindows()));
        StatsStorage storage = null;
        String uiAddress = null;
        if (s.ui()) {
            UIServer server = VertxUIServer.getInstance(s.uiPort(), false, null);
            storage = new InMemoryStatsStorage();
            server.attach(storage);
            uiAddress = "http://localhost:" + server.getPort() + HessianUi.PATH;
            System.out.println("DL4J UI: " + uiAddress + "  (training overview: http://localhost:" + server.getPort()
                    + "/train/overview)");
        }
        System.out.printf(Locale.ROOT, "%n== optimizers at C = %d: %d steps of %d windows, %d validation windows,"
                        + " %d parameters ==%n", c, s.compareSteps(), s.batch(), validation.getFeatures(0).size(0),
                shape.parameters());
        INDArray initial = null;
        List<Trainer.Point> points = new ArrayList<>();
        List<LmOutput.SummaryRow> rows = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        long adamState = -1;
        List<Trainer.Run> runs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Compare.OptimizerChoice> e : optimizers.entrySet()) {
            String name = e.getKey();
            ComputationGraph graph = LmModel.build(shape, e.getValue().updater(), e.getValue().dl4jWeightDecay(),
                    s.seed());
            if (initial == null) {
                initial = graph.params().dup();
            } else {
                graph.params().assign(initial);
            }
            List<TrainingListener> listeners = new ArrayList<>();
            HessianBlockListener hessian = null;
            StatsListener stats = null;
            if (storage != null) {
                stats = new StatsListener(storage);
                listeners.add(stats);
            }
            if (name.equals("adammini")) {
                Path csv = s.out().resolve("hessian-adammini.csv");
                HessianBlockListener.Builder b = HessianBlockListener.builder().maxOverhead(HESSIAN_OVERHEAD)
                        .estimator(HessianBlockEstimator.builder().partition(BlockPartition.adamMini())
                                .method(HessianBlockEstimator.Method.STOCHASTIC).maxBlocks(s.probe().blocks() * 2)
                                .probesPerBlock(s.probe().probes()).lanczosSteps(0).traceProbes(0)
                                .blockEigenvalues(false).seed(s.seed()).build())
                        .sink(new CsvReportSink(csv));
                files.add(csv);
                if (storage != null) {
                    HessianUi.attach(b, storage, stats.getSessionID());
                }
                hessian = b.build();
                listeners.add(hessian);
            }
            graph.setListeners(listeners);
            Trainer.Run run = Trainer.train(name, graph, windows, s.compareSteps(), s.batch(), s.evalEvery(),
                    s.seed() + 1, validation, hessian, log);
            if (hessian != null) {
                log.accept(String.format(Locale.ROOT, "[adammini] Hessian listener: %d probes (adamMini partition),"
                                + " last pairwiseRatio %s", hessian.history().size(), hessian.history().isEmpty() ? "-"
                                : String.format(Locale.ROOT, "%.4g",
                                hessian.history().get(hessian.history().size() - 1).pairwiseRatio())));
            }
            if (name.equals("adam")) {
                adamState = run.stateBytes();
            }
            runs.add(run);
            names.add(name);
            points.addAll(run.points());
        }
        for (int i = 0; i < runs.size(); i++) {
            Trainer.Run run = runs.get(i);
            rows.add(new LmOutput.SummaryRow(names.get(i), c, run.last().step(), run.last().valLoss(),
                    run.stateBytes(), adamState > 0 ? (double) run.stateBytes() / adamState : Double.NaN,
                    run.msPerStep()));
        }
        print(rows, runs);
        files.add(LmOutput.writeSummary(s.out().resolve("lm-summary.csv"), rows));
        files.add(LmOutput.writeCurves(s.out().resolve("lm-curves.csv"), points));
        files.add(LmOutput.plotComparison(s.out().resolve("lm-compare.png"), "C = " + c, points));
        return new Outcome(rows, points, files, uiAddress);
    }

    static void print(List<LmOutput.SummaryRow> rows, List<Trainer.Run> runs) {
        LmOutput.SummaryRow adam = LanguageModel.find(rows, "adam");
        System.out.printf(Locale.ROOT, "%n%-9s %6s %6s %9s %10s %12s %8s %8s %8s %9s%n", "optimizer", "C", "steps",
                "val loss", "val ppl", "state bytes", "vs Adam", "ms/step", "vs Adam", "train s");
        for (int i = 0; i < rows.size(); i++) {
            LmOutput.SummaryRow r = rows.get(i);
            System.out.printf(Locale.ROOT, "%-9s %6d %6d %9.4f %10.2f %12d %8s %8.1f %8s %9.1f%n", r.optimizer(),
                    r.classes(), r.steps(), r.valLoss(), Math.exp(r.valLoss()), r.stateBytes(),
                    Double.isNaN(r.stateVsAdam()) ? "-" : String.format(Locale.ROOT, "%.3fx", r.stateVsAdam()),
                    r.msPerStep(), adam == null ? "-" : String.format(Locale.ROOT, "%.2fx",
                            r.msPerStep() / adam.msPerStep()), runs.get(i).trainSeconds());
        }
    }
}
