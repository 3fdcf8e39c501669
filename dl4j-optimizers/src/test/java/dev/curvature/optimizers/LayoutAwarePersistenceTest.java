package dev.curvature.optimizers;

import dev.curvature.optimizers.layout.LayoutAware;
import dev.curvature.testing.SyntheticData;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.io.File;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configurations round-trip through JSON; save/restore, clone and convertDataType continue training exactly where
 * an uninterrupted run goes, for every layout-aware updater in {@link #updaters()} (Adam-mini and Muon).
 */
class LayoutAwarePersistenceTest {

    IUpdater[] updaters() {
        return new IUpdater[] {
                AdamMini.builder().learningRate(0.01).beta1(0.85).beta2(0.99).epsilon(1e-7).weightDecay(0.05).build(),
                AdamMini.builder().learningRateSchedule(new ExponentialSchedule(ScheduleType.ITERATION, 0.02, 0.9)).build(),
                Muon.builder().learningRate(0.02).weightDecay(0.01).build(),
                Muon.builder().learningRateSchedule(new ExponentialSchedule(ScheduleType.ITERATION, 0.02, 0.95))
                        .nesterov(false).scaling(Muon.Scaling.MATCH_ADAMW_RMS).momentum(0.9).nsSteps(4)
                        .auxiliary(new AdamMini(1e-3)).auxiliaryWeightDecay(0.1).build()};
    }

    static MultiLayerConfiguration mlp(IUpdater updater, DataType type) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(type).updater(updater).list()
                .layer(new DenseLayer.Builder().nIn(10).nOut(12).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(12).hasBias(false).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(10)).build();
    }

    static MultiLayerNetwork trainedNet(IUpdater updater, DataType type, DataSet data, int steps) {
        MultiLayerNetwork net = new MultiLayerNetwork(mlp(updater, type));
        net.init();
        Layouts.attach(net);
        for (int i = 0; i < steps; i++) {
            net.fit(data);
        }
        return net;
    }

    @Test
    void jsonRoundTripGivesEqualConfigurations() {
        for (IUpdater u : updaters()) {
            MultiLayerConfiguration plain = mlp(u, DataType.FLOAT);
            assertEquals(plain, MultiLayerConfiguration.fromJson(plain.toJson()));
            MultiLayerNetwork net = new MultiLayerNetwork(mlp(u, DataType.FLOAT));
            net.init();
            Layouts.attach(net);
            MultiLayerConfiguration stamped = net.getLayerWiseConfigurations();
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(stamped.toJson());
            assertEquals(stamped, back);
            assertNotEquals(plain, stamped, "the stamp is part of the configuration");
            LayoutAware first = (LayoutAware) ((org.deeplearning4j.nn.conf.layers.BaseLayer) back.getConf(0).getLayer()).getIUpdater();
            assertNotNull(first.getLayout());
            assertEquals(2, first.getLayout().params().size());
            assertEquals(stamped, MultiLayerConfiguration.fromYaml(stamped.toYaml()));
        }
    }

    @Test
    void computationGraphJsonRoundTrip() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().updater(new AdamMini(0.01))
                .graphBuilder().addInputs("in")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(3).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "conv")
                .setInputTypes(InputType.convolutional(6, 6, 1)).setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Layouts.attach(graph);
        ComputationGraphConfiguration stamped = graph.getConfiguration();
        assertEquals(stamped, ComputationGraphConfiguration.fromJson(stamped.toJson()));
    }

    @Test
    void saveRestoreContinuesBitIdentically(@TempDir File dir) throws IOException {
        DataSet data = SyntheticData.classification(11, 20, 10, 4, DataType.FLOAT);
        for (IUpdater u : updaters()) {
            MultiLayerNetwork uninterrupted = trainedNet(u, DataType.FLOAT, data, 3);
            MultiLayerNetwork interrupted = trainedNet(u, DataType.FLOAT, data, 3);
            File file = new File(dir, "net.zip");
            ModelSerializer.writeModel(interrupted, file, true);
            MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
            assertEquals(interrupted.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
            for (int i = 0; i < 4; i++) {
                uninterrupted.fit(data);
                restored.fit(data);
            }
            assertEquals(uninterrupted.params(), restored.params(), "params after restore, " + u);
            assertEquals(uninterrupted.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        }
    }

    @Test
    void computationGraphSaveRestoreContinuesBitIdentically(@TempDir File dir) throws IOException {
        for (IUpdater u : updaters()) {
            graphSaveRestore(u, dir);
        }
    }

    void graphSaveRestore(IUpdater updater, File dir) throws IOException {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(updater)
                .graphBuilder().addInputs("in")
                .addLayer("h", new DenseLayer.Builder().nIn(10).nOut(8).activation(Activation.TANH).build(), "in")
                .addLayer("h2", new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.TANH).build(), "h")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "h2")
                .setOutputs("out").build();
        DataSet data = SyntheticData.classification(12, 20, 10, 4, DataType.FLOAT);
        ComputationGraph a = new ComputationGraph(conf.clone());
        a.init();
        Layouts.attach(a);
        ComputationGraph b = new ComputationGraph(conf.clone());
        b.init();
        Layouts.attach(b);
        for (int i = 0; i < 3; i++) {
            a.fit(data);
            b.fit(data);
        }
        File file = new File(dir, "graph.zip");
        ModelSerializer.writeModel(b, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        for (int i = 0; i < 4; i++) {
            a.fit(data);
            restored.fit(data);
        }
        assertEquals(a.params(), restored.params(), updater.toString());
    }

    @Test
    void cloneContinuesBitIdentically() {
        DataSet data = SyntheticData.classification(13, 20, 10, 4, DataType.FLOAT);
        for (IUpdater u : updaters()) {
            MultiLayerNetwork original = trainedNet(u, DataType.FLOAT, data, 3);
            MultiLayerNetwork copy = original.clone();
            for (int i = 0; i < 4; i++) {
                original.fit(data);
                copy.fit(data);
            }
            assertEquals(original.params(), copy.params(), "params after clone, " + u);
            assertEquals(original.getUpdater().getStateViewArray(), copy.getUpdater().getStateViewArray());
        }
    }

    @Test
    void convertDataTypeKeepsStateAndLayout() {
        DataSet floats = SyntheticData.classification(14, 20, 10, 4, DataType.FLOAT);
        DataSet doubles = new DataSet(floats.getFeatures().castTo(DataType.DOUBLE), floats.getLabels().castTo(DataType.DOUBLE));
        for (IUpdater u : updaters()) {
            MultiLayerNetwork floatNet = trainedNet(u, DataType.FLOAT, floats, 3);
            MultiLayerNetwork doubleNet = floatNet.convertDataType(DataType.DOUBLE);
            // state carried over exactly (cast), layout carried in the configuration
            assertEquals(floatNet.getUpdater().getStateViewArray().castTo(DataType.DOUBLE),
                    doubleNet.getUpdater().getStateViewArray());
            // a double network restored from the same float state by hand is the uninterrupted reference
            MultiLayerNetwork reference = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(
                    doubleNet.getLayerWiseConfigurations().toJson()));
            reference.init(floatNet.params().castTo(DataType.DOUBLE), true);
            reference.getUpdater().setStateViewArray(reference,
                    floatNet.getUpdater().getStateViewArray().castTo(DataType.DOUBLE), false);
            reference.setIterationCount(floatNet.getIterationCount());
            for (int i = 0; i < 4; i++) {
                floatNet.fit(floats);
                doubleNet.fit(doubles);
                reference.fit(doubles);
            }
            assertEquals(reference.params(), doubleNet.params(), "double continuation, " + u);
            // and the double run stays within float precision of the float run
            double diff = floatNet.params().castTo(DataType.DOUBLE).sub(doubleNet.params()).norm2Number().doubleValue();
            assertTrue(diff < 1e-4 * doubleNet.params().norm2Number().doubleValue(), "float vs double drift " + diff);
        }
    }
}
