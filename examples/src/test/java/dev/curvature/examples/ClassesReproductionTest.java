package dev.curvature.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classes reproduction in a fast mode: small-C points of the linear cross-entropy model at W = 0 equal the
 * closed form 1/(C-1); the linear MSE Hessian (I (x) Sigma) is exactly block-diagonal; CSV and PNG are written.
 */
class ClassesReproductionTest {

    @Test
    void smallClassCountsMatchTheClosedFormAndFilesAreWritten(@TempDir Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<ClassesReproduction.Point> points = ClassesReproduction.run(new String[] {"--classes", "3,5,10",
                "--nin", "4", "--samples", "32", "--train-steps", "0", "--zero-init", "--out", dir.toString()});
        assertEquals(2 * 2 * 3, points.size());
        for (ClassesReproduction.Point p : points) {
            assertEquals("exact", p.method());
            if (p.model().equals("linear") && p.loss().equals("cross-entropy")) {
                assertEquals(1.0 / (p.classes() - 1), p.pairwiseRatio(), 1e-6, "C = " + p.classes());
            }
            if (p.model().equals("linear") && p.loss().equals("mse")) {
                assertEquals(0.0, p.pairwiseRatio(), 1e-9, "MSE: H = I (x) Sigma, C = " + p.classes());
            }
        }
        List<String> csv = Files.readAllLines(dir.resolve("classes.csv"));
        assertEquals(1 + points.size(), csv.size());
        assertTrue(csv.get(0).startsWith("model,loss,phase,classes,method,pairwise_ratio"));
        assertTrue(Files.size(dir.resolve("classes.png")) > 10_000, "PNG written");
        List<ClassesReproduction.Point> ce = points.stream()
                .filter(p -> p.model().equals("linear") && p.loss().equals("cross-entropy")).toList();
        // least-squares slope of log(1/(C-1)) against log C over C = 3, 5, 10, computed here from the closed form
        double[] x = {Math.log(3), Math.log(5), Math.log(10)};
        double[] y = {-Math.log(2), -Math.log(4), -Math.log(9)};
        double mx = (x[0] + x[1] + x[2]) / 3;
        double my = (y[0] + y[1] + y[2]) / 3;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < 3; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        assertEquals(sxy / sxx, ClassesReproduction.slope(ce), 1e-6);
    }

    @Test
    void beyondMaxExactTheStochasticEstimatorIsUsedSaidAndStillMatchesTheClosedForm(@TempDir Path dir)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<ClassesReproduction.Point> points = ClassesReproduction.run(new String[] {"--classes", "6,40",
                "--nin", "4", "--samples", "32", "--train-steps", "0", "--zero-init", "--max-exact", "64",
                "--out", dir.toString()});
        for (ClassesReproduction.Point p : points) {
            // linear: 4*C parameters, hidden8: 32 + 8*C; exact only up to 64 parameters
            long params = p.model().equals("linear") ? 4L * p.classes() : 32L + 8L * p.classes();
            assertEquals(params <= 64 ? "exact" : "stochastic", p.method(), p.toString());
            if (p.model().equals("linear") && p.loss().equals("cross-entropy") && p.classes() == 40) {
                double closedForm = 1.0 / 39;
                assertTrue(p.standardError() > 0, p.toString());
                assertTrue(Math.abs(p.pairwiseRatio() - closedForm) < 4 * p.standardError() + 0.1 * closedForm,
                        p + " vs 1/(C-1) = " + closedForm);
            }
        }
        List<String> csv = Files.readAllLines(dir.resolve("classes.csv"));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("linear,cross-entropy,init,40,stochastic,")), csv.toString());
    }
}
