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
        // consistency only: each cost row is the ratio of rows of the same run (timings on a shared machine are not
        // test material)
        for (String net : List.of("MLP", "CNN")) {
            double gradient = value(hvp, net + " gradient evaluation, plain DOUBLE probe copy (median)");
            for (String kind : List.of("plain", "exact")) {
                String product = kind.equals("plain") ? " product, plain central differences (median)"
                        : " product, exact (frozen kinks) (median)";
                double cost = value(hvp, net + " product cost, " + kind + ", in plain gradient evaluations");
                assertEquals(value(hvp, net + product) / gradient, cost, 1e-4 * cost + 1e-6, net + " " + kind);
            }
            assertTrue(value(hvp, net + " kinked calls recorded") > 0, net + ": ReLU and max pooling are recorded");
        }
        double wall = value(hvp, "overhead by wall time (median of 1 interleaved pairs)");
        double with = value(hvp, "wall time with listener (median of 1)");
        double without = value(hvp, "wall time without listener (median of 1)");
        assertEquals(100 * (with - without) / without, wall, 1e-3 * Math.abs(wall) + 1e-3, "overhead = wall time ratio");
        assertTrue(value(hvp, "probes run (last round)") >= 1, "the first probe always runs");
    }

    private static double value(List<String> csv, String measure) {
        return csv.stream().filter(l -> l.startsWith("\"" + measure + "\","))
                .mapToDouble(l -> Double.parseDouble(l.substring(measure.length() + 3).split(",")[0]))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + measure + " in " + csv));
    }
}
