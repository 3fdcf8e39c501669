package dev.curvature.optimizers;

import dev.curvature.optimizers.layout.ParamRole;
import dev.curvature.testing.NetworkReference.Expectation;
import dev.curvature.testing.NetworkReference;
import dev.curvature.testing.ReferenceAdamMini;
import dev.curvature.testing.SyntheticData;
import dev.curvature.testing.TestNetworks;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Set;
import java.util.TreeSet;

import static dev.curvature.testing.Assertions2.toDoubles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rules out a defect behind Adam-mini trailing Adam on the Fashion-MNIST CNN: on that very network (the
 * {@code compare} CNN: conv 5x5x16, max-pool, conv 5x5x32, max-pool, dense 128, softmax 10, Xavier init, inputs
 * read as 28x28 images), each convolution's update over several real training steps equals a plain
 * {@code double[]} Adam-mini whose blocks are the output channels, written here from the DL4J layout
 * ({@code W [nOut, nIn, kH, kW]} in {@code 'c'} order: flat element {@code e} belongs to channel
 * {@code e / (nIn kH kW)}), independently of the partition code. The network runs in double so that the comparison
 * can be tight (1e-9 relative, as the other network tests); the partition does not depend on the data type.
 */
class AdamMiniConvChannelTest {
    private static final double LR = 6.46e-4; // the rate the README's search picked for Adam and Adam-mini

    static MultiLayerConfiguration compareCnn() {
        return TestNetworks.cnn(TestNetworks.base(DataType.DOUBLE, 42).weightInit(WeightInit.XAVIER)
                .updater(new AdamMini(LR)), 16, 32);
    }

    static DataSet batch(long seed) {
        DataSet images = SyntheticData.images(seed, 32, 1, 28, 28, 10, DataType.DOUBLE);
        return new DataSet(images.getFeatures().reshape(32, 784), images.getLabels());
    }

    /** Output channel of each flat element of a {@code [nOut, nIn, kH, kW]} 'c' weight. */
    static int[] channelOf(long[] shape) {
        int perChannel = (int) (shape[1] * shape[2] * shape[3]);
        int[] ids = new int[(int) shape[0] * perChannel];
        for (int e = 0; e < ids.length; e++) {
            ids[e] = e / perChannel;
        }
        return ids;
    }

    @Test
    void convolutionUpdatesFollowOnePerOutputChannelReference() {
        MultiLayerNetwork net = new MultiLayerNetwork(compareCnn());
        net.init();
        Layouts.attach(net);
        NetworkReference.assertTrainsLikeReference(net, batch(1), 5, 1e-9, (layer, spec) -> {
            if (!layer.equals("layer0") && !layer.equals("layer2")) {
                return null; // only the convolutions are under test here
            }
            boolean weight = spec.param().equals("W");
            if (weight) {
                assertEquals(4, spec.shape().length, spec.toString());
            }
            int[] ids = weight ? channelOf(spec.shape()) : AdamMiniUpdaterTest.identity((int) spec.length());
            return new Expectation(weight ? ParamRole.CONV_WEIGHT : ParamRole.BIAS,
                    new ReferenceAdamMini(LR, 0.9, 0.999, 1e-8, ids)::update, 0.0);
        });
    }

    @Test
    void firstStepHasOneDenominatorPerOutputChannel() {
        // From zero state, step 1 is lr g / (sqrt(mean over the block of g^2) + eps): update / gradient is one
        // number per block. Within a channel it must not vary; across channels it must (else blocks are too big).
        MultiLayerNetwork net = new MultiLayerNetwork(compareCnn());
        net.init();
        Layouts.attach(net);
        DataSet data = batch(2);
        MultiLayerNetwork probe = net.clone();
        probe.setInput(data.getFeatures());
        probe.setLabels(data.getLabels());
        probe.computeGradientAndScore();
        INDArray before = net.getLayer(2).getParam("W").dup();
        double[] g = toDoubles(probe.gradient().getGradientFor("2_W"));
        net.fit(data);
        double[] update = toDoubles(before.sub(net.getLayer(2).getParam("W")));
        int[] channel = channelOf(before.shape());
        double[] ratio = new double[32];
        Set<Long> distinct = new TreeSet<>();
        for (int e = 0; e < g.length; e++) {
            if (Math.abs(g[e]) < 1e-12) {
                continue; // a dead unit's zero gradient says nothing about the denominator
            }
            double r = update[e] / (g[e] / 32); // DL4J divides the summed gradient by the batch size
            int c = channel[e];
            if (ratio[c] == 0) {
                ratio[c] = r;
                distinct.add(Math.round(Math.log(r) * 1e6));
            } else {
                assertEquals(ratio[c], r, 1e-7 * ratio[c], "channel " + c + " element " + e);
            }
        }
        assertTrue(distinct.size() >= 16, "denominators must differ between channels: " + distinct.size());
    }
}
