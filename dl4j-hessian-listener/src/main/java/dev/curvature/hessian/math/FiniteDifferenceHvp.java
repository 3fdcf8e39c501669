package dev.curvature.hessian.math;

import dev.curvature.optimizers.internal.Level1;
import dev.curvature.optimizers.internal.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hessian-vector products by central differences of gradients, without double backpropagation:
 *
 * <pre>
 *   H v  ~  (g(theta + t v) - g(theta - t v)) / (2 t),     t = relativeStep * max(1, ||theta||) / ||v||
 * </pre>
 *
 * <p>so the perturbation {@code t v} has norm {@code relativeStep * max(1, ||theta||)} whatever the scale of
 * {@code v}. The truncation error is {@code O(t^2)} (third derivatives) and the round-off error is about
 * {@code machineEpsilon * ||g|| / t}: in double precision with the default step {@code 1e-5} both are about
 * {@code 1e-10} relative, while in float32 no step does better than about {@code 1e-4}, which is why
 * {@link dev.curvature.hessian.HessianBlockEstimator} evaluates gradients on a DOUBLE copy of the network
 * (docs/ALGORITHMS.md, section 5). Each product costs exactly two gradient evaluations plus a few vector operations.
 *
 * <p>Only where the function is smooth around {@code theta}: where the gradient jumps (a ReLU unit or a max-pooling
 * window switching branch within the step) the quotient picks up terms of order {@code 1/t}. For networks, give it
 * the gradient of a probe copy with frozen kinks ({@link dev.curvature.hessian.HessianOperator} does), which is
 * smooth around {@code theta} and has the same Hessian there.
 *
 * <p>Not thread-safe (it counts products and reuses a work vector). Temporaries are closed as soon as they are
 * used, so a probe of many products does not leave their native memory to the garbage collector.
 */
public final class FiniteDifferenceHvp implements LinearOperator {
    /** Default {@code relativeStep}: about the optimum for double precision. */
    public static final double DEFAULT_RELATIVE_STEP = 1e-5;

    private final GradientFunction gradient;
    private final INDArray theta;
    private final double perturbation;
    private INDArray point;
    private long products;
    private long gradientEvaluations;

    /**
     * @param gradient     the gradient of the function whose Hessian is wanted
     * @param theta        rank-1 point at which the Hessian is taken (kept by reference: do not modify it)
     * @param relativeStep norm of the perturbation relative to {@code max(1, ||theta||)}, in (0, 0.1]
     */
    public FiniteDifferenceHvp(GradientFunction gradient, INDArray theta, double relativeStep) {
        Checks.notNull("gradient", gradient);
        Checks.notNull("theta", theta);
        if (theta.rank() != 1) {
            throw new IllegalArgumentException("theta must be a rank-1 vector, got shape "
                    + java.util.Arrays.toString(theta.shape()));
        }
        checkRelativeStep(relativeStep);
        this.gradient = gradient;
        this.theta = theta;
        this.perturbation = relativeStep * Math.max(1.0, theta.norm2Number().doubleValue());
    }

    /** The one check of a relative step: in {@code (0, 0.1]}. */
    public static double checkRelativeStep(double relativeStep) {
        return Checks.inLeftOpen("relativeStep", relativeStep, 0, 0.1);
    }

    @Override
    public long dimension() {
        return theta.length();
    }

    @Override
    public INDArray apply(INDArray v) {
        if (v.length() != theta.length()) {
            throw new IllegalArgumentException("direction has length " + v.length() + ", expected " + theta.length());
        }
        products++;
        double norm = Level1.nrm2(v);
        if (norm == 0.0) {
            return theta.ulike().assign(0.0);
        }
        double t = perturbation / norm;
        if (point == null) {
            point = theta.ulike(); // reused: a probe makes many products, each would otherwise allocate it
        }
        // Vector ops through BLAS level 1 (Level1): element-wise ND4J ops right after the GEMMs of a gradient
        // evaluation contend with BLAS threads and were measured several times slower on 2 cores.
        point.assign(theta);
        Level1.axpy(t, v, point);                       // theta + t v
        INDArray plus = gradient.gradient(point);
        Level1.axpy(-2.0 * t, v, point);                // theta - t v
        INDArray minus = gradient.gradient(point);
        gradientEvaluations += 2;
        Level1.axpy(-1.0, minus, plus);
        Level1.scal(1.0 / (2.0 * t), plus);
        minus.close(); // free native memory now rather than at the next garbage collection
        return plus;
    }

    /** Norm of the perturbation {@code t v} used for every product. */
    public double perturbation() {
        return perturbation;
    }

    /** Products computed so far. */
    public long products() {
        return products;
    }

    /** Gradient evaluations so far (two per non-zero product). */
    public long gradientEvaluations() {
        return gradientEvaluations;
    }
}
