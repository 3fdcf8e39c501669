package dev.curvature.hessian;

import dev.curvature.hessian.internal.ProbeCopy;
import dev.curvature.hessian.math.BlockStructure;
import dev.curvature.hessian.math.ParamSubspace;
import dev.curvature.optimizers.LayerRoles;
import dev.curvature.optimizers.internal.BlockedLayout;
import dev.curvature.optimizers.internal.ParamBlocks;
import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.optimizers.layout.ParamSpec;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.params.CenterLossParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of a probe copy that a partition covers, in flat-vector order, with their blocks, labels and
 * layer groups. Glue between DL4J layers and the array maths.
 *
 * <p>Skipped, with one warning per layer type and estimator: frozen layers (not trained), variational
 * autoencoders (they sample noise in the forward pass), and the centres of a center-loss output layer (updated by
 * a rule, not a gradient). BatchNormalization running mean/variance are skipped silently: they are not trained by
 * gradient, DL4J only stores them among the parameters.
 */
final class ModelBlocks {

    /** Callback for a layer (or parameter) that cannot be handled: layer type, layer name, reason. */
    interface SkipWarning {
        void skipped(Class<?> layerType, String layerName, String reason);
    }

    record Selected(ParamSpec spec, ParamBlocks blocks, long offset) {
    }

    private final List<Selected> params;
    private final BlockStructure structure;
    private final ParamSubspace subspace;
    private final List<BlockLabel> labels;
    private final int[] groupBounds;
    private final List<String> groupNames;
    private final long[] groupParameters;

    private ModelBlocks(List<Selected> params, long fullLength) {
        this.params = List.copyOf(params);
        List<ParamBlocks> blocks = new ArrayList<>();
        long[] offsets = new long[params.size()];
        long[] lengths = new long[params.size()];
        List<BlockLabel> labelList = new ArrayList<>();
        List<Integer> bounds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Long> groupParams = new ArrayList<>();
        int block = 0;
        for (int i = 0; i < params.size(); i++) {
            Selected s = params.get(i);
            blocks.add(s.blocks());
            offsets[i] = s.offset();
            lengths[i] = s.blocks().length();
            String layer = s.spec().layer();
            if (names.isEmpty() || !names.get(names.size() - 1).equals(layer)) {
                names.add(layer);
                bounds.add(block);
                groupParams.add(0L);
            }
            groupParams.set(groupParams.size() - 1, groupParams.get(groupParams.size() - 1) + lengths[i]);
            for (long k = 0; k < s.blocks().numBlocks(); k++) {
                labelList.add(new BlockLabel(layer, s.spec().param(), k, s.blocks().numBlocks()));
            }
            block += (int) s.blocks().numBlocks();
        }
        bounds.add(block);
        this.structure = new BlockStructure(new BlockedLayout(blocks));
        this.subspace = ParamSubspace.of(fullLength, offsets, lengths);
        this.labels = List.copyOf(labelList);
        this.groupBounds = bounds.stream().mapToInt(Integer::intValue).toArray();
        this.groupNames = List.copyOf(names);
        this.groupParameters = groupParams.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The parameters of {@code copy} covered by {@code partition}.
     *
     * @throws IllegalArgumentException if the partition names a layer the model does not have
     * @throws IllegalStateException    if nothing is left to probe
     */
    static ModelBlocks select(ProbeCopy copy, BlockPartition partition, SkipWarning warning) {
        INDArray flat = copy.parameters();
        Set<String> outputs = copy.outputLayerNames();
        Set<String> seen = new LinkedHashSet<>();
        List<Selected> selected = new ArrayList<>();
        for (Layer layer : copy.layers()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            String name = conf.getLayerName();
            seen.add(name);
            if (!partition.includesLayer(name)) {
                continue;
            }
            Map<String, INDArray> table = layer.paramTable(false);
            if (table == null || table.isEmpty()) {
                continue;
            }
            String reason = unsupported(layer, conf);
            if (reason != null) {
                warning.skipped(conf.getClass(), name, reason);
                continue;
            }
            for (Map.Entry<String, INDArray> e : table.entrySet()) {
                INDArray p = e.getValue();
                if (p == null || p.length() == 0 || runningStatistic(conf, e.getKey())) {
                    continue;
                }
                if (conf instanceof CenterLossOutputLayer && CenterLossParamInitializer.CENTER_KEY.equals(e.getKey())) {
                    warning.skipped(conf.getClass(), name, "its class centres '" + e.getKey()
                            + "' are updated by a rule, not by the gradient; they are left out");
                    continue;
                }
                ParamRole role = partition.needsRoles() ? LayerRoles.role(conf, e.getKey(), p.shape()) : ParamRole.OTHER;
                ParamSpec spec = new ParamSpec(name, e.getKey(), role, p.shape(), p.ordering(), outputs.contains(name));
                long offset = p.offset() - flat.offset();
                if (offset < 0 || offset + p.length() > flat.length()) {
                    throw new IllegalStateException("parameter " + spec.label() + " is not a view of the flat "
                            + "parameter vector (offset " + offset + "); cannot probe it");
                }
                selected.add(new Selected(spec, partition.blocks(spec), offset));
            }
        }
        for (String wanted : partition.layers()) {
            if (!seen.contains(wanted)) {
                throw new IllegalArgumentException("the partition names layer '" + wanted
                        + "', which the model does not have; its layers are " + seen);
            }
        }
        if (selected.isEmpty()) {
            throw new IllegalStateException("no parameters to probe with partition " + partition.describe()
                    + " (layers " + seen + ")");
        }
        selected.sort(Comparator.comparingLong(Selected::offset));
        return new ModelBlocks(selected, flat.length());
    }

    private static String unsupported(Layer runtime, org.deeplearning4j.nn.conf.layers.Layer conf) {
        if (conf instanceof FrozenLayer || conf instanceof FrozenLayerWithBackprop
                || runtime instanceof org.deeplearning4j.nn.layers.FrozenLayer
                || runtime instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop) {
            return "it is frozen: its parameters are not trained and get no gradient";
        }
        if (conf instanceof VariationalAutoencoder) {
            return "it samples random noise in its forward pass (a pretraining layer)";
        }
        return null;
    }

    private static boolean runningStatistic(org.deeplearning4j.nn.conf.layers.Layer conf, String param) {
        return conf instanceof BatchNormalization && (BatchNormalizationParamInitializer.GLOBAL_MEAN.equals(param)
                || BatchNormalizationParamInitializer.GLOBAL_VAR.equals(param)
                || BatchNormalizationParamInitializer.GLOBAL_LOG_STD.equals(param));
    }

    List<Selected> params() {
        return params;
    }

    BlockStructure structure() {
        return structure;
    }

    ParamSubspace subspace() {
        return subspace;
    }

    List<BlockLabel> labels() {
        return labels;
    }

    int[] groupBounds() {
        return groupBounds.clone();
    }

    List<String> groupNames() {
        return groupNames;
    }

    long groupParameters(int g) {
        return groupParameters[g];
    }
}
