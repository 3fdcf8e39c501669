package dev.curvature.optimizers;

import dev.curvature.optimizers.internal.Checks;
import dev.curvature.optimizers.internal.Level1;
import dev.curvature.optimizers.internal.Views;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.MirroringPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Quintic Newton-Schulz orthogonalisation (Jordan et al. 2024, KellerJordan/Muon): maps a matrix {@code G} with
 * SVD {@code U S V^T} to approximately {@code U S' V^T} with every singular value {@code S'} in roughly
 * [0.68, 1.21], keeping singular vectors. Hence {@code NS(X^T) = NS(X)^T} and {@code NS(kX) = NS(X)} for
 * {@code k > 0}.
 *
 * <pre>
 *   X &lt;- G / (||G||_F + eps)            (eps = 1e-7)
 *   if rows &gt; cols: work on X^T
 *   repeat k times:  A = X X^T;  B = b A + c A A;  X = a X + B X      (a, b, c) = (3.4445, -4.7750, 2.0315)
 * </pre>
 * Cost per iteration for {@code m x n} with {@code m <= n}: three GEMMs, {@code 4 m^2 n + 2 m^3} flops.
 * All work is ND4J GEMMs and element-wise ops in the input's data type, on any backend.
 */
public final class NewtonSchulz {
    public static final double A = 3.4445;
    public static final double B = -4.7750;
    public static final double C = 2.0315;
    private static final String WORKSPACE_ID = "dl4j-curvature-newton-schulz";
    private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(0).overallocationLimit(0.1)
            .policyAllocation(AllocationPolicy.OVERALLOCATE).policyLearning(LearningPolicy.OVER_TIME)
            .policyMirroring(MirroringPolicy.FULL).policySpill(SpillPolicy.REALLOCATE).build();
    /** Added to the Frobenius norm before normalising. */
    public static final double NORM_EPS = 1e-7;

    private NewtonSchulz() {
    }

    /**
     * @param g     a 2-D matrix (not modified)
     * @param steps iterations, at least 1 (5 is the Muon default)
     * @return a new array of {@code g}'s shape and data type
     */
    public static INDArray orthogonalize(INDArray g, int steps) {
        if (g.rank() != 2) {
            throw new IllegalArgumentException("Newton-Schulz needs a 2-D matrix, got shape "
                    + java.util.Arrays.toString(g.shape()));
        }
        Checks.atLeast("steps", steps, 1);
        INDArray out = Nd4j.createUninitialized(g.dataType(), g.shape(), 'c');
        orthogonalizeInto(g, steps, NORM_EPS, out);
        return out;
    }

    /**
     * Writes {@code NS(g)} into {@code out} (same shape as {@code g}; may be {@code g} itself or a view), with
     * {@code ||g||_F + normEps} as the normaliser. Temporaries (two {@code m x n} and two {@code m x m} arrays) live
     * in a per-thread ND4J workspace that is reused across calls.
     *
     * <p>Since {@code NS(X^T) = NS(X)^T}, the iteration always runs on the wide orientation ({@code m <= n}) of
     * {@code g}, as a row-major copy: for DL4J's {@code 'f'} weights {@code [nIn, nOut]} with {@code nIn > nOut} the
     * transposed view already is row-major, so the copies in and out are plain contiguous copies, and every GEMM
     * sees row-major operands without transposed copies (a tall or column-major working matrix was measured 2-10x
     * slower than the same GEMMs on a row-major wide one).
     */
    public static void orthogonalizeInto(INDArray g, int steps, double normEps, INDArray out) {
        orthogonalizeInto(g, steps, normEps, A, B, C, out);
    }

    /**
     * The same iteration with other coefficients {@code (a, b, c)}: with {@code (2, -1.5, 0.5)} it converges to the
     * exact polar factor {@code U V^T} (the tests use that, as optax's do).
     */
    static void orthogonalizeInto(INDArray g, int steps, double normEps, double ca, double cb, double cc,
                                  INDArray out) {
        long rows = g.size(0);
        long cols = g.size(1);
        boolean transpose = rows > cols || rows == cols && !Views.rowMajor(g) && Views.rowMajor(g.transpose());
        INDArray source = transpose ? g.transpose() : g;
        INDArray target = transpose ? out.transpose() : out;
        long m = source.size(0);
        long n = source.size(1);
        // Temporaries live in a workspace reused across calls: no allocation after the first call per shape.
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, WORKSPACE_ID)) {
            INDArray x = Nd4j.createUninitialized(g.dataType(), new long[] {m, n}, 'c');
            Level1.copy(source, x);
            Level1.scal(1.0 / (Level1.nrm2(x) + normEps), x);
            INDArray y = Nd4j.createUninitialized(g.dataType(), new long[] {m, n}, 'c');
            INDArray a = Nd4j.createUninitialized(g.dataType(), new long[] {m, m}, 'c');
            INDArray b = Nd4j.createUninitialized(g.dataType(), new long[] {m, m}, 'c');
            for (int k = 0; k < steps; k++) {
                Nd4j.gemm(x, x, a, false, true, 1.0, 0.0);          // A = X X^T
                Nd4j.gemm(a, a, b, false, false, cc, 0.0);          // B = c A A
                Level1.axpy(cb, a, b);                              // B = b A + c A A
                Nd4j.gemm(b, x, y, false, false, 1.0, 0.0);         // Y = B X
                Level1.axpy(ca, x, y);                              // Y = a X + B X
                INDArray t = x;
                x = y;
                y = t;
            }
            Level1.copy(x, target);
        }
    }

    /** Floating-point operations of {@link #orthogonalize} for a {@code rows x cols} matrix. */
    public static double flops(long rows, long cols, int steps) {
        double m = Math.min(rows, cols);
        double n = Math.max(rows, cols);
        return steps * (4 * m * m * n + 2 * m * m * m);
    }
}
