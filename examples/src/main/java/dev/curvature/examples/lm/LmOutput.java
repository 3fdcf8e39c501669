package dev.curvature.examples.lm;

import dev.curvature.examples.CompareOutput;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static dev.curvature.examples.CompareOutput.add;
import static dev.curvature.examples.CompareOutput.chart;

/** CSV and PNG output of the {@code lm} command. */
final class LmOutput {
    static final String RATIO_HEADER = "classes,phase,layer,pairwise_ratio,standard_error";
    static final String SUMMARY_HEADER = "optimizer,classes,steps,val_loss,val_perplexity,state_bytes,state_vs_adam,"
            + "ms_per_step";
    static final String CURVES_HEADER = "optimizer,classes,step,train_seconds,train_loss,val_loss,val_perplexity";

    private LmOutput() {
    }

    /** One row of lm-ratio.csv. */
    record RatioRow(int classes, String phase, String layer, double ratio, double standardError) {
    }

    /** One row of lm-summary.csv. */
    record SummaryRow(String optimizer, int classes, int steps, double valLoss, long stateBytes, double stateVsAdam,
                      double msPerStep) {
    }

    static Path writeRatios(Path file, List<RatioRow> rows) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println(RATIO_HEADER);
            for (RatioRow r : rows) {
                w.printf(Locale.ROOT, "%d,%s,%s,%.6g,%.3g%n", r.classes(), r.phase(), r.layer(), r.ratio(),
                        r.standardError());
            }
        }
        return file;
    }

    static Path writeSummary(Path file, List<SummaryRow> rows) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println(SUMMARY_HEADER);
            for (SummaryRow r : rows) {
                w.printf(Locale.ROOT, "%s,%d,%d,%.6f,%.4f,%d,%s,%.3f%n", r.optimizer(), r.classes(), r.steps(),
                        r.valLoss(), Math.exp(r.valLoss()), r.stateBytes(),
                        Double.isNaN(r.stateVsAdam()) ? "" : String.format(Locale.ROOT, "%.4f", r.stateVsAdam()),
                        r.msPerStep());
            }
        }
        return file;
    }

    static Path writeCurves(Path file, List<Trainer.Point> points) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println(CURVES_HEADER);
            for (Trainer.Point p : points) {
                w.printf(Locale.ROOT, "%s,%d,%d,%.4f,%s,%.6f,%.4f%n", p.optimizer(), p.classes(), p.step(),
                        p.trainSeconds(), Double.isNaN(p.trainLoss()) ? "" : String.format(Locale.ROOT, "%.6f",
                                p.trainLoss()), p.valLoss(), p.valPerplexity());
            }
        }
        return file;
    }

    /** Log-log plot of the output layer's ratio against C, init and trained, +-1 standard error, slope -1 line. */
    static Path plotRatios(Path file, List<RatioRow> rows, double initSlope, double trainedSlope, String title)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(760).height(560).title(title)
                .xAxisTitle("vocabulary size C").yAxisTitle("output layer pairwiseRatio (mean ± 1 s.e.)").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSW);
        double top = 0;
        double[] cs = null;
        Color[] colours = {new Color(31, 119, 180), new Color(214, 39, 40)};
        int k = 0;
        for (String phase : List.of("init", "trained")) {
            List<RatioRow> s = rows.stream().filter(r -> r.phase().equals(phase) && r.ratio() > 0).toList();
            if (s.isEmpty()) {
                continue;
            }
            cs = s.stream().mapToDouble(RatioRow::classes).toArray();
            double[] y = s.stream().mapToDouble(RatioRow::ratio).toArray();
            double slope = phase.equals("init") ? initSlope : trainedSlope;
            XYSeries series = chart.addSeries(String.format(Locale.ROOT, "%s (slope %.3f)", phase, slope), cs, y);
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setLineColor(colours[k]);
            series.setMarkerColor(colours[k]);
            for (int sign : new int[] {1, -1}) {
                double[] band = s.stream().mapToDouble(r -> Math.max(r.ratio() + sign * nanToZero(r.standardError()),
                        0.05 * r.ratio())).toArray();
                XYSeries b = chart.addSeries(phase + (sign > 0 ? " +" : " -") + " 1 s.e.", cs, band);
                b.setMarker(SeriesMarkers.NONE);
                b.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DOT_DOT);
                b.setLineColor(colours[k]);
                b.setShowInLegend(false);
            }
            top = Math.max(top, Arrays.stream(y).max().orElse(top));
            k++;
        }
        if (cs != null && cs.length >= 2) {
            double c0 = cs[0];
            double y0 = top * 2;
            double[] xs = cs;
            XYSeries ref = chart.addSeries("slope -1", xs, Arrays.stream(xs).map(c -> y0 * c0 / c).toArray());
            ref.setMarker(SeriesMarkers.NONE);
            ref.setLineColor(Color.GRAY);
            ref.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    private static double nanToZero(double x) {
        return Double.isNaN(x) ? 0 : x;
    }

    /** Three panels: validation loss against steps, against training seconds, validation perplexity against steps. */
    static Path plotComparison(Path file, String title, List<Trainer.Point> points) throws IOException {
        XYChart lossSteps = chart(title + ": validation loss", "optimizer steps", "validation cross-entropy");
        XYChart lossTime = chart("validation loss against training time", "training seconds (warm-up excluded)",
                "validation cross-entropy");
        XYChart ppl = chart("validation perplexity", "optimizer steps", "validation perplexity (log)");
        ppl.getStyler().setYAxisLogarithmic(true);
        Set<String> optimizers = new LinkedHashSet<>();
        points.forEach(p -> optimizers.add(p.optimizer()));
        for (String o : optimizers) {
            List<Trainer.Point> s = points.stream().filter(p -> p.optimizer().equals(o)).toList();
            add(lossSteps, o, s, Trainer.Point::step, Trainer.Point::valLoss);
            add(lossTime, o, s, Trainer.Point::trainSeconds, Trainer.Point::valLoss);
            add(ppl, o, s, Trainer.Point::step, Trainer.Point::valPerplexity);
        }
        return CompareOutput.writePanels(file, lossSteps, lossTime, ppl);
    }
}
