package dev.curvature.hessian.internal;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/** Conversions and captures of probe batches. Every array returned is a detached copy. */
public final class ProbeBatches {
    private ProbeBatches() {
    }

    public static MultiDataSet toMulti(DataSet ds) {
        if (ds == null) {
            throw new IllegalArgumentException("the probe batch must not be null");
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(wrap(ds.getFeatures()), wrap(ds.getLabels()),
                wrap(ds.getFeaturesMaskArray()), wrap(ds.getLabelsMaskArray()));
    }

    /** A detached copy of a batch (arrays may live in a workspace or be reused by the data pipeline). */
    public static MultiDataSet detachedCopy(MultiDataSet batch) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return new org.nd4j.linalg.dataset.MultiDataSet(dup(batch.getFeatures()), dup(batch.getLabels()),
                    dup(batch.getFeaturesMaskArrays()), dup(batch.getLabelsMaskArrays()));
        }
    }

    /**
     * The minibatch the model is training on right now (inputs, labels and masks as set for the current iteration),
     * or null if it has none set. Call from {@code onBackwardPass}: a ComputationGraph keeps its labels only in its
     * output layers, and clears them when the gradient computation ends.
     */
    public static MultiDataSet current(Model model) {
        if (model instanceof MultiLayerNetwork net) {
            if (net.getInput() == null || net.getLabels() == null) {
                return null;
            }
            INDArray labelMask = net.getOutputLayer() == null ? null : net.getOutputLayer().getMaskArray();
            return detachedCopy(new org.nd4j.linalg.dataset.MultiDataSet(wrap(net.getInput()), wrap(net.getLabels()),
                    wrap(featureMask(net)), wrap(labelMask)));
        }
        if (model instanceof ComputationGraph graph) {
            INDArray[] inputs = graph.getInputs();
            List<String> outputs = graph.getConfiguration().getNetworkOutputs();
            INDArray[] labels = new INDArray[outputs.size()];
            for (int i = 0; i < labels.length; i++) {
                Layer out = graph.getLayer(outputs.get(i));
                if (!(out instanceof IOutputLayer o) || o.getLabels() == null) {
                    return null;
                }
                labels[i] = o.getLabels();
            }
            if (inputs == null) {
                return null;
            }
            return detachedCopy(new org.nd4j.linalg.dataset.MultiDataSet(inputs, labels, graph.getInputMaskArrays(),
                    graph.getLabelMaskArrays()));
        }
        throw new IllegalArgumentException("Hessian probes support MultiLayerNetwork and ComputationGraph, got "
                + (model == null ? "null" : model.getClass().getName()));
    }

    /**
     * DL4J does not keep a MultiLayerNetwork's feature mask: it pushes it through the layers. The first layer holds
     * it unchanged unless an input preprocessor transformed it first, in which case it cannot be recovered.
     */
    private static INDArray featureMask(MultiLayerNetwork net) {
        if (net.getMask() != null) {
            return net.getMask();
        }
        INDArray first = net.getLayer(0).getMaskArray();
        if (first != null && net.getLayerWiseConfigurations().getInputPreProcess(0) != null) {
            throw new IllegalStateException("the training minibatch has a feature mask that an input preprocessor of "
                    + "the first layer transformed, so it cannot be captured for Hessian probes: pass the probe batch "
                    + "explicitly (HessianBlockListener.Builder.probeBatch)");
        }
        return first;
    }

    private static INDArray[] wrap(INDArray a) {
        return a == null ? null : new INDArray[] {a};
    }

    private static INDArray[] dup(INDArray[] arrays) {
        if (arrays == null) {
            return null;
        }
        INDArray[] out = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = arrays[i] == null ? null : arrays[i].dup();
        }
        return out;
    }
}
