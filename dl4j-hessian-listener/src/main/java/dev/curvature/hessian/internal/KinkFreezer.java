package dev.curvature.hessian.internal;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Cnn3DLossLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RecurrentAttentionLayer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.Subsampling3DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.objdetect.Yolo2OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationRReLU;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossHinge;
import org.nd4j.linalg.lossfunctions.impl.LossL1;
import org.nd4j.linalg.lossfunctions.impl.LossMAE;
import org.nd4j.linalg.lossfunctions.impl.LossMAPE;
import org.nd4j.linalg.lossfunctions.impl.LossSquaredHinge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Finds the kinks of a network (places where its gradient jumps as parameters move: ReLU-family and hard
 * activations, max pooling, element-wise max, kinked losses) and, on a probe copy, freezes the ones it can
 * (docs/ALGORITHMS.md, section 5 "Exact Hessian-vector products"):
 * <ul>
 *   <li>activations of any layer, LSTM gate activations, activation layers, inside wrappers
 *       (Bidirectional, LastTimeStep, TimeDistributed, MaskZeroLayer, frozen layers): {@link FrozenActivation},
 *       installed in the configuration before the copy is built;</li>
 *   <li>max pooling (1-D, 2-D, 3-D, global): {@link FrozenMaxPooling}; {@code PReLULayer}: {@link FrozenPReLU};
 *       {@code ElementWiseVertex} max: {@link FrozenMaxVertex}, installed in the built copy.</li>
 * </ul>
 * What it cannot freeze is named per layer: kinked losses (L1, MAE, MAPE, hinge, squared hinge, YOLO), kinked
 * activations inside SameDiff layers, layers defined in SameDiff that it cannot inspect, and max pooling nested in
 * a wrapper layer.
 */
final class KinkFreezer {

    /** What was (or would be) frozen, and what stays inexact, as {@code "layer (what)"} entries. */
    public record Kinks(List<String> frozen, List<String> notExact) {
        public Kinks {
            frozen = List.copyOf(frozen);
            notExact = List.copyOf(notExact);
        }
    }

    private KinkFreezer() {
    }

    /** The kinks of a configuration, without changing it. */
    public static Kinks find(MultiLayerConfiguration conf) {
        return walk(conf, UnaryOperator.identity());
    }

    /** The kinks of a configuration, without changing it. */
    public static Kinks find(ComputationGraphConfiguration conf) {
        return walk(conf, UnaryOperator.identity());
    }

    /** Installs frozen activations in {@code conf} (a private copy) before the probe copy is built from it. */
    static Kinks freezeActivations(MultiLayerConfiguration conf, KinkTape tape) {
        return walk(conf, a -> FrozenActivation.freeze(a, tape));
    }

    /** Installs frozen activations in {@code conf} (a private copy) before the probe copy is built from it. */
    static Kinks freezeActivations(ComputationGraphConfiguration conf, KinkTape tape) {
        return walk(conf, a -> FrozenActivation.freeze(a, tape));
    }

    /**
     * Without freezing: RReLU's random training slopes become their mean {@code (l + u) / 2} (a leaky ReLU), so a
     * probe never draws from the global random stream that training uses.
     */
    static Kinks fixRandomSlopes(MultiLayerConfiguration conf) {
        return walk(conf, KinkFreezer::meanSlope);
    }

    /** As {@link #fixRandomSlopes(MultiLayerConfiguration)}. */
    static Kinks fixRandomSlopes(ComputationGraphConfiguration conf) {
        return walk(conf, KinkFreezer::meanSlope);
    }

    private static IActivation meanSlope(IActivation a) {
        return a instanceof ActivationRReLU r ? new ActivationLReLU(0.5 * (r.getL() + r.getU())) : a;
    }

    private static Kinks walk(MultiLayerConfiguration conf, UnaryOperator<IActivation> replace) {
        Walk w = new Walk(replace);
        List<NeuralNetConfiguration> confs = conf.getConfs();
        for (int i = 0; i < confs.size(); i++) {
            w.layer(confs.get(i).getLayer(), "layer" + i, true);
        }
        return w.result();
    }

    private static Kinks walk(ComputationGraphConfiguration conf, UnaryOperator<IActivation> replace) {
        Walk w = new Walk(replace);
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            w.vertex(e.getKey(), e.getValue());
        }
        return w.result();
    }

    /** Wraps the built copy's max-pooling and PReLU layers. */
    static void freezeLayers(MultiLayerNetwork net, KinkTape tape) {
        org.deeplearning4j.nn.api.Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            layers[i] = frozenLayer(layers[i], tape);
        }
    }

    /** Wraps the built copy's max-pooling and PReLU layers and element-wise max vertices. */
    static void freezeLayers(ProbeGraph graph, KinkTape tape) {
        org.deeplearning4j.nn.api.Layer[] layers = graph.getLayers();
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex v : graph.getVertices()) {
            if (v instanceof org.deeplearning4j.nn.graph.vertex.impl.LayerVertex lv) {
                org.deeplearning4j.nn.api.Layer frozen = frozenLayer(lv.getLayer(), tape);
                if (frozen != lv.getLayer()) {
                    for (int i = 0; i < layers.length; i++) {
                        if (layers[i] == lv.getLayer()) {
                            layers[i] = frozen;
                        }
                    }
                    lv.setLayer(frozen);
                }
            } else if (v instanceof org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex ew
                    && graph.getConfiguration().getVertices().get(v.getVertexName()) instanceof ElementWiseVertex c
                    && c.getOp() == ElementWiseVertex.Op.Max) {
                graph.replaceVertex(new FrozenMaxVertex(graph, ew, tape));
            }
        }
    }

    private static org.deeplearning4j.nn.api.Layer frozenLayer(org.deeplearning4j.nn.api.Layer runtime, KinkTape tape) {
        Layer conf = runtime.conf().getLayer();
        if (FrozenMaxPooling.isMaxPooling(conf)) {
            return FrozenMaxPooling.wrap(runtime, tape);
        }
        if (conf instanceof PReLULayer) {
            return new FrozenPReLU(runtime, tape);
        }
        return runtime;
    }

    /** One pass over a configuration: records kinks, and replaces each kinked activation by {@code replace}'s. */
    private static final class Walk {
        private final UnaryOperator<IActivation> replace;
        private final List<String> frozen = new ArrayList<>();
        private final List<String> notExact = new ArrayList<>();

        Walk(UnaryOperator<IActivation> replace) {
            this.replace = replace;
        }

        Kinks result() {
            return new Kinks(frozen, notExact);
        }

        void vertex(String name, GraphVertex v) {
            if (v instanceof LayerVertex lv) {
                layer(lv.getLayerConf().getLayer(), name, true);
            } else if (v instanceof ElementWiseVertex ew && ew.getOp() == ElementWiseVertex.Op.Max) {
                frozen.add(name + " (element-wise max)");
            } else if (v instanceof SameDiffVertex) {
                notExact.add(name + " (SameDiff vertex: kinks inside cannot be frozen)");
            }
        }

        /** {@code topLevel}: a runtime layer of its own (max pooling nested in a wrapper cannot be wrapped). */
        void layer(Layer layer, String where, boolean topLevel) {
            if (layer == null) {
                return;
            }
            String name = topLevel && layer.getLayerName() != null ? layer.getLayerName() : where;
            if (layer instanceof BaseLayer b && !(layer instanceof PReLULayer)) {
                b.setActivationFn(activation(b.getActivationFn(), name, ""));
            }
            if (layer instanceof ActivationLayer a) {
                a.setActivationFn(activation(a.getActivationFn(), name, ""));
            }
            if (layer instanceof org.deeplearning4j.nn.conf.layers.AbstractLSTM lstm) {
                lstm.setGateActivationFn(activation(lstm.getGateActivationFn(), name, "gate "));
            }
            if (layer instanceof PReLULayer) {
                (topLevel ? frozen : notExact).add(name + " (PReLU layer" + (topLevel ? ")" : " inside a wrapper)"));
            }
            if (FrozenMaxPooling.isMaxPooling(layer)) {
                (topLevel ? frozen : notExact).add(name + " (max pooling" + (topLevel ? ")" : " inside a wrapper)"));
            }
            if (layer instanceof SubsamplingLayer s && s.getPoolingType() == PoolingType.PNORM
                    || layer instanceof GlobalPoolingLayer g && g.getPoolingType() == PoolingType.PNORM
                    || layer instanceof Subsampling3DLayer s3 && s3.getPoolingType() == PoolingType.PNORM) {
                notExact.add(name + " (p-norm pooling: kink where a window is all zero)");
            }
            ILossFunction loss = loss(layer);
            if (loss instanceof LossL1 || loss instanceof LossMAE || loss instanceof LossMAPE
                    || loss instanceof LossHinge || loss instanceof LossSquaredHinge) {
                notExact.add(name + " (" + loss.getClass().getSimpleName().replaceFirst("^Loss", "")
                        + " loss: kinked)");
            }
            if (layer instanceof Yolo2OutputLayer) {
                notExact.add(name + " (YOLO2 loss: kinked)");
            }
            if (layer instanceof RecurrentAttentionLayer r) {
                if (r.getActivation() != null && FrozenActivation.kinked(r.getActivation().getActivationFunction())) {
                    notExact.add(name + " (" + r.getActivation() + " inside a SameDiff layer)");
                }
            } else if (layer instanceof AbstractSameDiffLayer && !(layer instanceof SelfAttentionLayer)
                    && !(layer instanceof LearnedSelfAttentionLayer)) {
                notExact.add(name + " (SameDiff layer: kinks inside cannot be frozen)");
            }
            if (layer instanceof BaseWrapperLayer w) {
                layer(w.getUnderlying(), name + "/wrapped", false);
            }
            if (layer instanceof Bidirectional bi) {
                layer(bi.getFwd(), name + "/forward", false);
                layer(bi.getBwd(), name + "/backward", false);
            }
            if (layer instanceof FrozenLayer f) {
                layer(f.getLayer(), name + "/frozen", false);
            }
        }

        private IActivation activation(IActivation a, String name, String what) {
            if (a == null || !FrozenActivation.kinked(a)) {
                return a;
            }
            frozen.add(name + " (" + what + a + ")");
            return replace.apply(a);
        }

        private static ILossFunction loss(Layer layer) {
            if (layer instanceof BaseOutputLayer o) {
                return o.getLossFn();
            }
            if (layer instanceof LossLayer l) {
                return l.getLossFn();
            }
            if (layer instanceof RnnLossLayer r) {
                return r.getLossFn();
            }
            if (layer instanceof CnnLossLayer c) {
                return c.getLossFn();
            }
            if (layer instanceof Cnn3DLossLayer c3) {
                return c3.getLossFn();
            }
            return null;
        }
    }
}
