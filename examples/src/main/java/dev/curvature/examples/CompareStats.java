package dev.curvature.examples;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The {@code --seeds} aggregation of {@link Compare}: per network and optimizer, mean and sample standard deviation
 * (divisor {@code n - 1}; NaN for one value) over the seeds, and the time-to-target verdict.
 */
final class CompareStats {
    private CompareStats() {
    }

    /** Mean and sample standard deviation of {@code n} values. */
    record MeanSd(double mean, double sd, int n) {
        static MeanSd of(double[] v) {
            if (v.length == 0) {
                return new MeanSd(Double.NaN, Double.NaN, 0);
            }
            double sum = 0;
            for (double x : v) {
                sum += x;
            }
            double mean = sum / v.length;
            double ss = 0;
            for (double x : v) {
                ss += (x - mean) * (x - mean);
            }
            return new MeanSd(mean, v.length < 2 ? Double.NaN : Math.sqrt(ss / (v.length - 1)), v.length);
        }

        /** {@code mean ± sd} with the given format, {@code mean} alone for one value, {@code -} for none. */
        String format(String f) {
            if (n == 0) {
                return "-";
            }
            String m = String.format(Locale.ROOT, f, mean);
            return n < 2 ? m : m + " ± " + String.format(Locale.ROOT, f, sd);
        }
    }

    /**
     * One optimizer on one network over all seeds. Steps and seconds to the target are over the seeds that reached
     * it ({@code reached} of {@code seeds}).
     */
    record Aggregate(String model, String optimizer, String settings, int seeds, MeanSd finalAccuracy,
                     MeanSd bestAccuracy, MeanSd finalLoss, int reached, MeanSd stepsToTarget,
                     MeanSd secondsToTarget, MeanSd msPerStep, MeanSd trainSeconds, long stateBytes) {
        int notReached() {
            return seeds - reached;
        }
    }

    /** One aggregate per (network, optimizer), in the order they first appear in {@code summaries}. */
    static List<Aggregate> aggregate(List<Compare.Summary> summaries) {
        Map<String, List<Compare.Summary>> groups = new LinkedHashMap<>();
        for (Compare.Summary s : summaries) {
            groups.computeIfAbsent(s.model() + "\u0000" + s.optimizer(), k -> new ArrayList<>()).add(s);
        }
        List<Aggregate> out = new ArrayList<>();
        for (List<Compare.Summary> g : groups.values()) {
            Compare.Summary first = g.get(0);
            List<Compare.Summary> hit = g.stream().filter(s -> s.stepsToTarget() >= 0).toList();
            out.add(new Aggregate(first.model(), first.optimizer(), first.settings(), g.size(),
                    of(g, Compare.Summary::finalAccuracy), of(g, Compare.Summary::bestAccuracy),
                    of(g, Compare.Summary::finalLoss), hit.size(), of(hit, Compare.Summary::stepsToTarget),
                    of(hit, Compare.Summary::secondsToTarget), of(g, Compare.Summary::msPerStep),
                    of(g, Compare.Summary::trainSeconds), first.stateBytes()));
        }
        return out;
    }

    private static MeanSd of(List<Compare.Summary> g, ToDoubleFunction<Compare.Summary> f) {
        return MeanSd.of(g.stream().mapToDouble(f).toArray());
    }

    /**
     * Which optimizer reaches the target first in wall time, and by how much against the runner-up: ranked by mean
     * seconds to the target among the optimizers that reached it in every seed; the others are named as such.
     */
    static String verdict(List<Aggregate> model, double target) {
        List<Aggregate> always = new ArrayList<>(model.stream().filter(a -> a.notReached() == 0).toList());
        always.sort(Comparator.comparingDouble(a -> a.secondsToTarget().mean()));
        StringBuilder sb = new StringBuilder();
        String pct = String.format(Locale.ROOT, "%.0f%%", 100 * target);
        if (always.isEmpty()) {
            sb.append("no optimizer reached ").append(pct).append(" test accuracy in every seed");
        } else {
            Aggregate w = always.get(0);
            sb.append(String.format(Locale.ROOT, "%s reaches %s first in wall time: %.1f s (%.0f steps)", w.optimizer(),
                    pct, w.secondsToTarget().mean(), w.stepsToTarget().mean()));
            if (always.size() > 1) {
                Aggregate r = always.get(1);
                sb.append(String.format(Locale.ROOT, "; runner-up %s %.1f s (%.0f steps), %.2fx %s's time",
                        r.optimizer(), r.secondsToTarget().mean(), r.stepsToTarget().mean(),
                        r.secondsToTarget().mean() / w.secondsToTarget().mean(), w.optimizer()));
            }
            Aggregate fewest = model.stream().filter(a -> a.notReached() == 0)
                    .min(Comparator.comparingDouble(a -> a.stepsToTarget().mean())).orElseThrow();
            if (fewest != w) {
                sb.append(String.format(Locale.ROOT, "; fewest steps: %s (%.0f)", fewest.optimizer(),
                        fewest.stepsToTarget().mean()));
            }
        }
        for (Aggregate a : model) {
            if (a.notReached() > 0) {
                sb.append(String.format(Locale.ROOT, "; %s did not reach it in %d of %d seeds", a.optimizer(),
                        a.notReached(), a.seeds()));
            }
        }
        return sb.toString();
    }
}
