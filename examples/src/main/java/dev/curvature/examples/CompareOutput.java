package dev.curvature.examples;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** CSV and PNG output of {@link Compare}. */
public final class CompareOutput {
    static final String CURVES_HEADER = "model,optimizer,seed,step,epoch,train_seconds,train_loss,test_loss,"
            + "test_accuracy";
    static final String SUMMARY_HEADER = "model,optimizer,settings,seed,final_test_accuracy,best_test_accuracy,"
            + "final_test_loss,target_accuracy,steps_to_target,seconds_to_target,state_bytes,state_vs_adam,"
            + "ms_per_step,step_time_vs_adam,steps,train_seconds,probe_seconds,hessian_probes,first_pairwise_ratio,"
            + "last_pairwise_ratio";
    static final String AGGREGATE_HEADER = "model,optimizer,settings,seeds,final_test_accuracy_mean,"
            + "final_test_accuracy_sd,best_test_accuracy_mean,best_test_accuracy_sd,final_test_loss_mean,"
            + "final_test_loss_sd,target_accuracy,reached,not_reached,steps_to_target_mean,steps_to_target_sd,"
            + "seconds_to_target_mean,seconds_to_target_sd,ms_per_step_mean,ms_per_step_sd,train_seconds_mean,"
            + "train_seconds_sd,state_bytes";

    private CompareOutput() {
    }

    static Path writeCurves(Path file, List<Compare.Point> points) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(CURVES_HEADER);
        for (Compare.Point p : points) {
            lines.add(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.4f,%.6f,%.6f,%.6f", p.model(), p.optimizer(),
                    p.seed(), p.step(), p.epoch(), p.trainSeconds(), p.trainLoss(), p.testLoss(), p.testAccuracy()));
        }
        Compare.writeLines(file, lines);
        return file;
    }

    static Path writeSummary(Path file, List<Compare.Summary> summaries, double target) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(SUMMARY_HEADER);
        for (Compare.Summary s : summaries) {
            // ratios against Adam of the same seed
            Compare.Summary adam = summaries.stream().filter(x -> x.optimizer().equals("adam") && x.seed() == s.seed())
                    .findFirst().orElse(null);
            int probes = s.hessian().size();
            lines.add(String.format(Locale.ROOT,
                    "%s,%s,\"%s\",%d,%.6f,%.6f,%.6f,%.4f,%d,%.4f,%d,%s,%.4f,%s,%d,%.3f,%.3f,%d,%s,%s",
                    s.model(), s.optimizer(), s.settings(), s.seed(), s.finalAccuracy(), s.bestAccuracy(),
                    s.finalLoss(), target,
                    s.stepsToTarget(), s.secondsToTarget(), s.stateBytes(),
                    adam == null ? "" : String.format(Locale.ROOT, "%.4f", (double) s.stateBytes() / adam.stateBytes()),
                    s.msPerStep(),
                    adam == null ? "" : String.format(Locale.ROOT, "%.4f", s.msPerStep() / adam.msPerStep()),
                    s.steps(), s.trainSeconds(), s.probeSeconds(), probes,
                    probes == 0 ? "" : String.format(Locale.ROOT, "%.6g", s.hessian().get(0).pairwiseRatio()),
                    probes == 0 ? "" : String.format(Locale.ROOT, "%.6g", s.hessian().get(probes - 1).pairwiseRatio())));
        }
        Compare.writeLines(file, lines);
        return file;
    }

    static Path writeAggregate(Path file, List<CompareStats.Aggregate> aggregates, double target) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(AGGREGATE_HEADER);
        for (CompareStats.Aggregate a : aggregates) {
            lines.add(String.join(",", a.model(), a.optimizer(), "\"" + a.settings() + "\"",
                    Integer.toString(a.seeds()), num(a.finalAccuracy()), num(a.bestAccuracy()), num(a.finalLoss()),
                    String.format(Locale.ROOT, "%.4f", target), Integer.toString(a.reached()),
                    Integer.toString(a.notReached()), num(a.stepsToTarget()), num(a.secondsToTarget()),
                    num(a.msPerStep()), num(a.trainSeconds()), Long.toString(a.stateBytes())));
        }
        Compare.writeLines(file, lines);
        return file;
    }

    /** {@code mean,sd}; empty fields for NaN (no value, or sd of one value). */
    private static String num(CompareStats.MeanSd m) {
        return (Double.isNaN(m.mean()) ? "" : String.format(Locale.ROOT, "%.6g", m.mean())) + ","
                + (Double.isNaN(m.sd()) ? "" : String.format(Locale.ROOT, "%.6g", m.sd()));
    }

    static void printAggregates(String title, List<CompareStats.Aggregate> aggregates, double target) {
        int seeds = aggregates.isEmpty() ? 0 : aggregates.get(0).seeds();
        System.out.printf(Locale.ROOT, "%n%s, mean ± sd over %d seeds%n%-9s %17s %17s %15s %9s %15s %15s%n", title,
                seeds, "optimizer", "test acc", "best acc", "steps>=" + target, "reached", "seconds>=" + target,
                "ms/step");
        for (CompareStats.Aggregate a : aggregates) {
            System.out.printf(Locale.ROOT, "%-9s %17s %17s %15s %9s %15s %15s%n", a.optimizer(),
                    a.finalAccuracy().format("%.4f"), a.bestAccuracy().format("%.4f"),
                    a.stepsToTarget().format("%.0f"), a.reached() + "/" + a.seeds(),
                    a.secondsToTarget().format("%.1f"), a.msPerStep().format("%.2f"));
        }
        for (CompareStats.Aggregate a : aggregates) {
            System.out.println("  " + a.optimizer() + ": " + a.settings());
        }
    }

    /**
     * Three panels side by side: test accuracy against steps, against training seconds, test loss against steps.
     * With several seeds each curve is the mean over the seeds, point by point (the evaluation steps are the same).
     */
    static Path plot(Path file, String title, List<Compare.Point> points, double target) throws IOException {
        XYChart accSteps = chart(title + ": test accuracy", "optimizer steps", "test accuracy");
        XYChart accTime = chart("test accuracy against training time", "training seconds", "test accuracy");
        XYChart loss = chart("test loss (cross-entropy)", "optimizer steps", "test loss");
        Set<String> optimizers = new LinkedHashSet<>();
        points.forEach(p -> optimizers.add(p.optimizer()));
        for (String o : optimizers) {
            List<Compare.Point> s = meanOverSeeds(points.stream().filter(p -> p.optimizer().equals(o)).toList());
            add(accSteps, o, s, Compare.Point::step, Compare.Point::testAccuracy);
            add(accTime, o, s, Compare.Point::trainSeconds, Compare.Point::testAccuracy);
            add(loss, o, s, Compare.Point::step, Compare.Point::testLoss);
        }
        if (!points.isEmpty()) {
            double maxStep = points.stream().mapToDouble(Compare.Point::step).max().orElse(1);
            XYSeries t = accSteps.addSeries("target " + target, new double[] {0, maxStep}, new double[] {target, target});
            t.setMarker(SeriesMarkers.NONE);
            t.setLineColor(Color.GRAY);
        }
        return writePanels(file, accSteps, accTime, loss);
    }

    /** Writes the charts side by side into one PNG, each panel 560 x 420. */
    public static Path writePanels(Path file, XYChart... charts) throws IOException {
        int w = 560;
        int h = 420;
        BufferedImage image = new BufferedImage(charts.length * w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        for (int i = 0; i < charts.length; i++) {
            Graphics2D panel = (Graphics2D) g.create(i * w, 0, w, h);
            charts[i].paint(panel, w, h);
            panel.dispose();
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    /** The points of one optimizer averaged over seeds, by position (train loss skips the NaN at step 0). */
    static List<Compare.Point> meanOverSeeds(List<Compare.Point> points) {
        java.util.Map<Long, List<Compare.Point>> bySeed = new java.util.LinkedHashMap<>();
        points.forEach(p -> bySeed.computeIfAbsent(p.seed(), k -> new ArrayList<>()).add(p));
        if (bySeed.size() <= 1) {
            return points;
        }
        int n = bySeed.values().stream().mapToInt(List::size).min().orElse(0);
        List<Compare.Point> mean = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final int k = i;
            List<Compare.Point> at = bySeed.values().stream().map(l -> l.get(k)).toList();
            Compare.Point f = at.get(0);
            mean.add(new Compare.Point(f.model(), f.optimizer(), -1, f.step(), f.epoch(),
                    avg(at, Compare.Point::trainSeconds), avg(at, Compare.Point::trainLoss),
                    avg(at, Compare.Point::testLoss), avg(at, Compare.Point::testAccuracy)));
        }
        return mean;
    }

    private static double avg(List<Compare.Point> at, ToDoubleFunction<Compare.Point> f) {
        return at.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    /** A line chart of one panel (560 x 420), as every multi-panel PNG of the examples draws it. */
    public static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(560).height(420).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        c.getStyler().setMarkerSize(4);
        return c;
    }

    /** Adds one series of points (none when {@code s} is empty). */
    public static <T> void add(XYChart chart, String name, List<T> s, ToDoubleFunction<T> x, ToDoubleFunction<T> y) {
        if (!s.isEmpty()) {
            chart.addSeries(name, s.stream().mapToDouble(x).toArray(), s.stream().mapToDouble(y).toArray());
        }
    }
}
