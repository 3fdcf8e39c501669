package dev.curvature.optimizers.arbiter;

import dev.curvature.optimizers.Muon;
import org.deeplearning4j.arbiter.ComputationGraphSpace;
import org.deeplearning4j.arbiter.MultiLayerSpace;
import org.deeplearning4j.arbiter.conf.updater.AdamSpace;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.BooleanSpace;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;
import org.deeplearning4j.arbiter.optimize.serde.jackson.JsonMapper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arbiter serialises search spaces with its Jackson mapper (the UI listener writes the whole search configuration as
 * JSON); spaces holding this module's updater spaces must round-trip and sample the same configurations.
 */
class SpaceJsonTest {
    private static final int POINTS = 20;

    /** Every kind of hyperparameter: fixed values, continuous, log-uniform, integer, boolean, discrete enum, nested. */
    static UpdaterChoiceSpace allKinds() {
        AdamMiniSpace adamMini = AdamMiniSpace.builder()
                .learningRate(new ContinuousParameterSpace(new LogUniformDistribution(1e-4, 1e-1)))
                .beta1(0.85)
                .beta2(new ContinuousParameterSpace(0.95, 0.999))
                .epsilon(new DiscreteParameterSpace<>(1e-8, 1e-6))
                .weightDecay(new ContinuousParameterSpace(0.0, 0.01))
                .build();
        MuonSpace muon = MuonSpace.builder()
                .learningRate(new ContinuousParameterSpace(1e-3, 0.1))
                .momentum(new ContinuousParameterSpace(0.8, 0.99))
                .nesterov(new BooleanSpace())
                .nsSteps(new IntegerParameterSpace(2, 7))
                .scaling(new DiscreteParameterSpace<>(Muon.Scaling.values()))
                .weightDecay(1e-4)
                .auxiliary(AdamMiniSpace.withLR(new ContinuousParameterSpace(1e-4, 1e-2)))
                .auxiliaryWeightDecay(new ContinuousParameterSpace(0.0, 0.1))
                .includeOutputLayer(new BooleanSpace())
                .build();
        MuonSpace muonFixedAux = MuonSpace.builder().auxiliary(new Adam(1e-3, 0.9, 0.95, 1e-10))
                .scaling(Muon.Scaling.MATCH_ADAMW_RMS).nesterov(false).build();
        AdamSpace adam = new AdamSpace(new ContinuousParameterSpace(1e-4, 1e-2), new FixedValue<>(0.9),
                new FixedValue<>(0.999), new FixedValue<>(1e-8));
        return UpdaterChoiceSpace.of(adam, adamMini, muon, muonFixedAux);
    }

    @Test
    void multiLayerSpaceRoundTripsAndSamplesTheSameConfigurations() {
        MultiLayerSpace space = SearchFixtures.multiLayerSpace(allKinds(), 1);
        new RandomSearchGenerator(space, null); // sets the leaves' indices, which are part of the JSON
        String json = space.toJson();
        MultiLayerSpace back = MultiLayerSpace.fromJson(json);

        assertEquals(space, back);
        assertEquals(json, back.toJson());
        assertEquals(space.numParameters(), back.numParameters());
        Random rnd = new Random(3);
        for (int i = 0; i < POINTS; i++) {
            double[] u = uniform(rnd, space.numParameters());
            assertEquals(space.getValue(u).getMultiLayerConfiguration().toJson(),
                    back.getValue(u).getMultiLayerConfiguration().toJson(), "point " + i);
        }
    }

    @Test
    void computationGraphSpaceRoundTripsAndSamplesTheSameConfigurations() {
        ComputationGraphSpace space = SearchFixtures.graphSpace(allKinds(), 1);
        new RandomSearchGenerator(space, null);
        String json = space.toJson();
        ComputationGraphSpace back = ComputationGraphSpace.fromJson(json);

        // not assertEquals(space, back): Arbiter's FixedValue compares its InputType[] (setInputTypes) by identity
        assertNotEquals(space.getInputTypes(), back.getInputTypes());
        assertEquals(space.getUpdater(), back.getUpdater());
        assertEquals(space.getLayerSpaces(), back.getLayerSpaces());
        assertEquals(json, back.toJson());
        Random rnd = new Random(4);
        for (int i = 0; i < POINTS; i++) {
            double[] u = uniform(rnd, space.numParameters());
            assertEquals(space.getValue(u).getConfiguration().toJson(), back.getValue(u).getConfiguration().toJson(),
                    "point " + i);
        }
    }

    @Test
    void eachSpaceRoundTripsOnItsOwn() throws Exception {
        UpdaterChoiceSpace choice = allKinds();
        for (ParameterSpace<IUpdater> option : choice.getOptions()) {
            String json = JsonMapper.getMapper().writeValueAsString(option);
            assertEquals(option, JsonMapper.getMapper().readValue(json, ParameterSpace.class), json);
        }
        String json = JsonMapper.getMapper().writeValueAsString(choice);
        assertEquals(choice, JsonMapper.getMapper().readValue(json, ParameterSpace.class));
    }

    /** The JSON constructor validates like the builder: an edited, invalid space does not deserialise. */
    @Test
    void invalidJsonIsRejectedWithTheSameMessage() throws Exception {
        String json = JsonMapper.getMapper().writeValueAsString(MuonSpace.builder().momentum(0.9).build());
        String edited = json.replaceAll("(\"value\"\\s*:\\s*)0\\.9", "$11.5");
        assertTrue(edited.contains("1.5"), edited);
        Exception e = assertThrows(Exception.class, () -> JsonMapper.getMapper().readValue(edited, ParameterSpace.class));
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertEquals("momentum must be in [0, 1), got 1.5", root.getMessage());
        assertTrue(e.getMessage().contains("MuonSpace: momentum = FixedValue(1.5) can produce 1.5"), e.getMessage());
    }

    private static double[] uniform(Random rnd, int n) {
        double[] u = new double[n];
        for (int i = 0; i < n; i++) {
            u[i] = rnd.nextDouble();
        }
        return u;
    }
}
