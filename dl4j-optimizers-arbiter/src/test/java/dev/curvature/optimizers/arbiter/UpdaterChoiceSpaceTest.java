package dev.curvature.optimizers.arbiter;

import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.Muon;
import org.deeplearning4j.arbiter.DL4JConfiguration;
import org.deeplearning4j.arbiter.MultiLayerSpace;
import org.deeplearning4j.arbiter.conf.updater.AdamSpace;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The choice among updater spaces, inside Arbiter's candidate generation (no training). */
class UpdaterChoiceSpaceTest {
    private final ContinuousParameterSpace lrAdam = new ContinuousParameterSpace(1e-4, 1e-2);
    private final ContinuousParameterSpace lrAdamMini = new ContinuousParameterSpace(2e-4, 2e-2);
    private final ContinuousParameterSpace lrMuon = new ContinuousParameterSpace(1e-3, 1e-1);
    private final AdamSpace adam = new AdamSpace(lrAdam, new FixedValue<>(0.9), new FixedValue<>(0.999),
            new FixedValue<>(1e-8));
    private final UpdaterChoiceSpace choice = UpdaterChoiceSpace.of(adam, AdamMiniSpace.withLR(lrAdamMini),
            MuonSpace.withLR(lrMuon));

    @Test
    void everyOptionsHyperparametersAreSearchDimensions() {
        assertEquals(4, choice.numParameters(), "the choice plus one learning rate per option");
        assertEquals(4, SearchFixtures.multiLayerSpace(choice, 1).numParameters());
        assertEquals(4, choice.collectLeaves().size());
    }

    @Test
    void aLeafSharedByTwoOptionsIsOneDimension() {
        ContinuousParameterSpace shared = new ContinuousParameterSpace(1e-3, 1e-2);
        UpdaterChoiceSpace s = UpdaterChoiceSpace.of(AdamMiniSpace.withLR(shared), MuonSpace.withLR(shared));
        assertEquals(2, s.numParameters());
        assertEquals(2, SearchFixtures.multiLayerSpace(s, 1).numParameters());
    }

    @Test
    void candidatesHoldTheChosenUpdaterWithItsOwnSampledLearningRate() {
        MultiLayerSpace space = SearchFixtures.multiLayerSpace(choice, 1);
        RandomSearchGenerator generator = new RandomSearchGenerator(space, null);
        generator.setRngSeed(99);
        int[] counts = new int[3];
        int n = 300;
        for (int i = 0; i < n; i++) {
            Candidate c = generator.getCandidate();
            assertNull(c.getException());
            double[] flat = c.getFlatParameters();
            int option = choice.chosenOption(flat);
            counts[option]++;
            IUpdater u = ((BaseLayer) ((DL4JConfiguration) c.getValue()).getMultiLayerConfiguration().getConf(0)
                    .getLayer()).getIUpdater();
            switch (option) {
                case 0 -> assertEquals(lrAdam.getValue(flat), assertInstanceOf(Adam.class, u).getLearningRate(), 0.0);
                case 1 -> assertEquals(lrAdamMini.getValue(flat), assertInstanceOf(AdamMini.class, u).getLearningRate(), 0.0);
                case 2 -> assertEquals(lrMuon.getValue(flat), assertInstanceOf(Muon.class, u).getLearningRate(), 0.0);
                default -> throw new AssertionError(option);
            }
        }
        for (int count : counts) {
            assertTrue(Math.abs(count - n / 3.0) < 45, "uniform choice expected, got " + java.util.Arrays.toString(counts));
        }
    }

    @Test
    void fixedUpdatersCanBeOptions() {
        UpdaterChoiceSpace s = UpdaterChoiceSpace.of(new FixedValue<>(new Sgd(0.1)), AdamMiniSpace.withLR(lrAdamMini));
        assertEquals(2, s.numParameters());
        RandomSearchGenerator generator = new RandomSearchGenerator(SearchFixtures.multiLayerSpace(s, 1), null);
        boolean sawSgd = false;
        for (int i = 0; i < 40; i++) {
            Candidate c = generator.getCandidate();
            IUpdater u = ((BaseLayer) ((DL4JConfiguration) c.getValue()).getMultiLayerConfiguration().getConf(0)
                    .getLayer()).getIUpdater();
            if (s.chosenOption(c.getFlatParameters()) == 0) {
                assertEquals(new Sgd(0.1), u);
                sawSgd = true;
            } else {
                assertInstanceOf(AdamMini.class, u);
            }
        }
        assertTrue(sawSgd);
    }

    /**
     * Arbiter 1.0.0-beta7's {@code AdamSpace} defaults beta1, beta2 and epsilon to Adam's default learning rate
     * (1e-3) when they are not given, so an Adam option needs all four values (as the tests here pass them).
     */
    @Test
    void arbitersAdamSpaceWithOnlyALearningRateHasBrokenDefaults() {
        ContinuousParameterSpace lr = new ContinuousParameterSpace(1e-3, 1e-2);
        lr.setIndices(0);
        Adam a = (Adam) AdamSpace.withLR(lr).getValue(new double[] {0.5});
        assertEquals(1e-3, a.getBeta1(), 0.0);
        assertEquals(1e-3, a.getBeta2(), 0.0);
        assertEquals(1e-3, a.getEpsilon(), 0.0);
    }

    /**
     * Why this class exists: Arbiter's DiscreteParameterSpace is a leaf. Over updater spaces it hides their
     * learning-rate spaces (one search dimension instead of three) and hands the chosen space itself, not an
     * IUpdater, to the network builder, so no candidate can be generated.
     */
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void arbitersDiscreteParameterSpaceCannotChooseAmongUpdaterSpaces() {
        ParameterSpace discrete = new DiscreteParameterSpace<>(adam, AdamMiniSpace.withLR(lrAdamMini));
        MultiLayerSpace space = SearchFixtures.multiLayerSpace((ParameterSpace<IUpdater>) discrete, 1);
        assertEquals(1, space.numParameters(), "the nested learning-rate spaces are invisible to Arbiter");
        Candidate c = new RandomSearchGenerator(space, null).getCandidate();
        assertNotNull(c.getException());
        assertInstanceOf(ClassCastException.class, c.getException());
    }
}
