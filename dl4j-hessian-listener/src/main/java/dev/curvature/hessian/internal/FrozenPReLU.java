package dev.curvature.hessian.internal;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.PReLUParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code PReLULayer} whose pieces are frozen at the probe point: {@code y = x * (m + (1 - m) alpha)} with the mask
 * {@code m = [x0 > 0]} recorded by the {@link KinkTape} (DL4J's PReLU backpropagation takes the {@code alpha} branch
 * at exactly 0, like autograd). Unlike a PReLU activation inside another layer, the layer's {@code alpha} is a
 * trained parameter, so the frozen function stays bilinear in {@code x} and {@code alpha}: its gradient with respect
 * to {@code alpha} is {@code sum over the batch and shared axes of eps (1 - m) x}, written to the layer's gradient
 * view as DL4J's own layer does.
 */
final class FrozenPReLU extends FrozenLayerWrapper {

    private Mask current;

    FrozenPReLU(Layer underlying, KinkTape tape) {
        super(underlying, tape);
    }

    private record Mask(INDArray positive) implements KinkTape.Piece {
        @Override
        public void close() {
            positive.close();
        }
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = underlying.input();
        current = tape.piece(this, x, Mask.class, in -> new Mask(in.gt(0.0).castTo(in.dataType())));
        INDArray slope = slope(x);
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
        out.assign(x).muli(slope);
        return out;
    }

    /** {@code m + (1 - m) alpha}, broadcast to the input's shape. */
    private INDArray slope(INDArray x) {
        INDArray alpha = alpha();
        INDArray m = current.positive();
        INDArray broadcastAlpha = Nd4j.zeros(x.dataType(), x.shape()).addi(alpha.reshape(withBatchAxis(alpha)));
        return m.rsub(1.0).muli(broadcastAlpha).addi(m);
    }

    private INDArray alpha() {
        return underlying.getParam(PReLUParamInitializer.WEIGHT_KEY);
    }

    private static long[] withBatchAxis(INDArray alpha) {
        long[] s = alpha.shape();
        long[] out = new long[s.length + 1];
        out[0] = 1;
        System.arraycopy(s, 0, out, 1, s.length);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        if (current == null) {
            throw new IllegalStateException("backpropagation through a frozen PReLU layer before its forward pass");
        }
        INDArray x = underlying.input();
        INDArray delta = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), x.shape(), 'c');
        delta.assign(slope(x)).muli(epsilon);

        INDArray alpha = alpha();
        long[] aShape = withBatchAxis(alpha);
        List<Integer> reduce = new ArrayList<>();
        for (int d = 0; d < x.rank(); d++) {
            if (aShape[d] == 1 && x.size(d) != 1) {
                reduce.add(d);
            }
        }
        INDArray perUnit = current.positive().rsub(1.0).muli(x).muli(epsilon);
        INDArray alphaGrad = perUnit.sum(true, reduce.stream().mapToInt(Integer::intValue).toArray());
        INDArray view = underlying.getGradientsViewArray();
        view.assign(alphaGrad.reshape(view.shape()));
        Gradient g = new DefaultGradient();
        g.setGradientFor(PReLUParamInitializer.WEIGHT_KEY, view.reshape('c', alpha.shape()), 'c');
        return new Pair<>(g, delta);
    }

    @Override
    public String toString() {
        return "frozen " + underlying.conf().getLayer().getLayerName() + " (PReLULayer)";
    }
}
