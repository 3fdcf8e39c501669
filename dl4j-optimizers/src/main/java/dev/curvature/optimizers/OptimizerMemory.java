package dev.curvature.optimizers;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;

/**
 * Optimizer memory of a network, measured from the real arrays: DL4J's flat updater-state array plus whatever the
 * updaters hold themselves ({@link AdamMiniUpdater#ownedElements()}). Temporaries of a step are not state.
 */
public final class OptimizerMemory {
    private OptimizerMemory() {
    }

    /** Elements of optimizer state; creates the updater if the network has none yet. */
    public static long stateElements(Model model) {
        BaseMultiLayerUpdater<?> updater;
        if (model instanceof MultiLayerNetwork net) {
            updater = (BaseMultiLayerUpdater<?>) net.getUpdater();
        } else if (model instanceof ComputationGraph graph) {
            updater = graph.getUpdater();
        } else {
            throw new IllegalArgumentException("expected a MultiLayerNetwork or ComputationGraph, got " + model);
        }
        long n = updater.getStateViewArray() == null ? 0 : updater.getStateViewArray().length();
        for (UpdaterBlock b : updater.getUpdaterBlocks()) {
            if (b.getGradientUpdater() instanceof AdamMiniUpdater mini) {
                n += mini.ownedElements();
            }
        }
        return n;
    }

    /** {@link #stateElements} times the parameters' element size. */
    public static long stateBytes(Model model) {
        return stateElements(model) * model.params().dataType().width();
    }
}
