package dev.curvature.testing;

/**
 * Slow plain-Java Adam-mini on {@code double[]}, straight from docs/ALGORITHMS.md section 1. With every block of
 * size 1 it is Adam with the reference (PyTorch) epsilon placement.
 */
public final class ReferenceAdamMini {
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final int[] blockOf;
    private final int[] blockSize;
    private final double[] m;
    private final double[] v;

    /**
     * @param blockOf block id of each element (0..B-1)
     */
    public ReferenceAdamMini(double lr, double beta1, double beta2, double eps, int[] blockOf) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.blockOf = blockOf.clone();
        int b = ReferencePartition.numBlocks(blockOf);
        this.blockSize = new int[b];
        for (int id : blockOf) {
            blockSize[id]++;
        }
        this.m = new double[blockOf.length];
        this.v = new double[b];
    }

    /** The update (to subtract from the parameters) for gradient {@code g} at 0-based {@code iteration}. */
    public double[] update(double[] g, int iteration) {
        int t = iteration + 1;
        double[] meanSq = new double[v.length];
        for (int i = 0; i < g.length; i++) {
            meanSq[blockOf[i]] += g[i] * g[i] / blockSize[blockOf[i]];
        }
        for (int b = 0; b < v.length; b++) {
            v[b] = beta2 * v[b] + (1 - beta2) * meanSq[b];
        }
        double[] u = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            double mHat = m[i] / (1 - Math.pow(beta1, t));
            double denom = Math.sqrt(v[blockOf[i]]) / Math.sqrt(1 - Math.pow(beta2, t)) + eps;
            u[i] = lr * mHat / denom;
        }
        return u;
    }

    public int numBlocks() {
        return v.length;
    }
}
