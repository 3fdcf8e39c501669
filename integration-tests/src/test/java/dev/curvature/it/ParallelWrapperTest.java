package dev.curvature.it;

import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.Layouts;
import dev.curvature.optimizers.Muon;
import dev.curvature.testing.SyntheticData;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The optimizers under ParallelWrapper (2 CPU workers, parameter and updater averaging every 2 iterations):
 * workers rebuild their networks from the configuration JSON plus the flat updater state, so the stamped layout
 * must carry over (a lost layout throws at the workers' first step). Stated targets after 8 epochs: training loss
 * below 80% of its initial value, and no worse than 1.25x of DL4J's Adam trained by the same ParallelWrapper setup
 * (thread scheduling makes parameter averaging slightly nondeterministic).
 */
class ParallelWrapperTest {
    static final int EPOCHS = 8;

    static MultiLayerNetwork net(IUpdater updater) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).updater(updater).list()
                .layer(new DenseLayer.Builder().nIn(20).nOut(48).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(48).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(6).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(20)).build());
        net.init();
        return Layouts.attach(net);
    }

    static double trainWithWrapper(MultiLayerNetwork net, DataSet train) {
        ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net).workers(2).averagingFrequency(2)
                .prefetchBuffer(4).build();
        try {
            for (int epoch = 0; epoch < EPOCHS; epoch++) {
                wrapper.fit(new ListDataSetIterator<>(train.batchBy(64)));
            }
        } finally {
            wrapper.shutdown();
        }
        return net.score(train);
    }

    @Test
    void adamMiniAndMuonTrainWithTwoWorkers() {
        DataSet train = SyntheticData.classification(17, 1024, 20, 6, DataType.FLOAT);
        Map<String, IUpdater> updaters = new LinkedHashMap<>();
        updaters.put("Adam (DL4J)", new Adam(3e-3));
        updaters.put("AdamMini", new AdamMini(3e-3));
        updaters.put("Muon", Muon.builder().learningRate(0.02).auxiliary(new Adam(3e-3)).build());
        Map<String, Double> losses = new LinkedHashMap<>();
        double initial = Double.NaN;
        for (Map.Entry<String, IUpdater> e : updaters.entrySet()) {
            MultiLayerNetwork net = net(e.getValue());
            initial = net.score(train);
            losses.put(e.getKey(), trainWithWrapper(net, train));
            System.out.printf("ParallelWrapper, 2 workers, %d epochs, %-12s loss %.4f -> %.4f%n", EPOCHS, e.getKey(),
                    initial, losses.get(e.getKey()));
        }
        double adam = losses.get("Adam (DL4J)");
        for (String name : new String[] {"AdamMini", "Muon"}) {
            double loss = losses.get(name);
            assertTrue(loss < 0.8 * initial, name + ": loss " + initial + " -> " + loss);
            assertTrue(loss <= 1.25 * adam, name + ": " + loss + " vs DL4J Adam " + adam);
        }
    }
}
