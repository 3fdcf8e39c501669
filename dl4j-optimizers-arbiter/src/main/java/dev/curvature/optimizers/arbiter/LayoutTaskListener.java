package dev.curvature.optimizers.arbiter;

import dev.curvature.optimizers.Layouts;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.task.TaskListener;
import org.deeplearning4j.nn.api.Model;

/**
 * An Arbiter {@link TaskListener} that stamps parameter layouts into every candidate network
 * ({@link Layouts#attach}) after Arbiter's task creator has called {@code init()} and before it trains, then hands
 * the model to an optional user listener.
 *
 * <p>Arbiter's {@code MultiLayerNetworkTaskCreator} and {@code ComputationGraphTaskCreator} build each candidate
 * with {@code new MultiLayerNetwork(conf); net.init();} and DL4J offers no hook that runs code when a network is
 * created; their {@code TaskListener.preProcess(model, candidate)} is the one place where code runs between
 * {@code init()} and the first {@code fit}. {@link CurvatureTaskCreators} builds those task creators with this
 * listener wired in. Networks without Adam-mini or Muon are left unchanged ({@code Layouts.attach} only touches
 * layout-aware updaters).
 *
 * <p>If you set your own listener on a task creator, chain it through this one
 * ({@code new LayoutTaskListener(yours)}) rather than replacing it: an un-stamped candidate fails at its first
 * training step with an error naming {@code Layouts.attach}, and Arbiter reports that candidate as failed.
 */
public final class LayoutTaskListener implements TaskListener {
    private static final long serialVersionUID = 1L;

    private final TaskListener next;

    /** Stamps layouts; no further listener. */
    public LayoutTaskListener() {
        this(null);
    }

    /**
     * Stamps layouts, then calls {@code next} (may be null).
     *
     * @param next a user listener; its {@code preProcess} sees the stamped model
     */
    public LayoutTaskListener(TaskListener next) {
        if (next instanceof LayoutTaskListener) {
            throw new IllegalArgumentException("next is already a LayoutTaskListener; pass the listener it chains to");
        }
        this.next = next;
    }

    /** The chained user listener, or null. */
    public TaskListener getNext() {
        return next;
    }

    /**
     * Stamps {@code model}, then runs the chained listener. If that listener returns a different model, the returned
     * one is stamped too (attach is idempotent), so whatever Arbiter trains is stamped.
     */
    @Override
    public <T extends Model> T preProcess(T model, Candidate candidate) {
        T stamped = Layouts.attach(model);
        if (next == null) {
            return stamped;
        }
        T processed = next.preProcess(stamped, candidate);
        return processed == stamped || processed == null ? processed : Layouts.attach(processed);
    }

    @Override
    public void postProcess(Model model, Candidate candidate) {
        if (next != null) {
            next.postProcess(model, candidate);
        }
    }

    @Override
    public String toString() {
        return "LayoutTaskListener(" + (next == null ? "" : "then " + next) + ")";
    }
}
