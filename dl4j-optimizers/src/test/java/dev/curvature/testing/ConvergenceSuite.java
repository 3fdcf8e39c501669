package dev.curvature.testing;

import dev.curvature.optimizers.layout.LayoutAware;
import dev.curvature.optimizers.layout.ParamLayout;
import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;
import java.util.Random;

/**
 * Shared convergence problems for every optimizer (the optax habit): an ill-conditioned quadratic, a sum of 2-D
 * Rosenbrock valleys and a softmax classifier, each a single matrix parameter with a declared layout, driven
 * through the optimizer's own {@code GradientUpdater} exactly as DL4J drives it.
 */
public final class ConvergenceSuite {
    private ConvergenceSuite() {
    }

    /** A smooth objective of one parameter matrix. */
    public interface Problem {
        String name();

        ParamSpec spec();

        INDArray initial();

        double loss(INDArray x);

        INDArray gradient(INDArray x);
    }

    public static List<Problem> problems() {
        return List.of(quadratic(), rosenbrock(), softmaxClassifier());
    }

    /**
     * Loss after each of {@code steps} steps of {@code updater} on {@code problem} (element 0: initial loss).
     */
    public static double[] run(IUpdater updater, Problem problem, int steps) {
        IUpdater config = updater instanceof LayoutAware la ? la.withLayout(ParamLayout.of(problem.spec())) : updater;
        INDArray x = problem.initial().dup('f');
        long length = x.length();
        long stateSize = config.stateSize(length);
        GradientUpdater<?> u = config.instantiate(stateSize == 0 ? null : Nd4j.create(DataType.DOUBLE, 1, stateSize), true);
        double[] losses = new double[steps + 1];
        losses[0] = problem.loss(x);
        for (int t = 0; t < steps; t++) {
            INDArray g = problem.gradient(x).dup('f');
            INDArray flat = g.reshape('f', 1, length);
            u.applyUpdater(flat, t, 0);
            x.subi(flat.reshape('f', x.shape()));
            losses[t + 1] = problem.loss(x);
        }
        return losses;
    }

    /** First step at which the loss is at or below {@code target}, or -1. */
    public static int stepsToReach(double[] losses, double target) {
        for (int i = 0; i < losses.length; i++) {
            if (losses[i] <= target) {
                return i;
            }
        }
        return -1;
    }

    /** f(W) = 0.5 sum a_ij (W_ij - 1)^2 on W [8, 6], curvatures spanning four decades across neurons. */
    public static Problem quadratic() {
        Random rnd = new Random(1);
        INDArray a = Nd4j.create(DataType.DOUBLE, new long[] {8, 6}, 'f');
        for (int j = 0; j < 6; j++) {
            double scale = Math.pow(10, -2 + 4.0 * j / 5);
            for (int i = 0; i < 8; i++) {
                a.putScalar(i, j, scale * (0.5 + rnd.nextDouble()));
            }
        }
        return new Problem() {
            public String name() {
                return "quadratic";
            }

            public ParamSpec spec() {
                return new ParamSpec("suite", "W", ParamRole.DENSE_WEIGHT, new long[] {8, 6}, 'f', false);
            }

            public INDArray initial() {
                return Nd4j.zeros(DataType.DOUBLE, 8, 6);
            }

            public double loss(INDArray x) {
                INDArray d = x.sub(1.0);
                return 0.5 * d.mul(d).muli(a).sumNumber().doubleValue();
            }

            public INDArray gradient(INDArray x) {
                return x.sub(1.0).muli(a);
            }
        };
    }

    /** Sum over 6 columns of the 2-D Rosenbrock function of (W_0j, W_1j); minimum 0 at all ones. */
    public static Problem rosenbrock() {
        return new Problem() {
            public String name() {
                return "rosenbrock";
            }

            public ParamSpec spec() {
                return new ParamSpec("suite", "W", ParamRole.DENSE_WEIGHT, new long[] {2, 6}, 'f', false);
            }

            public INDArray initial() {
                INDArray x = Nd4j.create(DataType.DOUBLE, new long[] {2, 6}, 'f');
                x.getRow(0).assign(-1.2);
                x.getRow(1).assign(1.0);
                return x;
            }

            public double loss(INDArray x) {
                INDArray a = x.getRow(0);
                INDArray b = x.getRow(1);
                INDArray t1 = a.rsub(1.0);
                INDArray t2 = b.sub(a.mul(a));
                return t1.mul(t1).sumNumber().doubleValue() + 100 * t2.mul(t2).sumNumber().doubleValue();
            }

            public INDArray gradient(INDArray x) {
                INDArray a = x.getRow(0);
                INDArray b = x.getRow(1);
                INDArray t2 = b.sub(a.mul(a));
                INDArray ga = a.rsub(1.0).muli(-2).subi(a.mul(t2).muli(400));
                INDArray gb = t2.mul(200);
                INDArray g = Nd4j.create(DataType.DOUBLE, new long[] {2, 6}, 'f');
                g.getRow(0).assign(ga);
                g.getRow(1).assign(gb);
                return g;
            }
        };
    }

    /** Mean cross-entropy of softmax regression W [10, 5] on 200 seeded synthetic samples. */
    public static Problem softmaxClassifier() {
        DataSet data = SyntheticData.classification(5, 200, 10, 5, DataType.DOUBLE);
        INDArray features = data.getFeatures();
        INDArray labels = data.getLabels();
        int n = (int) features.size(0);
        return new Problem() {
            public String name() {
                return "softmax";
            }

            public ParamSpec spec() {
                return new ParamSpec("suite", "W", ParamRole.DENSE_WEIGHT, new long[] {10, 5}, 'f', false);
            }

            public INDArray initial() {
                return Nd4j.zeros(DataType.DOUBLE, 10, 5);
            }

            private INDArray probabilities(INDArray w) {
                return Transforms.softmax(features.mmul(w), true);
            }

            public double loss(INDArray w) {
                INDArray p = probabilities(w);
                return -Transforms.log(p, true).muli(labels).sumNumber().doubleValue() / n;
            }

            public INDArray gradient(INDArray w) {
                return features.transpose().mmul(probabilities(w).subi(labels)).divi(n);
            }
        };
    }
}
