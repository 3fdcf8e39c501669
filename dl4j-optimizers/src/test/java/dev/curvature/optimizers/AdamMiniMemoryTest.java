package dev.curvature.optimizers;

import dev.curvature.testing.TestNetworks;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optimizer memory measured from the real arrays: DL4J's updater state array plus everything the Adam-mini
 * updaters hold themselves, against DL4J's Adam on the same network.
 */
class AdamMiniMemoryTest {

    static MultiLayerConfiguration mlp(IUpdater u) {
        return TestNetworks.mlp(new NeuralNetConfiguration.Builder().updater(u));
    }

    static MultiLayerConfiguration convNet(IUpdater u) {
        return TestNetworks.cnn(new NeuralNetConfiguration.Builder().updater(u), 32, 64);
    }

    static long stateElements(MultiLayerNetwork net) {
        return OptimizerMemory.stateElements(net);
    }

    static double ratio(MultiLayerConfiguration miniConf, MultiLayerConfiguration adamConf) {
        MultiLayerNetwork mini = new MultiLayerNetwork(miniConf);
        mini.init();
        Layouts.attach(mini);
        MultiLayerNetwork adam = new MultiLayerNetwork(adamConf);
        adam.init();
        long adamElements = stateElements(adam);
        assertEquals(2 * adam.numParams(), adamElements);
        long miniElements = stateElements(mini);
        double r = (double) miniElements / adamElements;
        System.out.printf("params %d: Adam state %d, Adam-mini state %d, ratio %.4f%n", adam.numParams(),
                adamElements, miniElements, r);
        return r;
    }

    @Test
    void mlpStateIsAboutHalfOfAdam() {
        double r = ratio(mlp(new AdamMini()), mlp(new Adam()));
        // m (N) + per block (512 + 512 + 10 neurons, as many bias elements): v and a scratch value; per updater (one
        // per layer) two scalars
        assertTrue(r <= 0.55, "ratio " + r);
        assertEquals((669_706 + 2 * 2_068 + 3 * 2) / (2.0 * 669_706), r, 1e-12);
    }

    @Test
    void convNetStateIsAboutHalfOfAdam() {
        double r = ratio(convNet(new AdamMini()), convNet(new Adam()));
        assertTrue(r <= 0.55, "ratio " + r);
    }
}
