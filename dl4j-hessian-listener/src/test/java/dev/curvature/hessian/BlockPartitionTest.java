package dev.curvature.hessian;

import dev.curvature.hessian.internal.ProbeCopy;
import dev.curvature.hessian.math.BlockStructure;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Blocks and labels per layer type under each partition, block views on real DL4J parameters, layer restriction. */
class BlockPartitionTest {

    static MultiLayerNetwork convNet() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER).updater(new Adam()).list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(5, 5, 2)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static DataSet images() {
        return new DataSet(Nd4j.rand(DataType.DOUBLE, 6, 2, 5, 5), Nd4j.eye(3).repeat(0, 2).castTo(DataType.DOUBLE));
    }

    private static List<String> labels(ModelBlocks blocks) {
        return blocks.labels().stream().map(BlockLabel::toString).toList();
    }

    @Test
    void perOutputNeuronBlocksOfConvDenseAndOutputLayers() {
        ProbeCopy copy = ProbeCopy.of(convNet(), images());
        ModelBlocks blocks = ModelBlocks.select(copy, BlockPartition.perOutputNeuron(), (t, n, r) -> {
            throw new AssertionError("nothing to skip");
        });
        // DL4J stores a convolution's bias before its weights; blocks follow the flat parameter order
        assertEquals(List.of("layer0/b", "layer0/W[0]", "layer0/W[1]", "layer0/W[2]",
                "layer1/W[0]", "layer1/W[1]", "layer1/W[2]", "layer1/W[3]", "layer1/b",
                "layer2/W[0]", "layer2/W[1]", "layer2/W[2]", "layer2/b"), labels(blocks));
        BlockStructure s = blocks.structure();
        assertEquals(3, s.blockSize(0), "the convolution bias, one block");
        assertEquals(2 * 2 * 2, s.blockSize(1), "an output channel: nIn x kH x kW");
        assertEquals(3 * 4 * 4, s.blockSize(4), "a dense neuron: nIn weights");
        assertEquals(List.of("layer0", "layer1", "layer2"), blocks.groupNames());

        // the block views pick exactly the channel / the column of the DL4J parameter
        INDArray flat = copy.parameters();
        INDArray convW = copy.layers()[0].paramTable(false).get("W");
        INDArray channel1 = convW.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
        assertEquals(Nd4j.toFlattened('c', channel1), Nd4j.toFlattened('c', s.view(flat, 2)));
        INDArray denseW = copy.layers()[1].paramTable(false).get("W");
        assertEquals(denseW.getColumn(2).reshape(48), s.view(flat, 4 + 2).reshape(48));
    }

    @Test
    void adamMiniAndPerTensorBlocks() {
        ProbeCopy copy = ProbeCopy.of(convNet(), images());
        ModelBlocks adamMini = ModelBlocks.select(copy, BlockPartition.adamMini(), (t, n, r) -> { });
        // conv W per channel (3), conv b per element (3), dense W per neuron (4), b per element (4), output 3 + 3
        assertEquals(20, adamMini.structure().numBlocks());
        assertEquals("layer0/b[2]", adamMini.labels().get(2).toString());
        assertEquals("layer0/W[0]", adamMini.labels().get(3).toString());
        ModelBlocks perTensor = ModelBlocks.select(copy, BlockPartition.perTensor(), (t, n, r) -> { });
        assertEquals(List.of("layer0/b", "layer0/W", "layer1/W", "layer1/b", "layer2/W", "layer2/b"), labels(perTensor));
    }

    @Test
    void lstmWeightsSplitPerGateUnit() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.DOUBLE).list()
                .layer(new LSTM.Builder().nIn(3).nOut(2).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(2).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        DataSet seq = dev.curvature.testing.SyntheticData.sequences(1, 4, 3, 5, 3, DataType.DOUBLE);
        ModelBlocks blocks = ModelBlocks.select(ProbeCopy.of(net, seq), BlockPartition.perOutputNeuron(), (t, n, r) -> { });
        // LSTM W [3, 8] and RW [2, 8]: one block per gate unit (column); b whole; output W [2, 3] columns, b whole
        assertEquals(8 + 8 + 1 + 3 + 1, blocks.structure().numBlocks(), "" + labels(blocks));
        BlockHessianReport r = HessianBlockEstimator.builder().probesPerBlock(2).build().estimate(net, seq);
        assertTrue(Double.isFinite(r.pairwiseRatio()) && r.pairwiseRatio() > 0);
    }

    @Test
    void restrictingToALayerGivesThePrincipalSubmatrix() {
        MultiLayerNetwork net = Nets.oneHidden(3, 4, 3, DataType.DOUBLE, 1.0, 8);
        DataSet data = Nets.randomData(9, 16, 3, 3, DataType.DOUBLE);
        HessianBlockEstimator.Builder b = HessianBlockEstimator.builder().method(HessianBlockEstimator.Method.EXACT)
                .lanczosSteps(0);
        BlockHessianReport full = b.build().estimate(net, data);
        BlockHessianReport out = b.partition(BlockPartition.perOutputNeuron().onlyLayers("layer1")).build()
                .estimate(net, data);
        assertEquals(4, out.blockCount(), "3 output neurons + the output bias");
        assertEquals(4 * 3 + 3, out.parameters());
        int offset = 5; // 4 hidden neurons + the hidden bias come first in the full partition
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(full.squaredNorm(offset + i, offset + j), out.squaredNorm(i, j),
                        1e-9 * full.diagonalRms() * full.diagonalRms());
            }
        }
        assertEquals(full.layers().get(1).pairwiseRatio(), out.pairwiseRatio(), 1e-9,
                "the layer summary of the full report is the restricted report");
        assertEquals("perOutputNeuron(layer1)", out.partition());
    }

    @Test
    void unknownLayerNamesAreRejected() {
        MultiLayerNetwork net = Nets.oneHidden(3, 4, 3, DataType.DOUBLE, 1.0, 8);
        HessianBlockEstimator e = HessianBlockEstimator.builder()
                .partition(BlockPartition.perTensor().onlyLayers("dense")).build();
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> e.estimate(net, Nets.randomData(1, 4, 3, 3, DataType.DOUBLE)));
        assertTrue(ex.getMessage().contains("'dense'") && ex.getMessage().contains("[layer0, layer1]"), ex.getMessage());
    }
}
