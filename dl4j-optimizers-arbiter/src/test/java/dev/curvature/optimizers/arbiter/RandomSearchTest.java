package dev.curvature.optimizers.arbiter;

import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.Muon;
import dev.curvature.optimizers.layout.LayoutAware;
import org.deeplearning4j.arbiter.DL4JConfiguration;
import org.deeplearning4j.arbiter.GraphConfiguration;
import org.deeplearning4j.arbiter.MultiLayerSpace;
import org.deeplearning4j.arbiter.conf.updater.AdamSpace;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.api.saving.ResultReference;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.parameter.BooleanSpace;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.scoring.impl.TestSetLossScoreFunction;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random searches run by Arbiter's {@code LocalOptimizationRunner} and Arbiter's own task creators on a small
 * synthetic classification task: a choice among Adam, Adam-mini and Muon with their hyperparameters.
 */
class RandomSearchTest {
    private static final int EPOCHS = 6;
    private static final int CANDIDATES = 8;
    private static final double BAD_LR = 1e-6;

    /** The spaces of one search; the test maps each candidate's flat parameters through these same objects. */
    private static final class Spaces3 {
        final ContinuousParameterSpace lrAdam = new ContinuousParameterSpace(new LogUniformDistribution(1e-4, 0.1));
        final AdamSpace adam = new AdamSpace(lrAdam, new FixedValue<>(0.9), new FixedValue<>(0.999), new FixedValue<>(1e-8));

        final ContinuousParameterSpace lrAdamMini = new ContinuousParameterSpace(new LogUniformDistribution(1e-4, 0.1));
        final ContinuousParameterSpace beta2AdamMini = new ContinuousParameterSpace(0.95, 0.999);
        final ContinuousParameterSpace wdAdamMini = new ContinuousParameterSpace(0.0, 1e-3);
        final AdamMiniSpace adamMini = AdamMiniSpace.builder().learningRate(lrAdamMini).beta2(beta2AdamMini)
                .weightDecay(wdAdamMini).build();

        final ContinuousParameterSpace lrMuon = new ContinuousParameterSpace(new LogUniformDistribution(1e-3, 0.2));
        final ContinuousParameterSpace momentumMuon = new ContinuousParameterSpace(0.85, 0.98);
        final IntegerParameterSpace nsStepsMuon = new IntegerParameterSpace(3, 6);
        final BooleanSpace nesterovMuon = new BooleanSpace();
        final ContinuousParameterSpace lrAux = new ContinuousParameterSpace(1e-3, 1e-2);
        final AdamMiniSpace auxMuon = AdamMiniSpace.withLR(lrAux);
        final MuonSpace muon = MuonSpace.builder().learningRate(lrMuon).momentum(momentumMuon).nsSteps(nsStepsMuon)
                .nesterov(nesterovMuon).auxiliary(auxMuon).build();

        final UpdaterChoiceSpace choice = UpdaterChoiceSpace.of(adam, adamMini, muon);
    }

    @Test
    void searchOverAdamAdamMiniAndMuonTrainsEveryCandidateWithItsSampledHyperparameters() throws Exception {
        Spaces3 s = new Spaces3();
        MultiLayerSpace space = SearchFixtures.multiLayerSpace(s.choice, EPOCHS);

        long start = System.nanoTime();
        LocalOptimizationRunner runner = SearchFixtures.run(SearchFixtures.randomSearch(space, CANDIDATES, 12345),
                CurvatureTaskCreators.multiLayer());
        double seconds = (System.nanoTime() - start) / 1e9;

        assertEquals(0, runner.numCandidatesFailed(), () -> "failed candidates: " + failures(runner));
        assertEquals(CANDIDATES, runner.numCandidatesCompleted());

        List<OptimizationResult> results = new ArrayList<>();
        for (ResultReference r : runner.getResults()) {
            results.add(r.getResult());
        }
        results.sort(Comparator.comparingInt(OptimizationResult::getIndex));
        assertEquals(CANDIDATES, results.size());

        int[] perOption = new int[3];
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "%nRandom search: %d candidates, %d epochs each, %.1f s (Arbiter sleeps 2 s after each)%n"
                        + "| candidate | updater  | lr       | other sampled values                                       | test loss |%n"
                        + "|-----------|----------|----------|------------------------------------------------------------|-----------|%n",
                CANDIDATES, EPOCHS, seconds));
        for (OptimizationResult r : results) {
            Candidate c = r.getCandidate();
            double[] flat = c.getFlatParameters();
            // Candidate.getValue() deserialises a fresh copy of the generated configuration: never stamped
            MultiLayerConfiguration generated = ((DL4JConfiguration) c.getValue()).getMultiLayerConfiguration();
            // the network Arbiter trained (kept by InMemoryResultSaver): stamped by the task creator's listener
            MultiLayerConfiguration trained = ((MultiLayerNetwork) r.getResultReference().getResultModel())
                    .getLayerWiseConfigurations();
            int option = s.choice.chosenOption(flat);
            perOption[option]++;
            String row = "";
            for (boolean stamped : new boolean[] {false, true}) {
                MultiLayerConfiguration conf = stamped ? trained : generated;
                row = switch (option) {
                    case 0 -> checkAdam(s, conf, flat);
                    case 1 -> checkAdamMini(s, conf, flat, stamped);
                    case 2 -> checkMuon(s, conf, flat, stamped);
                    default -> throw new AssertionError("option " + option);
                };
            }
            assertNotNull(r.getScore(), "candidate " + r.getIndex() + " has no score");
            table.append(String.format(Locale.ROOT, "| %9d | %s | %9.3f |%n", r.getIndex(), row, r.getScore()));
        }
        for (int i = 0; i < 3; i++) {
            assertTrue(perOption[i] > 0, "the seeded search never chose option " + i + ": pick another seed");
        }

        double baseline = trainWithFixedUpdater(new Adam(BAD_LR, 0.9, 0.999, 1e-8));
        double best = runner.bestScore();
        table.append(String.format(Locale.ROOT, "best: candidate %d, test loss %.3f; fixed Adam(lr %.0e): test loss %.3f%n",
                runner.bestScoreCandidateIndex(), best, BAD_LR, baseline));
        System.out.println(table);
        assertTrue(best < baseline - 0.1, "best candidate (" + best + ") should beat lr " + BAD_LR + " (" + baseline + ")");
    }

    /** Adam (Arbiter's AdamSpace): every layer's updater holds the sampled lr and the fixed betas/epsilon. */
    private static String checkAdam(Spaces3 s, MultiLayerConfiguration conf, double[] flat) {
        double lr = s.lrAdam.getValue(flat);
        for (IUpdater u : updaters(conf)) {
            Adam a = assertInstanceOf(Adam.class, u);
            assertEquals(lr, a.getLearningRate(), 0.0);
            assertEquals(0.9, a.getBeta1(), 0.0);
            assertEquals(0.999, a.getBeta2(), 0.0);
            assertEquals(1e-8, a.getEpsilon(), 0.0);
        }
        return String.format(Locale.ROOT, "Adam     | %.2e | %-58s", lr, "betas (0.9, 0.999)");
    }

    /**
     * Adam-mini: sampled lr, beta2 and weight decay in every layer; in the trained network also the layout stamp and
     * the decay realised as DL4J weight decay on the weights (both added by {@code Layouts.attach}).
     */
    private static String checkAdamMini(Spaces3 s, MultiLayerConfiguration conf, double[] flat, boolean stamped) {
        double lr = s.lrAdamMini.getValue(flat);
        double beta2 = s.beta2AdamMini.getValue(flat);
        double wd = s.wdAdamMini.getValue(flat);
        IUpdater expected = s.adamMini.getValue(flat);
        for (int i = 0; i < conf.getConfs().size(); i++) {
            AdamMini a = assertInstanceOf(AdamMini.class, updaterOf(conf, i));
            assertEquals(lr, a.getLearningRate(), 0.0);
            assertEquals(AdamMini.DEFAULT_BETA1, a.getBeta1(), 0.0);
            assertEquals(beta2, a.getBeta2(), 0.0);
            assertEquals(AdamMini.DEFAULT_EPSILON, a.getEpsilon(), 0.0);
            assertEquals(wd, a.getWeightDecay(), 0.0);
            assertEquals(expected, a.withLayout(null));
            if (stamped) {
                assertNotNull(a.getLayout(), "layer " + i + " was trained without a layout stamp");
                assertEquals(new WeightDecay(wd, true), weightDecayOf(conf, i), "layer " + i + " weight decay");
            } else {
                assertNull(a.getLayout(), "generated configurations are not stamped");
                assertNull(weightDecayOf(conf, i));
            }
        }
        return String.format(Locale.ROOT, "AdamMini | %.2e | %-58s", lr,
                String.format(Locale.ROOT, "beta2 %.4f, weight decay %.1e", beta2, wd));
    }

    /** Muon: sampled lr, momentum, nsSteps, Nesterov and the auxiliary Adam-mini's lr; stamped when trained. */
    private static String checkMuon(Spaces3 s, MultiLayerConfiguration conf, double[] flat, boolean stamped) {
        double lr = s.lrMuon.getValue(flat);
        double momentum = s.momentumMuon.getValue(flat);
        int nsSteps = s.nsStepsMuon.getValue(flat);
        boolean nesterov = s.nesterovMuon.getValue(flat);
        double auxLr = s.lrAux.getValue(flat);
        IUpdater expected = s.muon.getValue(flat);
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Muon m = assertInstanceOf(Muon.class, updaterOf(conf, i));
            assertEquals(lr, m.getLearningRate(), 0.0);
            assertEquals(momentum, m.getMomentum(), 0.0);
            assertEquals(nsSteps, m.getNsSteps());
            assertEquals(nesterov, m.isNesterov());
            assertEquals(Muon.Scaling.SHAPE, m.getScaling());
            AdamMini aux = assertInstanceOf(AdamMini.class, m.getAuxiliary());
            assertEquals(auxLr, aux.getLearningRate(), 0.0);
            assertEquals(expected, m.withLayout(null));
            if (stamped) {
                assertNotNull(m.getLayout(), "layer " + i + " was trained without a layout stamp");
            } else {
                assertNull(m.getLayout(), "generated configurations are not stamped");
            }
        }
        return String.format(Locale.ROOT, "Muon     | %.2e | %-58s", lr, String.format(Locale.ROOT,
                "momentum %.3f, nsSteps %d, nesterov %b, aux lr %.1e", momentum, nsSteps, nesterov, auxLr));
    }

    private static IUpdater updaterOf(MultiLayerConfiguration conf, int layer) {
        return ((BaseLayer) conf.getConf(layer).getLayer()).getIUpdater();
    }

    private static List<IUpdater> updaters(MultiLayerConfiguration conf) {
        List<IUpdater> out = new ArrayList<>();
        for (NeuralNetConfiguration c : conf.getConfs()) {
            out.add(((BaseLayer) c.getLayer()).getIUpdater());
        }
        return out;
    }

    private static WeightDecay weightDecayOf(MultiLayerConfiguration conf, int layer) {
        List<Regularization> regs = ((BaseLayer) conf.getConf(layer).getLayer()).getRegularization();
        WeightDecay found = null;
        for (Regularization r : regs == null ? List.<Regularization>of() : regs) {
            if (r instanceof WeightDecay wd) {
                found = wd;
            }
        }
        return found;
    }

    /** The same network and data with a fixed updater, trained and scored like an Arbiter candidate. */
    static double trainWithFixedUpdater(IUpdater updater) {
        MultiLayerSpace fixed = SearchFixtures.multiLayerSpace(new FixedValue<>(updater), EPOCHS);
        MultiLayerNetwork net = new MultiLayerNetwork(fixed.getValue(new double[0]).getMultiLayerConfiguration());
        net.init();
        SyntheticDataSource data = new SyntheticDataSource();
        data.configure(SyntheticDataSource.defaults());
        for (int e = 0; e < EPOCHS; e++) {
            net.fit(data.trainData());
        }
        return new TestSetLossScoreFunction(true).score(net, SyntheticDataSource.class, SyntheticDataSource.defaults());
    }

    static String failures(LocalOptimizationRunner runner) {
        StringBuilder sb = new StringBuilder();
        for (CandidateInfo ci : runner.getCandidateStatus()) {
            if (ci.getExceptionStackTrace() != null) {
                sb.append("\n").append(ci.getIndex()).append(": ").append(ci.getExceptionStackTrace());
            }
        }
        return sb.toString();
    }
}
