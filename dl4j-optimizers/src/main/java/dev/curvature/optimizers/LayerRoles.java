package dev.curvature.optimizers;

import dev.curvature.optimizers.layout.ParamRole;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1D;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution2D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recognises what each parameter of a DL4J layer configuration is. Unknown layer types get {@link ParamRole#OTHER}
 * (one block per tensor) and one warning per layer class.
 */
public final class LayerRoles {
    private static final Logger LOG = LoggerFactory.getLogger(LayerRoles.class);
    private static final Set<Class<?>> WARNED = ConcurrentHashMap.newKeySet();
    private static final Set<Class<?>> CONVOLUTIONS = Set.of(ConvolutionLayer.class, Convolution2D.class,
            Convolution1DLayer.class, Convolution1D.class);

    private LayerRoles() {
    }

    /**
     * The role of parameter {@code param} (with shape {@code shape}) of layer configuration {@code layer}.
     */
    public static ParamRole role(Layer layer, String param, long[] shape) {
        if (layer instanceof Bidirectional bi) {
            // Bidirectional prefixes its inner layer's parameters with "f" (forward) and "b" (backward)
            return role(bi.getFwd(), param.substring(1), shape);
        }
        if (layer instanceof BaseWrapperLayer w) {
            return role(w.getUnderlying(), param, shape);
        }
        if (layer.initializer().isBiasParam(layer, param)) {
            return ParamRole.BIAS;
        }
        if (layer instanceof BatchNormalization) {
            return ParamRole.NORM;
        }
        if (layer instanceof SelfAttentionLayer) {
            return switch (param) {
                case "Wq", "Wk" -> ParamRole.ATTENTION_QUERY_KEY;
                case "Wv" -> ParamRole.ATTENTION_VALUE;
                case "Wo" -> ParamRole.DENSE_WEIGHT;
                default -> other(layer, param);
            };
        }
        if (layer instanceof EmbeddingLayer || layer instanceof EmbeddingSequenceLayer) {
            return DefaultParamInitializer.WEIGHT_KEY.equals(param) ? ParamRole.EMBEDDING : other(layer, param);
        }
        if (CONVOLUTIONS.contains(layer.getClass())) {
            long nOut = ((FeedForwardLayer) layer).getNOut();
            if (DefaultParamInitializer.WEIGHT_KEY.equals(param) && shape.length >= 3 && shape[0] == nOut) {
                return ParamRole.CONV_WEIGHT;
            }
            return other(layer, param);
        }
        if (layer instanceof LSTM || layer instanceof GravesLSTM || layer instanceof SimpleRnn) {
            if ("W".equals(param) || "RW".equals(param)) {
                return ParamRole.DENSE_WEIGHT;
            }
            return param.startsWith("g") ? ParamRole.NORM : other(layer, param);
        }
        if (layer instanceof FeedForwardLayer && layer.initializer() instanceof DefaultParamInitializer
                && layer.initializer().getClass() == DefaultParamInitializer.class) {
            if (DefaultParamInitializer.WEIGHT_KEY.equals(param)) {
                return ParamRole.DENSE_WEIGHT;
            }
            if (DefaultParamInitializer.GAIN_KEY.equals(param)) {
                return ParamRole.NORM;
            }
        }
        return other(layer, param);
    }

    private static ParamRole other(Layer layer, String param) {
        if (WARNED.add(layer.getClass())) {
            LOG.warn("Layer type {} (layer '{}', parameter '{}') is not recognised by the curvature optimizers: "
                            + "each of its parameters is treated as one block (Adam-mini) or given to the auxiliary "
                            + "updater (Muon). Warned once per layer type.",
                    layer.getClass().getSimpleName(), layer.getLayerName(), param);
        }
        return ParamRole.OTHER;
    }
}
