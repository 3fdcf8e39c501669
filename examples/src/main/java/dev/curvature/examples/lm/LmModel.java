package dev.curvature.examples.lm;

import dev.curvature.optimizers.Layouts;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * The next-token model, a DL4J {@link ComputationGraph}: token embedding {@code C -> d} plus a learned position
 * embedding {@code k -> d} (so the order of the window matters), one multi-head self-attention layer (DL4J
 * {@link SelfAttentionLayer}, projected queries, keys, values and output) with a residual connection, the last
 * position's vector, an MLP layer {@code d -> hidden} (ReLU) and a softmax output {@code hidden -> C} without bias
 * (as in GPT-style language-model heads), trained on sparse cross-entropy.
 */
public final class LmModel {
    /** Name of the output layer (the one whose Hessian ratio the sweep reports). */
    public static final String OUTPUT = "output";

    private LmModel() {
    }

    /** The shape of the model. */
    public record Shape(int classes, int window, int dim, int heads, int hidden) {
        public Shape {
            if (dim % heads != 0) {
                throw new IllegalArgumentException("--dim " + dim + " must be a multiple of --heads " + heads);
            }
        }

        public Shape withClasses(int c) {
            return new Shape(c, window, dim, heads, hidden);
        }

        /** Number of parameters. */
        public long parameters() {
            return (long) classes * dim + (long) window * dim + 4L * dim * dim + (long) dim * hidden + hidden
                    + (long) hidden * classes;
        }
    }

    /**
     * An initialised FLOAT graph with layouts attached (for Adam-mini and Muon; harmless for DL4J's updaters), with
     * DL4J's decoupled weight decay {@code dl4jWeightDecay} on weights when positive.
     */
    public static ComputationGraph build(Shape s, IUpdater updater, double dl4jWeightDecay, long seed) {
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(updater);
        if (dl4jWeightDecay > 0) {
            base.weightDecay(dl4jWeightDecay, true);
        }
        ComputationGraphConfiguration conf = base.graphBuilder()
                .addInputs("tokens", "positions")
                .addLayer("embedding", new EmbeddingSequenceLayer.Builder().nIn(s.classes()).nOut(s.dim())
                        .inputLength(s.window()).hasBias(false).weightInit(WeightInit.NORMAL).build(), "tokens")
                .addLayer("position", new EmbeddingSequenceLayer.Builder().nIn(s.window()).nOut(s.dim())
                        .inputLength(s.window()).hasBias(false).weightInit(WeightInit.NORMAL).build(), "positions")
                .addVertex("input", new ElementWiseVertex(ElementWiseVertex.Op.Add), "embedding", "position")
                .addLayer("attention", new SelfAttentionLayer.Builder().nIn(s.dim()).nOut(s.dim()).nHeads(s.heads())
                        .headSize(s.dim() / s.heads()).projectInput(true).build(), "input")
                .addVertex("residual", new ElementWiseVertex(ElementWiseVertex.Op.Add), "input", "attention")
                .addVertex("last", new LastTimeStepVertex("tokens"), "residual")
                .addLayer("mlp", new DenseLayer.Builder().nIn(s.dim()).nOut(s.hidden()).activation(Activation.RELU)
                        .build(), "last")
                .addLayer(OUTPUT, new OutputLayer.Builder().lossFunction(new LossSparseMCXENT()).nIn(s.hidden())
                        .nOut(s.classes()).hasBias(false).activation(Activation.SOFTMAX).build(), "mlp")
                .setOutputs(OUTPUT)
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return Layouts.attach(graph);
    }
}
