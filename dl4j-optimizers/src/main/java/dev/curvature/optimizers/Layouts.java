package dev.curvature.optimizers;

import dev.curvature.optimizers.layout.LayoutAware;
import dev.curvature.optimizers.layout.ParamLayout;
import dev.curvature.optimizers.layout.ParamSpec;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gives layout-aware updaters ({@link AdamMini}, {@link Muon}) the shapes and roles of their parameters.
 *
 * <p>Why a call is needed: DL4J merges neighbouring parameters with equal updater configurations into one flat
 * block and hands the updater only that flat slice and its length; no DL4J hook runs custom code when a network or
 * its updater is built. {@link #attach} therefore stamps a {@link ParamLayout} into each layer's copy of the updater
 * configuration. The stamp is part of the configuration JSON, so it survives {@code ModelSerializer} save/restore,
 * {@code clone()}, {@code convertDataType}, ParallelWrapper and Spark, which all rebuild networks from that JSON
 * plus the flat updater state. Stamps differ per layer, so stamped parameters of different layers are never
 * merged.
 *
 * <p>Usage: {@code MultiLayerNetwork net = new MultiLayerNetwork(conf); net.init(); Layouts.attach(net);}
 * Calling it again is harmless. Training an un-stamped network fails at its first step with an error naming this
 * method.
 *
 * <p>Side effect, by design: an updater with decoupled weight decay gets it as the DL4J {@code WeightDecay}
 * regularization it asks for ({@link LayoutAware#weightDecayFor}) on the weights of each layer it updates (never
 * biases or norms). A layer that already has a {@code WeightDecay} regularization is refused (decay would apply
 * twice).
 */
public final class Layouts {
    /** The message of the error raised when an un-stamped layout-aware updater is used in a network. */
    public static final String MISSING_LAYOUT_HINT = "DL4J passes updaters only flat, merged parameter slices, so "
            + "this updater needs the parameter layout stamped into the configuration: call "
            + "dev.curvature.optimizers.Layouts.attach(net) after net.init() and before the first fit "
            + "(see the README, section 'Using the optimizers')";

    private Layouts() {
    }

    /**
     * Stamps the parameter layout of every layer of {@code model} into its layout-aware updater configurations.
     *
     * @param model an initialised {@link MultiLayerNetwork} or {@link ComputationGraph}
     * @return {@code model}, for chaining
     * @throws IllegalStateException if the model is not initialised, has trained with a different layout, or a layer
     *                               has both DL4J weight decay and the updater's own
     */
    public static <M extends Model> M attach(M model) {
        if (model instanceof MultiLayerNetwork net) {
            attachNetwork(net);
        } else if (model instanceof ComputationGraph graph) {
            attachGraph(graph);
        } else {
            throw new IllegalArgumentException("Layouts.attach supports MultiLayerNetwork and ComputationGraph, got "
                    + (model == null ? "null" : model.getClass().getName()));
        }
        return model;
    }

    private static void attachNetwork(MultiLayerNetwork net) {
        org.deeplearning4j.nn.api.Layer[] layers = net.getLayers();
        if (layers == null) {
            throw new IllegalStateException("call net.init() before Layouts.attach(net)");
        }
        boolean changed = false;
        for (int i = 0; i < layers.length; i++) {
            boolean output = i == layers.length - 1 && layers[i] instanceof IOutputLayer;
            changed |= stampLayer(layers[i], output);
        }
        if (changed && net.getUpdater(false) != null) {
            requireUntrained(net.getIterationCount(), net.getEpochCount());
            net.setUpdater(null); // rebuilt lazily from the stamped configuration
        }
    }

    private static void attachGraph(ComputationGraph graph) {
        org.deeplearning4j.nn.api.Layer[] layers = graph.getLayers();
        if (layers == null) {
            throw new IllegalStateException("call graph.init() before Layouts.attach(graph)");
        }
        Set<String> outputs = Set.copyOf(graph.getConfiguration().getNetworkOutputs());
        boolean changed = false;
        for (org.deeplearning4j.nn.api.Layer layer : layers) {
            boolean output = outputs.contains(layer.conf().getLayer().getLayerName()) && layer instanceof IOutputLayer;
            changed |= stampLayer(layer, output);
        }
        if (changed && graph.getUpdater(false) != null) {
            requireUntrained(graph.getIterationCount(), graph.getEpochCount());
            graph.setUpdater(null);
        }
    }

    private static void requireUntrained(int iterations, int epochs) {
        if (iterations > 0 || epochs > 0) {
            throw new IllegalStateException("Layouts.attach changed the layout of a network that has already trained ("
                    + iterations + " iterations); its updater state does not match the new layout. Call "
                    + "Layouts.attach right after init(), before the first fit");
        }
    }

    /** Stamps one layer; true if any configuration changed. */
    private static boolean stampLayer(org.deeplearning4j.nn.api.Layer runtime, boolean outputLayer) {
        Layer conf = runtime.conf().getLayer();
        Map<String, INDArray> table = runtime.paramTable(false);
        if (table == null || table.isEmpty()) {
            return false;
        }
        Map<IUpdater, List<ParamSpec>> groups = new IdentityHashMap<>();
        for (Map.Entry<String, INDArray> e : table.entrySet()) {
            IUpdater u = conf.getUpdaterByParam(e.getKey());
            if (!(u instanceof LayoutAware) || e.getValue().length() == 0) {
                continue;
            }
            INDArray arr = e.getValue();
            ParamSpec spec = new ParamSpec(conf.getLayerName(), e.getKey(),
                    LayerRoles.role(conf, e.getKey(), arr.shape()), arr.shape(), arr.ordering(), outputLayer);
            groups.computeIfAbsent(u, k -> new ArrayList<>()).add(spec);
        }
        boolean changed = false;
        for (Map.Entry<IUpdater, List<ParamSpec>> g : groups.entrySet()) {
            LayoutAware current = (LayoutAware) g.getKey();
            ParamLayout layout = new ParamLayout(g.getValue());
            if (layout.equals(current.getLayout())) {
                continue;
            }
            if (current.getLayout() == null) {
                addWeightDecay(conf, current, g.getValue());
            }
            replaceUpdater(conf, current, current.withLayout(layout));
            changed = true;
        }
        return changed;
    }

    private static void addWeightDecay(Layer conf, LayoutAware updater, List<ParamSpec> specs) {
        WeightDecay decay = null;
        for (ParamSpec s : specs) {
            if (!conf.initializer().isWeightParam(conf, s.param()) && !(conf instanceof AbstractSameDiffLayer
                    && s.role().isMatrixWeight())) {
                continue; // DL4J regularizes weights and biases through separate lists; biases are never decayed
            }
            WeightDecay d = updater.weightDecayFor(s);
            if (decay != null && !decay.equals(d)) {
                throw new IllegalStateException("layer '" + conf.getLayerName() + "': " + updater
                        + " asks for different weight decays on its weights (" + decay + " and " + d
                        + "), which DL4J's per-layer regularization cannot express");
            }
            decay = d;
        }
        if (decay == null) {
            return;
        }
        List<Regularization> existing;
        if (conf instanceof BaseLayer bl) {
            existing = bl.getRegularization();
        } else if (conf instanceof AbstractSameDiffLayer sl) {
            existing = sl.getRegularization();
        } else {
            throw new IllegalStateException("layer '" + conf.getLayerName() + "' (" + conf.getClass().getSimpleName()
                    + ") cannot carry the decoupled weight decay of " + updater + "; set its weight decay to 0");
        }
        List<Regularization> regs = existing == null ? new ArrayList<>() : new ArrayList<>(existing);
        for (Regularization r : regs) {
            if (r instanceof WeightDecay) {
                throw new IllegalStateException("layer '" + conf.getLayerName() + "' has DL4J " + r
                        + " and the updater's own weight decay " + decay
                        + ": weight decay would apply twice. Configure it in one place only");
            }
        }
        regs.add(decay);
        if (conf instanceof BaseLayer bl) {
            bl.setRegularization(regs);
        } else {
            ((AbstractSameDiffLayer) conf).setRegularization(regs);
        }
    }

    private static void replaceUpdater(Layer conf, IUpdater old, IUpdater stamped) {
        if (!tryReplace(conf, old, stamped)) {
            throw new IllegalStateException("Layouts.attach cannot find where layer '" + conf.getLayerName() + "' ("
                    + conf.getClass().getSimpleName() + ") keeps its updater; give this layer a built-in DL4J updater");
        }
    }

    private static boolean tryReplace(Layer conf, IUpdater old, IUpdater stamped) {
        if (conf instanceof BaseLayer bl) {
            boolean done = false;
            if (bl.getIUpdater() == old) {
                bl.setIUpdater(stamped);
                done = true;
            }
            if (bl.getBiasUpdater() == old) {
                bl.setBiasUpdater(stamped);
                done = true;
            }
            return done;
        }
        if (conf instanceof AbstractSameDiffLayer sl) {
            boolean done = false;
            if (sl.getUpdater() == old) {
                sl.setUpdater(stamped);
                done = true;
            }
            if (sl.getBiasUpdater() == old) {
                sl.setBiasUpdater(stamped);
                done = true;
            }
            return done;
        }
        if (conf instanceof Bidirectional bi) {
            return tryReplace(bi.getFwd(), old, stamped) | tryReplace(bi.getBwd(), old, stamped);
        }
        if (conf instanceof BaseWrapperLayer w) {
            return tryReplace(w.getUnderlying(), old, stamped);
        }
        return false;
    }
}
