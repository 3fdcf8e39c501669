package dev.curvature.hessian.internal;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@code ElementWiseVertex} with {@code Op.Max} whose choice of input is frozen at the probe point: per element,
 * {@code y = sum_i m_i x_i} with one-hot masks {@code m_i} recorded by the {@link KinkTape} from the same
 * {@code mergemaxindex} operation DL4J's own backpropagation routes with (so ties go where DL4J sends them). Inputs
 * that broadcast are broadcast forward and summed back over the broadcast axes backward.
 */
final class FrozenMaxVertex extends ElementWiseVertex {

    private final KinkTape tape;
    private Masks current;

    FrozenMaxVertex(ComputationGraph graph, ElementWiseVertex original, KinkTape tape) {
        super(graph, original.getVertexName(), original.getVertexIndex(), original.getInputVertices(),
                original.getOutputVertices(), Op.Max, DataType.DOUBLE);
        this.tape = tape;
    }

    private record Masks(INDArray[] masks, long[] outputShape) implements KinkTape.Piece {
        @Override
        public void close() {
            for (INDArray m : masks) {
                m.close();
            }
        }
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr mgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("Cannot do forward pass: inputs not set");
        }
        if (inputs.length == 1) {
            current = null;
            return mgr.dup(ArrayType.ACTIVATIONS, inputs[0]);
        }
        current = tape.piece(this, inputs[0], Masks.class, first -> record());
        INDArray out = mgr.create(ArrayType.ACTIVATIONS, inputs[0].dataType(), current.outputShape());
        for (int i = 0; i < inputs.length; i++) {
            out.addi(current.masks()[i].mul(inputs[i]));
        }
        return out;
    }

    private Masks record() {
        long[] outShape = inputs[0].shape();
        for (int i = 1; i < inputs.length; i++) {
            outShape = Shape.broadcastOutputShape(outShape, inputs[i].shape());
        }
        INDArray[] broadcast = new INDArray[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            broadcast[i] = Nd4j.zeros(inputs[i].dataType(), outShape).addi(inputs[i]);
        }
        INDArray index = Nd4j.create(DataType.INT, outShape);
        CustomOp op = DynamicCustomOp.builder("mergemaxindex").addInputs(broadcast).addOutputs(index)
                .callInplace(false).build();
        Nd4j.getExecutioner().exec(op);
        INDArray[] masks = new INDArray[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            masks[i] = index.eq(i).castTo(inputs[i].dataType());
            broadcast[i].close();
        }
        index.close();
        return new Masks(masks, outShape);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr mgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException("Cannot do backward pass: errors not set");
        }
        if (current == null) {
            return new Pair<>(null, new INDArray[] {mgr.dup(ArrayType.ACTIVATION_GRAD, epsilon)});
        }
        INDArray[] out = new INDArray[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            INDArray routed = current.masks()[i].mul(epsilon);
            long[] shape = inputs[i].shape();
            List<Integer> reduce = new ArrayList<>();
            for (int d = 0; d < shape.length; d++) {
                if (shape[d] == 1 && routed.size(d) != 1) {
                    reduce.add(d);
                }
            }
            if (!reduce.isEmpty()) {
                routed = routed.sum(true, reduce.stream().mapToInt(Integer::intValue).toArray());
            }
            out[i] = mgr.dup(ArrayType.ACTIVATION_GRAD, routed.reshape(shape));
        }
        return new Pair<>(null, out);
    }

    @Override
    public String toString() {
        return "frozen ElementWiseVertex(Max) " + getVertexName();
    }
}
