package dev.curvature.testing;

import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static dev.curvature.testing.Assertions2.assertClose;
import static dev.curvature.testing.Assertions2.toDoubles;

/**
 * Replays DL4J training of a network against per-parameter reference optimizers: for each step it computes the
 * gradient on a clone at the current parameters (DL4J divides it by the minibatch size before the updater), asks
 * each parameter's reference for its update, applies decoupled weight decay where expected, and compares with the
 * parameters after {@code fit}.
 */
public final class NetworkReference {

    /** Reference stepping of one parameter: update for its gradient slice at an iteration. */
    public interface ParamStepper {
        double[] update(double[] gradient, int iteration);
    }

    /** What the test expects for one parameter: its role, and how to build its reference stepper. */
    public record Expectation(ParamRole role, ParamStepper stepper, double decoupledDecay) {
    }

    private record Slot(String label, int offset, int length, Expectation expectation) {
    }

    private NetworkReference() {
    }

    /**
     * @param expect maps (layer name, parameter spec with the role left as OTHER) to the expectation
     */
    public static void assertTrainsLikeReference(Model model, DataSet data, int steps, double tol,
                                                 BiFunction<String, ParamSpec, Expectation> expect) {
        List<Slot> slots = slots(model, expect);
        Model gradModel = model instanceof MultiLayerNetwork n ? n.clone() : ((ComputationGraph) model).clone();
        int batch = (int) data.getFeatures().size(0);
        for (int step = 0; step < steps; step++) {
            double[] before = toDoubles(model.params());
            gradModel.setParams(model.params().dup());
            double[] g = gradient(gradModel, data);
            double[] expected = before.clone();
            for (Slot s : slots) {
                double[] gs = new double[s.length];
                for (int i = 0; i < s.length; i++) {
                    gs[i] = g[s.offset + i] / batch;
                }
                double[] u = s.expectation.stepper.update(gs, step);
                for (int i = 0; i < s.length; i++) {
                    expected[s.offset + i] -= u[i] + s.expectation.decoupledDecay * before[s.offset + i];
                }
            }
            if (model instanceof MultiLayerNetwork n) {
                n.fit(data);
            } else {
                ((ComputationGraph) model).fit(data);
            }
            double[] after = toDoubles(model.params());
            for (Slot s : slots) {
                double[] e = java.util.Arrays.copyOfRange(expected, s.offset, s.offset + s.length);
                double[] a = java.util.Arrays.copyOfRange(after, s.offset, s.offset + s.length);
                assertClose(e, a, tol, tol * 1e-3, s.label + " step " + step);
            }
        }
    }

    private static double[] gradient(Model m, DataSet data) {
        if (m instanceof MultiLayerNetwork n) {
            n.setInput(data.getFeatures());
            n.setLabels(data.getLabels());
            n.computeGradientAndScore();
        } else {
            ComputationGraph g = (ComputationGraph) m;
            g.setInputs(data.getFeatures());
            g.setLabels(data.getLabels());
            g.computeGradientAndScore();
        }
        return toDoubles(m.gradient().gradient());
    }

    private static List<Slot> slots(Model model, BiFunction<String, ParamSpec, Expectation> expect) {
        INDArray flat = model.params();
        Layer[] layers = model instanceof MultiLayerNetwork n ? n.getLayers() : ((ComputationGraph) model).getLayers();
        List<Slot> slots = new ArrayList<>();
        for (Layer layer : layers) {
            String name = layer.conf().getLayer().getLayerName();
            for (Map.Entry<String, INDArray> e : layer.paramTable(false).entrySet()) {
                INDArray p = e.getValue();
                ParamSpec spec = new ParamSpec(name, e.getKey(), ParamRole.OTHER, p.shape(), p.ordering(), false);
                Expectation x = expect.apply(name, spec);
                if (x != null) {
                    int offset = (int) (p.offset() - flat.offset());
                    slots.add(new Slot(spec.label(), offset, (int) p.length(), x));
                }
            }
        }
        return slots;
    }
}
