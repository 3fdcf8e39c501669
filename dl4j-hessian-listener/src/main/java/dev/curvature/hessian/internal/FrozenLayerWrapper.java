package dev.curvature.hessian.internal;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A runtime layer of a probe copy replaced by a frozen version of itself: everything (parameters, configuration,
 * masks) is the wrapped DL4J layer's, except the forward and backward passes, which apply the piece recorded on the
 * copy's {@link KinkTape}.
 */
abstract class FrozenLayerWrapper extends BaseWrapperLayer {
    protected final KinkTape tape;

    FrozenLayerWrapper(Layer underlying, KinkTape tape) {
        super(underlying);
        this.tape = tape;
    }

    @Override
    public final INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr mgr) {
        setInput(input, mgr);
        return activate(training, mgr);
    }
}
