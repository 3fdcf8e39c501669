package dev.curvature.hessian.internal;

import dev.curvature.hessian.math.GradientFunction;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A private copy of a network on which gradients can be evaluated at arbitrary parameters without touching the
 * training network: DOUBLE precision, no listeners, no dropout or weight noise, no updater, full backpropagation
 * through time, its own copy of a fixed batch and, by default, its kinks frozen (below).
 *
 * <p>How it is built, and why not with {@code clone()}: the copy is a new network built from a {@code clone()} of
 * the configuration with the data type set to DOUBLE (what {@code convertDataType(DataType.DOUBLE)} does) and
 * initialised from a DOUBLE copy of the parameters. {@code MultiLayerNetwork.clone()} and
 * {@code ComputationGraph.clone()} are avoided because they call {@code getUpdater()} on the original (which creates
 * its updater if it has none yet) and copy the updater state (memory the probe never uses), and
 * {@code ComputationGraph.clone()} shares the original's listener list with the clone, so removing the clone's
 * listeners would remove the training network's. The configuration's {@code clone()} shares activation objects with
 * the training network; the one kind that keeps state, RReLU (its last random slopes, for backpropagation), is
 * replaced in the copy (frozen, or fixed at its mean slope), so the copy never calls the training network's object.
 * Building from the configuration also never touches
 * {@code Nd4j.getRandom()}: parameters are given, so DL4J does not re-seed or draw. Between probes the copy is kept
 * and {@link #refresh refreshed} in place: only the parameters are copied again.
 *
 * <p>Kinks. With {@code freezeKinks} (the default), the copy's kinked parts (ReLU-family and hard activations, max
 * pooling, PReLU layers, element-wise max: {@link KinkFreezer}) are replaced by versions that a {@link KinkTape}
 * freezes at a point: {@link #record(INDArray)} evaluates the gradient at {@code theta} and records each kinked
 * unit's piece there, and later evaluations use those pieces. The frozen network has the same gradient and Hessian
 * as the original at {@code theta} (with autograd's and DL4J's conventions at a kink or a tie) and is smooth around
 * it, so central differences of its gradients are exact up to {@code O(step^2)} instead of picking up
 * {@code O(1/step)} terms from units that switch branch within the step (docs/ALGORITHMS.md, section 5 "Exact Hessian-vector
 * products"). {@link #kinks()} lists what was frozen and what stays inexact.
 *
 * <p>Gradients: {@code setInput}/{@code setLabels} (and masks), {@code computeGradientAndScore()},
 * {@code gradient().gradient()}. DL4J returns the SUM over examples of the per-example gradients (its updater
 * divides by the minibatch size later), so {@link #gradientFunction()} divides by the batch size: it is the gradient
 * of the MEAN loss, the quantity of docs/ALGORITHMS.md. Regularization (L1/L2/weight decay) is applied by DL4J's
 * updater, not in the gradient, so it is not part of this Hessian (L2 with coefficient {@code l} would add
 * {@code l I} to the diagonal blocks).
 */
public final class ProbeCopy implements AutoCloseable {
    private final Model network;
    private final INDArray[] features;
    private final INDArray[] labels;
    private final INDArray[] featureMasks;
    private final INDArray[] labelMasks;
    private final long batchSize;
    private final INDArray flatParameters;
    private final KinkTape tape;
    private final KinkFreezer.Kinks kinks;
    private long gradientEvaluations;
    private boolean recorded;
    private boolean closed;

    private ProbeCopy(Model network, INDArray flatParameters, MultiDataSet batch, KinkTape tape,
                      KinkFreezer.Kinks kinks) {
        this.network = network;
        this.flatParameters = flatParameters;
        this.features = toDouble(batch.getFeatures());
        this.labels = toDouble(batch.getLabels());
        this.featureMasks = toDouble(batch.getFeaturesMaskArrays());
        this.labelMasks = toDouble(batch.getLabelsMaskArrays());
        this.batchSize = features[0].size(0);
        this.tape = tape;
        this.kinks = kinks;
    }

    /** A probe copy of {@code model} with {@code batch}, kinks frozen. */
    public static ProbeCopy of(Model model, DataSet batch) {
        return of(model, ProbeBatches.toMulti(batch), true);
    }

    /** A probe copy of {@code model} with {@code batch}, kinks frozen. */
    public static ProbeCopy of(Model model, MultiDataSet batch) {
        return of(model, batch, true);
    }

    /**
     * A probe copy of {@code model} ({@link MultiLayerNetwork} or {@link ComputationGraph}) with {@code batch}.
     *
     * @param freezeKinks freeze the kinks (exact products); false keeps the plain network, on which central
     *                    differences are biased at kinks (kept to measure that bias)
     */
    public static ProbeCopy of(Model model, MultiDataSet batch, boolean freezeKinks) {
        if (batch == null || batch.getFeatures() == null || batch.getFeatures().length == 0
                || batch.getLabels() == null || batch.getLabels().length == 0) {
            throw new IllegalArgumentException("the probe batch needs features and labels, got " + batch);
        }
        KinkTape tape = freezeKinks ? new KinkTape() : null;
        if (model instanceof MultiLayerNetwork net) {
            if (batch.getFeatures().length != 1 || batch.getLabels().length != 1) {
                throw new IllegalArgumentException("a MultiLayerNetwork takes one feature and one label array, got "
                        + batch.getFeatures().length + " and " + batch.getLabels().length);
            }
            if (net.getLayers() == null) {
                throw new IllegalStateException("call init() on the network before probing its Hessian");
            }
            MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
            conf.setDataType(DataType.DOUBLE);
            conf.setBackpropType(BackpropType.Standard);
            for (NeuralNetConfiguration c : conf.getConfs()) {
                detachNested(c.getLayer());
                removeNoise(c.getLayer());
            }
            KinkFreezer.Kinks kinks = freezeKinks ? KinkFreezer.freezeActivations(conf, tape)
                    : unfrozen(KinkFreezer.fixRandomSlopes(conf));
            INDArray params = doubleCopy(net.params());
            MultiLayerNetwork copy = new MultiLayerNetwork(conf);
            copy.init(params, false);
            if (freezeKinks) {
                KinkFreezer.freezeLayers(copy, tape);
            }
            return new ProbeCopy(copy, params, batch, tape, kinks);
        }
        if (model instanceof ComputationGraph graph) {
            if (graph.getLayers() == null) {
                throw new IllegalStateException("call init() on the graph before probing its Hessian");
            }
            ComputationGraphConfiguration conf = graph.getConfiguration().clone();
            conf.setDataType(DataType.DOUBLE);
            conf.setBackpropType(BackpropType.Standard);
            for (GraphVertex v : conf.getVertices().values()) {
                if (v instanceof LayerVertex lv) {
                    detachNested(lv.getLayerConf().getLayer());
                    removeNoise(lv.getLayerConf().getLayer());
                }
            }
            KinkFreezer.Kinks kinks = freezeKinks ? KinkFreezer.freezeActivations(conf, tape)
                    : unfrozen(KinkFreezer.fixRandomSlopes(conf));
            INDArray params = doubleCopy(graph.params());
            ProbeGraph copy = new ProbeGraph(conf);
            copy.init(params, false);
            if (freezeKinks) {
                KinkFreezer.freezeLayers(copy, tape);
            }
            return new ProbeCopy(copy, params, batch, tape, kinks);
        }
        throw new IllegalArgumentException("Hessian probes support MultiLayerNetwork and ComputationGraph, got "
                + (model == null ? "null" : model.getClass().getName()));
    }

    /** Without freezing, every kink stays inexact (RReLU's slopes are still fixed: a probe never draws randoms). */
    private static KinkFreezer.Kinks unfrozen(KinkFreezer.Kinks found) {
        List<String> all = new ArrayList<>(found.notExact());
        for (String f : found.frozen()) {
            all.add(f.endsWith(")") ? f.substring(0, f.length() - 1) + ", not frozen)" : f + " (not frozen)");
        }
        return new KinkFreezer.Kinks(List.of(), all);
    }

    private static INDArray doubleCopy(INDArray params) {
        return Nd4j.create(DataType.DOUBLE, params.length()).assign(params.reshape(params.length()));
    }

    /**
     * DL4J's {@code clone()} of a configuration copies the top-level layers but shares the layers nested in wrappers
     * (Bidirectional's forward and backward layers, a wrapper's underlying layer) with the original: clone those too,
     * so that removing noise and freezing activations in the copy never reach the training network's configuration.
     */
    private static void detachNested(org.deeplearning4j.nn.conf.layers.Layer layer) {
        if (layer instanceof BaseWrapperLayer w && w.getUnderlying() != null) {
            w.setUnderlying(w.getUnderlying().clone());
            detachNested(w.getUnderlying());
        }
        if (layer instanceof Bidirectional bi) {
            bi.setFwd(bi.getFwd().clone());
            bi.setBwd(bi.getBwd().clone());
            detachNested(bi.getFwd());
            detachNested(bi.getBwd());
        }
        if (layer instanceof FrozenLayer f) {
            detachNested(f.getLayer()); // FrozenLayer.clone() already copies its layer
        }
    }

    /** Dropout (all IDropout kinds, including Gaussian noise) and weight noise (DropConnect) off, recursively. */
    private static void removeNoise(org.deeplearning4j.nn.conf.layers.Layer layer) {
        if (layer == null) {
            return;
        }
        layer.setIDropout(null);
        if (layer instanceof BaseLayer bl) {
            bl.setWeightNoise(null);
        }
        if (layer instanceof BaseWrapperLayer w) {
            removeNoise(w.getUnderlying());
        }
        if (layer instanceof Bidirectional bi) {
            removeNoise(bi.getFwd());
            removeNoise(bi.getBwd());
        }
        if (layer instanceof FrozenLayer f) {
            removeNoise(f.getLayer());
        }
    }

    private static INDArray[] toDouble(INDArray[] arrays) {
        if (arrays == null) {
            return null;
        }
        INDArray[] out = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = arrays[i] == null ? null : Nd4j.create(DataType.DOUBLE, arrays[i].shape()).assign(arrays[i]);
        }
        return out;
    }

    /**
     * Copies {@code model}'s current parameters into this copy in place (the model must be the one the copy was made
     * from, or one of the same structure). Call {@link #record} before the next products.
     */
    public void refresh(Model model) {
        requireOpen();
        if (model.numParams() != flatParameters.length()) {
            throw new IllegalArgumentException("the model has " + model.numParams() + " parameters, the probe copy "
                    + flatParameters.length() + "; make a new probe copy for a different network");
        }
        INDArray p = model.params();
        parameters().assign(p.reshape(p.length()));
        recorded = false;
    }

    /**
     * Evaluates the gradient at {@code theta} and records the piece of every kinked unit there; later gradient
     * evaluations use those pieces. Returns the gradient at {@code theta} (owned by the caller).
     */
    public INDArray record(INDArray theta) {
        requireOpen();
        if (tape != null) {
            tape.startRecording();
        }
        recorded = true;
        return gradient(theta);
    }

    /** What this copy froze and what stays inexact, as {@code "layer (what)"} entries. */
    public KinkFreezer.Kinks kinks() {
        return kinks;
    }

    /** Kinked calls recorded by the last {@link #record} (0 without freezing). */
    public int recordedCalls() {
        return tape == null ? 0 : tape.size();
    }

    /** The copy (DOUBLE). Do not train it; its parameters change with every gradient evaluation. */
    public Model network() {
        return network;
    }

    /** The copy's runtime layers (frozen max-pooling and PReLU layers are wrappers of DL4J's). */
    public Layer[] layers() {
        return network instanceof MultiLayerNetwork n ? n.getLayers() : ((ComputationGraph) network).getLayers();
    }

    /** Names of the network's output layers. */
    public Set<String> outputLayerNames() {
        Set<String> out = new LinkedHashSet<>();
        if (network instanceof MultiLayerNetwork n) {
            Layer last = n.getOutputLayer();
            if (last instanceof IOutputLayer) {
                out.add(last.conf().getLayer().getLayerName());
            }
        } else {
            out.addAll(((ComputationGraph) network).getConfiguration().getNetworkOutputs());
        }
        return out;
    }

    /** The copy's live flat parameter vector (rank 1, DOUBLE). */
    public INDArray parameters() {
        INDArray p = network.params();
        return p.reshape(p.length());
    }

    /** Number of examples in the batch (the divisor that turns DL4J's summed gradient into the mean's). */
    public long batchSize() {
        return batchSize;
    }

    /** Gradient evaluations so far, recording ones included. */
    public long gradientEvaluations() {
        return gradientEvaluations;
    }

    /**
     * The gradient of the mean loss over the batch, as a function of the flat parameters, with the kinks frozen at
     * the point of the last {@link #record}.
     */
    public GradientFunction gradientFunction() {
        return this::gradient;
    }

    private INDArray gradient(INDArray params) {
        requireOpen();
        if (!recorded) {
            throw new IllegalStateException("call record(theta) first: the probe copy freezes its kinks at a point");
        }
        if (params.length() != network.numParams()) {
            throw new IllegalArgumentException("expected " + network.numParams() + " parameters, got "
                    + params.length());
        }
        if (tape != null) {
            tape.beginEvaluation();
        }
        network.setParams(params);
        if (network instanceof MultiLayerNetwork n) {
            n.setInput(features[0]);
            n.setLabels(labels[0]);
            n.setLayerMaskArrays(featureMasks == null ? null : featureMasks[0], labelMasks == null ? null : labelMasks[0]);
            n.computeGradientAndScore();
        } else {
            ComputationGraph g = (ComputationGraph) network;
            g.setInputs(features);
            g.setLabels(labels);
            g.setLayerMaskArrays(featureMasks, labelMasks);
            g.computeGradientAndScore();
        }
        if (tape != null) {
            tape.endEvaluation();
        }
        gradientEvaluations++;
        INDArray g = network.gradient().gradient();
        return g.reshape(g.length()).div(batchSize);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this probe copy is closed");
        }
    }

    /**
     * Frees the copy's parameter, gradient, batch and recorded arrays now instead of at the next garbage collection (a
     * probe copy is as large as the network, in DOUBLE). The copy cannot be used afterwards. Unlike
     * {@code MultiLayerNetwork.close()}, this leaves the thread's workspaces alone: the training network uses them.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (tape != null) {
            tape.close();
        }
        INDArray gradients = network.getGradientsViewArray();
        if (gradients != null) {
            gradients.close();
        }
        flatParameters.close();
        for (INDArray[] arrays : new INDArray[][] {features, labels, featureMasks, labelMasks}) {
            if (arrays != null) {
                for (INDArray a : arrays) {
                    if (a != null) {
                        a.close();
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "ProbeCopy[" + network.getClass().getSimpleName() + ", " + network.numParams() + " parameters, batch "
                + batchSize + ", features " + Arrays.toString(features[0].shape()) + ", frozen kinks "
                + kinks.frozen() + "]";
    }
}
