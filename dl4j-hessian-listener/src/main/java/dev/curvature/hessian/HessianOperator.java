package dev.curvature.hessian;

import dev.curvature.hessian.internal.ProbeBatches;
import dev.curvature.hessian.internal.ProbeCopy;
import dev.curvature.hessian.math.FiniteDifferenceHvp;
import dev.curvature.hessian.math.LinearOperator;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.time.Duration;
import java.util.List;

/**
 * The Hessian of a network's mean loss on one batch, at its parameters when the operator was made (or last
 * {@link #refresh refreshed}), as Hessian-vector products over the whole flat parameter vector (in the order of
 * {@code model.params()}, DOUBLE). What {@link HessianBlockEstimator} builds its measurements on, for users who want
 * products, quadratic forms or their own eigen-solvers (as PyHessian or curvlinops give in PyTorch).
 *
 * <p>Products are exact for the networks people train: the private copy the products run on freezes each kinked
 * unit's piece at the current parameters (ReLU-family and hard activations, max pooling in 1-D, 2-D, 3-D and global,
 * PReLU layers, element-wise max; see docs/ALGORITHMS.md, section 5 "Exact Hessian-vector products"), so central differences of
 * its gradients, {@code (g(theta + t v) - g(theta - t v)) / (2 t)}, carry only their {@code O(t^2)} truncation error
 * (about 1e-10 relative in DOUBLE) and follow autograd's conventions at a kink (relu'(0) = 0, DL4J's arg-max at a
 * tie). {@link #notExact()} names what could not be frozen (kinked losses, kinks inside SameDiff layers). The
 * training network is never touched.
 *
 * <p>Cost: one product = two gradient evaluations of the DOUBLE copy on the batch; making or refreshing the
 * operator costs one more (the recording). Not thread-safe.
 */
public final class HessianOperator implements LinearOperator, AutoCloseable {
    private final ProbeCopy copy;
    private final boolean ownsCopy;
    private final double relativeStep;
    private INDArray theta;
    private FiniteDifferenceHvp products;
    private Duration recording;
    private long productsBefore;

    private HessianOperator(ProbeCopy copy, boolean ownsCopy, double relativeStep) {
        this.copy = copy;
        this.ownsCopy = ownsCopy;
        this.relativeStep = relativeStep;
        record();
    }

    /** The exact Hessian of {@code model}'s mean loss on {@code batch} at its current parameters. */
    public static HessianOperator of(Model model, DataSet batch) {
        return of(model, ProbeBatches.toMulti(batch), true, FiniteDifferenceHvp.DEFAULT_RELATIVE_STEP);
    }

    /**
     * @param freezeKinks  freeze the kinks (exact products, the default); false: plain central differences of the
     *                     network's gradients, biased wherever a unit switches branch within the step
     * @param relativeStep difference step relative to {@code max(1, ||theta||)}, in (0, 0.1] (default 1e-5)
     */
    public static HessianOperator of(Model model, MultiDataSet batch, boolean freezeKinks, double relativeStep) {
        FiniteDifferenceHvp.checkRelativeStep(relativeStep);
        return new HessianOperator(ProbeCopy.of(model, batch, freezeKinks), true, relativeStep);
    }

    /** An operator on a probe copy owned by the caller (the estimator and listener keep theirs between probes). */
    static HessianOperator on(ProbeCopy copy, double relativeStep) {
        return new HessianOperator(copy, false, relativeStep);
    }

    private void record() {
        if (theta != null) {
            theta.close();
        }
        productsBefore = products == null ? 0 : products.products() + productsBefore;
        theta = copy.parameters().dup();
        long start = System.nanoTime();
        copy.record(theta).close();
        recording = Duration.ofNanos(System.nanoTime() - start);
        products = new FiniteDifferenceHvp(copy.gradientFunction(), theta, relativeStep);
    }

    /** Takes {@code model}'s current parameters (same structure as when made) and records its kinks there. */
    public void refresh(Model model) {
        copy.refresh(model);
        record();
    }

    @Override
    public long dimension() {
        return theta.length();
    }

    /** {@code H v} for a DOUBLE rank-1 {@code v} of length {@link #dimension()}. */
    @Override
    public INDArray apply(INDArray v) {
        return products.apply(v);
    }

    /** The parameters the Hessian is taken at (a DOUBLE copy; do not modify). */
    public INDArray parameters() {
        return theta;
    }

    /** Parts of the network whose products are not exact, {@code "layer (what)"}; empty when all are. */
    public List<String> notExact() {
        return copy.kinks().notExact();
    }

    /** Kinked parts that were frozen, {@code "layer (what)"}. */
    public List<String> frozen() {
        return copy.kinks().frozen();
    }

    /** Time the last recording of the kinks took. */
    public Duration recording() {
        return recording;
    }

    /** Hessian-vector products made since the operator was made. */
    public long products() {
        return productsBefore + products.products();
    }

    /** Gradient evaluations of the copy so far, recordings included. */
    public long gradientEvaluations() {
        return copy.gradientEvaluations();
    }

    /** Frees the copy (if this operator made it) and its arrays. */
    @Override
    public void close() {
        theta.close();
        if (ownsCopy) {
            copy.close();
        }
    }
}
