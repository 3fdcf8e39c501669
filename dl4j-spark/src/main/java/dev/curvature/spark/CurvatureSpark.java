package dev.curvature.spark;

import dev.curvature.optimizers.Layouts;
import dev.curvature.optimizers.layout.LayoutAware;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.List;

/**
 * Entry points for Spark training with the layout-aware optimizers.
 *
 * <p>Spark workers rebuild the network from the configuration (Java-serialised in the broadcast, then cloned) and
 * the flat parameter and updater-state arrays; the layout that {@link Layouts#attach} stamps into each layer's
 * updater configuration travels with the configuration, so workers need no code of their own. The one path that
 * loses it is a network Spark builds itself from a configuration that was never stamped
 * ({@code new SparkDl4jMultiLayer(sc, conf, tm)}): its workers fail at their first step with the error naming
 * {@code Layouts.attach} and the job aborts. The factories here stamp the driver's network before Spark sees it, so
 * that cannot happen; {@link CurvatureTrainingMaster} also stamps before every round.
 *
 * <p>Usage: {@code SparkDl4jMultiLayer spark = CurvatureSpark.multiLayer(sc, conf, trainingMaster); spark.fit(rdd);}
 */
public final class CurvatureSpark {
    private CurvatureSpark() {
    }

    /** Wraps {@code net} (initialised; stamped here if it is not yet) for Spark training. */
    public static SparkDl4jMultiLayer multiLayer(JavaSparkContext sc, MultiLayerNetwork net, TrainingMaster<?, ?> tm) {
        requireArgs(sc, net, tm);
        if (net.getLayers() == null) {
            net.init();
        }
        return new SparkDl4jMultiLayer(sc, Layouts.attach(net), tm);
    }

    /** Builds, initialises and stamps a network from {@code conf} (not modified) for Spark training. */
    public static SparkDl4jMultiLayer multiLayer(JavaSparkContext sc, MultiLayerConfiguration conf,
                                                 TrainingMaster<?, ?> tm) {
        requireArgs(sc, conf, tm);
        MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
        net.init();
        return new SparkDl4jMultiLayer(sc, Layouts.attach(net), tm);
    }

    /** Wraps {@code graph} (initialised; stamped here if it is not yet) for Spark training. */
    public static SparkComputationGraph graph(JavaSparkContext sc, ComputationGraph graph, TrainingMaster<?, ?> tm) {
        requireArgs(sc, graph, tm);
        if (graph.getLayers() == null) {
            graph.init();
        }
        return new SparkComputationGraph(sc, Layouts.attach(graph), tm);
    }

    /** Builds, initialises and stamps a graph from {@code conf} (not modified) for Spark training. */
    public static SparkComputationGraph graph(JavaSparkContext sc, ComputationGraphConfiguration conf,
                                              TrainingMaster<?, ?> tm) {
        requireArgs(sc, conf, tm);
        ComputationGraph graph = new ComputationGraph(conf.clone());
        graph.init();
        return new SparkComputationGraph(sc, Layouts.attach(graph), tm);
    }

    /**
     * The layers of {@code model} whose layout-aware updater ({@code AdamMini}, {@code Muon}) carries no stamped
     * layout, as {@code "layerName (UpdaterClass)"}; empty when the model can train on Spark workers.
     */
    public static List<String> unstampedLayers(Model model) {
        Layer[] layers = model instanceof MultiLayerNetwork n ? n.getLayers()
                : model instanceof ComputationGraph g ? g.getLayers() : null;
        if (layers == null) {
            throw new IllegalArgumentException("expected an initialised MultiLayerNetwork or ComputationGraph, got "
                    + (model == null ? "null" : model.getClass().getName()));
        }
        List<String> missing = new ArrayList<>();
        for (Layer layer : layers) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            for (String param : layer.paramTable(false).keySet()) {
                IUpdater u = conf.getUpdaterByParam(param);
                if (u instanceof LayoutAware aware && aware.getLayout() == null) {
                    missing.add(conf.getLayerName() + " (" + u.getClass().getSimpleName() + ")");
                    break;
                }
            }
        }
        return missing;
    }

    /**
     * Fails on the driver, before any Spark job, when a layout-aware updater in {@code model} is not stamped.
     *
     * @throws IllegalStateException naming the layers and {@code Layouts.attach}
     */
    public static <M extends Model> M requireStamped(M model) {
        List<String> missing = unstampedLayers(model);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("layers " + missing + " have no parameter layout; Spark workers would "
                    + "fail at their first step. Build the Spark network with CurvatureSpark.multiLayer/graph, or "
                    + "train with CurvatureTrainingMaster. " + Layouts.MISSING_LAYOUT_HINT);
        }
        return model;
    }

    private static void requireArgs(JavaSparkContext sc, Object model, TrainingMaster<?, ?> tm) {
        if (sc == null) {
            throw new IllegalArgumentException("sc (JavaSparkContext) must not be null");
        }
        if (model == null) {
            throw new IllegalArgumentException("the network or configuration must not be null");
        }
        if (tm == null) {
            throw new IllegalArgumentException("the training master must not be null");
        }
    }
}
