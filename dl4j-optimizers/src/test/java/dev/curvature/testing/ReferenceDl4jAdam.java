package dev.curvature.testing;

/**
 * Plain-Java Adam with DL4J's epsilon placement ({@code lr sqrt(1-beta2^t)/(1-beta1^t) m / (sqrt(v) + eps)}), the
 * reference for the DL4J {@code Adam} that Muon uses as its default auxiliary updater.
 */
public final class ReferenceDl4jAdam {
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double[] m;
    private final double[] v;

    public ReferenceDl4jAdam(double lr, double beta1, double beta2, double eps, int n) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.m = new double[n];
        this.v = new double[n];
    }

    public double[] update(double[] g, int iteration) {
        int t = iteration + 1;
        double alpha = lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
        double[] u = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            u[i] = alpha * m[i] / (Math.sqrt(v[i]) + eps);
        }
        return u;
    }
}
