package dev.curvature.testing;

/**
 * Slow plain-Java Muon for one matrix, straight from docs/ALGORITHMS.md section 2: lerp momentum, optional Nesterov,
 * quintic Newton-Schulz in double precision, scale by shape or by AdamW RMS. The matrix is given in the
 * orientation the optimizer sees ({@code rows x cols}, row-major {@code double[]}).
 */
public final class ReferenceMuon {
    private final double lr;
    private final double mu;
    private final boolean nesterov;
    private final int steps;
    private final double scale;
    private final int rows;
    private final int cols;
    private final double[] buf;

    public ReferenceMuon(double lr, double mu, boolean nesterov, int steps, boolean matchAdamW, int rows, int cols,
                         long fanIn, long fanOut) {
        this.lr = lr;
        this.mu = mu;
        this.nesterov = nesterov;
        this.steps = steps;
        this.scale = matchAdamW ? 0.2 * Math.sqrt(Math.max(fanIn, fanOut))
                : Math.sqrt(Math.max(1.0, (double) fanOut / fanIn));
        this.rows = rows;
        this.cols = cols;
        this.buf = new double[rows * cols];
    }

    /** The update (to subtract) for gradient {@code g} (row-major {@code rows x cols}). */
    public double[] update(double[] g) {
        double[] u = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            buf[i] = mu * buf[i] + (1 - mu) * g[i];
            u[i] = nesterov ? (1 - mu) * g[i] + mu * buf[i] : buf[i];
        }
        double[][] o = newtonSchulz(toMatrix(u), steps);
        double[] out = new double[g.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = lr * scale * o[r][c];
            }
        }
        return out;
    }

    private double[][] toMatrix(double[] flat) {
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * cols, m[r], 0, cols);
        }
        return m;
    }

    /** The quintic iteration with (a, b, c) = (3.4445, -4.7750, 2.0315). */
    public static double[][] newtonSchulz(double[][] g, int steps) {
        boolean tall = g.length > g[0].length;
        double[][] x = tall ? Matrices.transpose(g) : g;
        double norm = Matrices.frobenius(x) + 1e-7;
        double[][] y = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                y[i][j] = x[i][j] / norm;
            }
        }
        x = y;
        for (int k = 0; k < steps; k++) {
            double[][] a = Matrices.multiply(x, Matrices.transpose(x));
            double[][] aa = Matrices.multiply(a, a);
            double[][] b = new double[a.length][a.length];
            for (int i = 0; i < a.length; i++) {
                for (int j = 0; j < a.length; j++) {
                    b[i][j] = -4.7750 * a[i][j] + 2.0315 * aa[i][j];
                }
            }
            double[][] bx = Matrices.multiply(b, x);
            for (int i = 0; i < x.length; i++) {
                for (int j = 0; j < x[0].length; j++) {
                    bx[i][j] += 3.4445 * x[i][j];
                }
            }
            x = bx;
        }
        return tall ? Matrices.transpose(x) : x;
    }
}
