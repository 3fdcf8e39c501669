package dev.curvature.hessian.internal;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.Subsampling3DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.Gather;
import org.nd4j.linalg.api.ops.random.impl.Range;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

/**
 * A max-pooling layer whose arg-max is frozen at the probe point: each output takes the input element that DL4J's
 * own max-pooling backpropagation routed to when the {@link KinkTape} recorded, whatever the inputs are now. That is
 * a fixed selection {@code y = P x}: linear, so the frozen network is smooth where the original switches branch
 * (inside a pooling window, a near-tie or an exact tie), and at the recorded point it has the original's value,
 * gradient and Hessian, with DL4J's tie-breaking.
 *
 * <p>Covers {@code SubsamplingLayer} (2-D, NCHW or NHWC), {@code Subsampling1DLayer}, {@code Subsampling3DLayer}
 * (NCDHW or NDHWC) and {@code GlobalPoolingLayer}, with MAX pooling, any kernel, stride, padding and dilation.
 *
 * <p>Recording, with ND4J array operations only: windows overlap when the stride is smaller than the dilated kernel,
 * so the outputs are split into {@code prod_a ceil(kernel_a / stride_a)} classes by their index modulo that ratio
 * along each pooled axis; windows of one class are disjoint. For each class, the wrapped layer's backpropagation of an
 * indicator of the class's outputs marks each window's routed input with a 1; pooling {@code 2 * marks + index / (N + 1)}
 * (index = flat position, N = input size) then returns, for each window of the class, {@code 2 + routed index /
 * (N + 1)}, from which the index is read back exactly. Replay: forward is a gather of those indices; backward is the
 * wrapped layer's own backpropagation at the recorded input, i.e. {@code P^T}.
 */
final class FrozenMaxPooling extends FrozenLayerWrapper {

    private final int[] pooledAxes;
    private final int[] ratios;
    private Routing current;

    private FrozenMaxPooling(Layer underlying, KinkTape tape, int[] pooledAxes, int[] ratios) {
        super(underlying, tape);
        this.pooledAxes = pooledAxes;
        this.ratios = ratios;
    }

    /** True when {@code conf} is a max-pooling layer this class freezes. */
    static boolean isMaxPooling(org.deeplearning4j.nn.conf.layers.Layer conf) {
        return conf instanceof SubsamplingLayer s && s.getPoolingType() == PoolingType.MAX
                || conf instanceof Subsampling3DLayer s3 && s3.getPoolingType() == PoolingType.MAX
                || conf instanceof GlobalPoolingLayer g && g.getPoolingType() == PoolingType.MAX;
    }

    /** Wraps the runtime layer of a max-pooling configuration ({@link #isMaxPooling}). */
    static FrozenMaxPooling wrap(Layer runtime, KinkTape tape) {
        org.deeplearning4j.nn.conf.layers.Layer conf = runtime.conf().getLayer();
        if (conf instanceof Subsampling1DLayer s) {
            return new FrozenMaxPooling(runtime, tape, new int[] {2},
                    new int[] {ratio(s.getKernelSize()[0], s.getStride()[0], s.getDilation()[0])});
        }
        if (conf instanceof SubsamplingLayer s) {
            int[] axes = s.getCnn2dDataFormat() == CNN2DFormat.NHWC ? new int[] {1, 2} : new int[] {2, 3};
            return new FrozenMaxPooling(runtime, tape, axes, new int[] {
                    ratio(s.getKernelSize()[0], s.getStride()[0], s.getDilation()[0]),
                    ratio(s.getKernelSize()[1], s.getStride()[1], s.getDilation()[1])});
        }
        if (conf instanceof Subsampling3DLayer s) {
            int[] axes = s.getDataFormat() == Convolution3D.DataFormat.NDHWC ? new int[] {1, 2, 3}
                    : new int[] {2, 3, 4};
            int[] dilation = s.getDilation() == null ? new int[] {1, 1, 1} : s.getDilation();
            return new FrozenMaxPooling(runtime, tape, axes, new int[] {
                    ratio(s.getKernelSize()[0], s.getStride()[0], dilation[0]),
                    ratio(s.getKernelSize()[1], s.getStride()[1], dilation[1]),
                    ratio(s.getKernelSize()[2], s.getStride()[2], dilation[2])});
        }
        if (conf instanceof GlobalPoolingLayer) {
            return new FrozenMaxPooling(runtime, tape, new int[0], new int[0]); // one window per example and channel
        }
        throw new IllegalArgumentException("not a max-pooling layer: " + conf);
    }

    /** Classes along one axis: windows whose output indices differ by this many never overlap. */
    private static int ratio(int kernel, int stride, int dilation) {
        int span = (kernel - 1) * dilation + 1;
        return Math.max(1, (span + stride - 1) / stride);
    }

    /** The recorded input and, per output element, the flat ('c' order) index of its routed input element. */
    private record Routing(INDArray input, INDArray indices, long[] outputShape) implements KinkTape.Piece {
        @Override
        public void close() {
            input.close();
            indices.close();
        }
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = underlying.input();
        boolean recording = tape.recording();
        current = tape.piece(this, x, Routing.class, this::record);
        if (recording) {
            underlying.setInput(x, mgr); // recording ran the layer on other inputs
        }
        INDArray flat = x.reshape('c', new long[] {x.length()});
        INDArray selected = Nd4j.exec(new Gather(flat, current.indices(), 0))[0];
        return mgr.leverageTo(ArrayType.ACTIVATIONS, selected.reshape('c', current.outputShape()));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        if (current == null) {
            throw new IllegalStateException("backpropagation through a frozen max-pooling layer before its forward pass");
        }
        INDArray now = underlying.input();
        underlying.setInput(current.input(), mgr);
        try {
            return underlying.backpropGradient(epsilon, mgr);
        } finally {
            underlying.setInput(now, mgr);
        }
    }

    private Routing record(INDArray x) {
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        INDArray x0 = x.dup('c');
        long n = x0.length();
        INDArray out0 = underlying.activate(x0, true, none).dup('c');
        long[] outShape = out0.shape();
        DataType type = x0.dataType();
        // flat positions 0..n-1 (the range op: Nd4j.linspace draws from the global random stream in ND4J 1.0.0-M2.1)
        INDArray position = Nd4j.exec(new Range(0.0, n, 1.0, DataType.DOUBLE))[0].castTo(type)
                .reshape('c', x0.shape()).divi(n + 1.0);
        INDArray indices = Nd4j.zeros(type, outShape);
        int classes = 1;
        for (int r : ratios) {
            classes *= r;
        }
        for (int c = 0; c < classes; c++) {
            INDArray select = classIndicator(outShape, c, type);
            underlying.activate(x0, true, none);
            INDArray marks = underlying.backpropGradient(select.dup(), none).getSecond().dup('c');
            INDArray probe = marks.muli(2.0).addi(position);
            INDArray pooled = underlying.activate(probe, true, none).dup('c');
            indices.addi(pooled.subi(2.0).muli(n + 1.0).muli(select));
            probe.close();
            pooled.close();
            select.close();
        }
        Transforms.round(indices, false);
        double min = indices.minNumber().doubleValue();
        double max = indices.maxNumber().doubleValue();
        if (min < 0 || max >= n) {
            throw new IllegalStateException("could not read the max-pooling routing of " + underlying.conf().getLayer()
                    + " back from its own backpropagation (indices in [" + min + ", " + max + "], input size " + n + ")");
        }
        INDArray longIndices = indices.reshape('c', new long[] {indices.length()}).castTo(DataType.LONG);
        indices.close();
        position.close();
        out0.close();
        return new Routing(x0, longIndices, outShape);
    }

    /** 1 at outputs whose index along each pooled axis is congruent to this class's residue, 0 elsewhere. */
    private INDArray classIndicator(long[] outShape, int classIndex, DataType type) {
        INDArray select = Nd4j.ones(type, outShape);
        int rest = classIndex;
        for (int a = 0; a < pooledAxes.length; a++) {
            int r = ratios[a];
            int residue = rest % r;
            rest /= r;
            if (r == 1) {
                continue;
            }
            int axis = pooledAxes[a];
            long extent = outShape[axis];
            double[] pattern = new double[(int) extent];
            for (int o = 0; o < extent; o++) {
                pattern[o] = o % r == residue ? 1.0 : 0.0;
            }
            long[] shape = new long[outShape.length];
            Arrays.fill(shape, 1);
            shape[axis] = extent;
            INDArray along = Nd4j.createFromArray(pattern).castTo(type).reshape(shape);
            select.muli(along);
        }
        return select;
    }

    @Override
    public String toString() {
        return "frozen " + underlying.conf().getLayer().getLayerName() + " ("
                + underlying.conf().getLayer().getClass().getSimpleName() + ")";
    }
}
