package dev.curvature.hessian;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationPReLU;
import org.nd4j.linalg.activations.impl.ActivationRReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationRectifiedTanh;
import org.nd4j.linalg.activations.impl.ActivationThresholdedReLU;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the layers whose gradient jumps where an activation pattern changes (ReLU-family and hard activations, max
 * pooling). Central-difference Hessian-vector products step across such kinks: each unit that flips between
 * {@code theta - eps v} and {@code theta + eps v} adds a term of order {@code 1/eps} with probability of order
 * {@code eps}, a bias that does not shrink with {@code eps}. Estimates on such networks are qualitative (a negative
 * trace, impossible for a piecewise-linear network with a convex loss, is the visible symptom).
 */
final class Kinks {
    private Kinks() {
    }

    /** {@code "name (what)"} for every kinked layer of a MultiLayerNetwork or ComputationGraph; empty otherwise. */
    static List<String> of(Model model) {
        List<String> found = new ArrayList<>();
        if (model instanceof MultiLayerNetwork net) {
            List<NeuralNetConfiguration> confs = net.getLayerWiseConfigurations().getConfs();
            for (int i = 0; i < confs.size(); i++) {
                check(confs.get(i).getLayer(), "layer " + i, found);
            }
        } else if (model instanceof ComputationGraph graph) {
            for (Map.Entry<String, GraphVertex> e : graph.getConfiguration().getVertices().entrySet()) {
                if (e.getValue() instanceof LayerVertex v) {
                    check(v.getLayerConf().getLayer(), e.getKey(), found);
                }
            }
        }
        return found;
    }

    private static void check(Layer layer, String where, List<String> found) {
        String name = layer.getLayerName() != null ? layer.getLayerName() : where;
        if (layer instanceof BaseLayer b && kinked(b.getActivationFn())) {
            found.add(name + " (" + b.getActivationFn() + ")");
        } else if (layer instanceof SubsamplingLayer s && s.getPoolingType() == org.deeplearning4j.nn.conf.layers.PoolingType.MAX) {
            found.add(name + " (max pooling)");
        }
    }

    private static boolean kinked(IActivation a) {
        return a instanceof ActivationReLU || a instanceof ActivationReLU6 || a instanceof ActivationLReLU
                || a instanceof ActivationPReLU || a instanceof ActivationRReLU || a instanceof ActivationThresholdedReLU
                || a instanceof ActivationHardTanH || a instanceof ActivationHardSigmoid
                || a instanceof ActivationRectifiedTanh;
    }
}
