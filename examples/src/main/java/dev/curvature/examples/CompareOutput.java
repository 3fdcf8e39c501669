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
final class CompareOutput {
    static final String CURVES_HEADER = "model,optimizer,step,epoch,train_seconds,train_loss,test_loss,test_accuracy";
    static final String SUMMARY_HEADER = "model,optimizer,settings,final_test_accuracy,best_test_accuracy,"
            + "final_test_loss,target_accuracy,steps_to_target,seconds_to_target,state_bytes,state_vs_adam,"
            + "ms_per_step,step_time_vs_adam,steps,train_seconds,hessian_probes,first_pairwise_ratio,"
            + "last_pairwise_ratio";

    private CompareOutput() {
    }

    static Path writeCurves(Path file, List<Compare.Point> points) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(CURVES_HEADER);
        for (Compare.Point p : points) {
            lines.add(String.format(Locale.ROOT, "%s,%s,%d,%d,%.4f,%.6f,%.6f,%.6f", p.model(), p.optimizer(), p.step(),
                    p.epoch(), p.trainSeconds(), p.trainLoss(), p.testLoss(), p.testAccuracy()));
        }
        Compare.writeLines(file, lines);
        return file;
    }

    static Path writeSummary(Path file, List<Compare.Summary> summaries, double target) throws IOException {
        Compare.Summary adam = summaries.stream().filter(s -> s.optimizer().equals("adam")).findFirst().orElse(null);
        List<String> lines = new ArrayList<>();
        lines.add(SUMMARY_HEADER);
        for (Compare.Summary s : summaries) {
            int probes = s.hessian().size();
            lines.add(String.format(Locale.ROOT, "%s,%s,\"%s\",%.6f,%.6f,%.6f,%.4f,%d,%.4f,%d,%s,%.4f,%s,%d,%.3f,%d,%s,%s",
                    s.model(), s.optimizer(), s.settings(), s.finalAccuracy(), s.bestAccuracy(), s.finalLoss(), target,
                    s.stepsToTarget(), s.secondsToTarget(), s.stateBytes(),
                    adam == null ? "" : String.format(Locale.ROOT, "%.4f", (double) s.stateBytes() / adam.stateBytes()),
                    s.msPerStep(),
                    adam == null ? "" : String.format(Locale.ROOT, "%.4f", s.msPerStep() / adam.msPerStep()),
                    s.steps(), s.trainSeconds(), probes,
                    probes == 0 ? "" : String.format(Locale.ROOT, "%.6g", s.hessian().get(0).pairwiseRatio()),
                    probes == 0 ? "" : String.format(Locale.ROOT, "%.6g", s.hessian().get(probes - 1).pairwiseRatio())));
        }
        Compare.writeLines(file, lines);
        return file;
    }

    /** Three panels side by side: test accuracy against steps, against training seconds, test loss against steps. */
    static Path plot(Path file, String title, List<Compare.Point> points, double target) throws IOException {
        XYChart accSteps = chart(title + ": test accuracy", "optimizer steps", "test accuracy");
        XYChart accTime = chart("test accuracy against training time", "training seconds", "test accuracy");
        XYChart loss = chart("test loss (cross-entropy)", "optimizer steps", "test loss");
        Set<String> optimizers = new LinkedHashSet<>();
        points.forEach(p -> optimizers.add(p.optimizer()));
        for (String o : optimizers) {
            List<Compare.Point> s = points.stream().filter(p -> p.optimizer().equals(o)).toList();
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
        int w = 560;
        int h = 420;
        BufferedImage image = new BufferedImage(3 * w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        XYChart[] charts = {accSteps, accTime, loss};
        for (int i = 0; i < charts.length; i++) {
            Graphics2D panel = (Graphics2D) g.create(i * w, 0, w, h);
            charts[i].paint(panel, w, h);
            panel.dispose();
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(560).height(420).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        c.getStyler().setMarkerSize(4);
        return c;
    }

    private static void add(XYChart chart, String name, List<Compare.Point> s, ToDoubleFunction<Compare.Point> x,
                            ToDoubleFunction<Compare.Point> y) {
        if (!s.isEmpty()) {
            chart.addSeries(name, s.stream().mapToDouble(x).toArray(), s.stream().mapToDouble(y).toArray());
        }
    }
}
