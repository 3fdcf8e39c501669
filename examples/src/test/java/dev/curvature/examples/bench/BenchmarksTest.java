package dev.curvature.examples.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code bench} command in its quick mode writes all three CSV files with every row it reports. Only structure
 * and physically necessary relations are asserted: timings on a shared machine are not test material.
 */
class BenchmarksTest {

    @Test
    void quickRunWritesAllThreeTables(@TempDir Path out) throws IOException {
        Benchmarks.main(new String[] {"--quick", "--out", out.toString()});

        List<String> step = Files.readAllLines(out.resolve("optimizer-step.csv"));
        assertEquals("network,optimizer,params,state_bytes,median_us,p10_us,p90_us,ratio_to_adam,gemm_floor_us,x_floor",
                step.get(0));
        assertEquals(1 + 2 * 3, step.size(), step.toString()); // MLP and CNN x Adam, AdamMini, Muon
        for (String network : List.of("MLP", "CNN")) {
            List<String[]> rows = step.stream().skip(1).filter(l -> l.startsWith(network)).map(l -> l.split(",", -1))
                    .toList();
            assertEquals(3, rows.size());
            for (String[] row : rows) {
                assertEquals(10, row.length, String.join(",", row));
                if (row[1].equals("Muon")) {
                    // consistency only: x_floor is the row's median over its GEMM floor
                    double floor = Double.parseDouble(row[8]);
                    assertTrue(floor > 0, "GEMM floor " + floor);
                    assertEquals(Double.parseDouble(row[4]) / floor, Double.parseDouble(row[9]), 1e-3, "x_floor");
                } else {
                    assertEquals("", row[8] + row[9], "floor columns are for Muon rows only");
                }
            }
            assertTrue(rows.get(0)[1].startsWith("Adam"), rows.get(0)[1]);
            assertEquals(1.0, Double.parseDouble(rows.get(0)[7]), 1e-9, "Adam's ratio to itself");
            long adamState = Long.parseLong(rows.get(0)[3]);
            long params = Long.parseLong(rows.get(0)[2]);
            assertEquals(2 * 4 * params, adamState, "DL4J Adam: m and v, 4 bytes each");
            double mini = Long.parseLong(rows.get(1)[3]) / (double) adamState;
            assertTrue(mini > 0.5 && mini < 0.55, network + " Adam-mini state / Adam = " + mini);
        }

        List<String> ns = Files.readAllLines(out.resolve("newton-schulz.csv"));
        assertEquals("shape,gemm_gflops,ns_gflops,ratio,ns_ms", ns.get(0));
        assertTrue(ns.size() >= 3, ns.toString());
        for (String l : ns.subList(1, ns.size())) {
            String[] f = l.split(",");
            assertEquals(Double.parseDouble(f[2]) / Double.parseDouble(f[1]), Double.parseDouble(f[3]), 2e-3);
        }

        List<String> hvp = Files.readAllLines(out.resolve("hvp-cost.csv"));
        assertEquals("measure,value,unit", hvp.get(0));
        // consistency only: the cost row is the ratio of the product and gradient rows of the same run (timings on a
        // shared machine are not test material)
        double cost = value(hvp, "HVP cost in DOUBLE gradient evaluations");
        double product = value(hvp, "Hessian-vector product (median)");
        double gradient = value(hvp, "gradient evaluation, DOUBLE probe copy (median)");
        assertTrue(product > 0 && gradient > 0, hvp.toString());
        assertEquals(product / gradient, cost, 1e-4 * cost + 1e-6, "cost = product / gradient");
        assertTrue(hvp.stream().anyMatch(l -> l.startsWith("\"probes run\",")), hvp.toString());
    }

    private static double value(List<String> csv, String measure) {
        return csv.stream().filter(l -> l.startsWith("\"" + measure + "\","))
                .mapToDouble(l -> Double.parseDouble(l.substring(measure.length() + 3).split(",")[0]))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + measure + " in " + csv));
    }
}
