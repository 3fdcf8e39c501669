package dev.curvature.examples.lm;

/**
 * A rough run-time model of {@code lm} for 2 unshared cores: a training step costs a fixed part (the SameDiff
 * attention layer, the updater) plus a part proportional to the output and embedding work
 * {@code batch * (hidden + dim) * C}; a Hessian-vector product costs two DOUBLE gradient evaluations on a probe
 * batch. The constants come from step timings of this model; the committed default run took longer on a machine
 * shared with other builds (docs/lm-section.md).
 */
final class TimeEstimate {
    static final double STEP_FIXED_SECONDS = 0.04;
    static final double STEP_SECONDS_PER_UNIT = 1.2e-9;
    /** DOUBLE gradient evaluations are slower than FLOAT training steps by about this factor. */
    static final double DOUBLE_FACTOR = 2.0;
    /** Muon's Newton-Schulz iterations and Adam-mini's Hessian probes add roughly this much over the four runs. */
    static final double COMPARISON_OVERHEAD = 1.3;

    private TimeEstimate() {
    }

    static double stepSeconds(int batch, LmModel.Shape s, int classes) {
        return STEP_FIXED_SECONDS + STEP_SECONDS_PER_UNIT * batch * (double) (s.hidden() + s.dim()) * classes;
    }

    static double minutes(LanguageModel.Settings s, int optimizers) {
        double seconds = 0;
        RatioSweep.Probe p = s.probe();
        int evaluations = s.compareSteps() / s.evalEvery() + 2;
        for (int c : s.classes()) {
            double step = stepSeconds(s.batch(), s.shape(), c);
            double grad = DOUBLE_FACTOR * stepSeconds(p.batchSize(), s.shape(), c);
            seconds += s.steps() * step + 2.0 * p.batches() * (2.0 * p.blocks() * p.probes() + 1) * grad;
        }
        int largest = s.classes()[s.classes().length - 1];
        double step = stepSeconds(s.batch(), s.shape(), largest);
        double eval = stepSeconds(s.valWindows(), s.shape(), largest) / 3;
        seconds += optimizers * (s.compareSteps() * step * COMPARISON_OVERHEAD + evaluations * eval);
        return seconds / 60;
    }
}
