package dev.curvature.examples.bench;

import dev.curvature.examples.Args;
import dev.curvature.optimizers.NewtonSchulz;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Newton-Schulz throughput against plain GEMM in the same run. For each shape {@code m x n} (m &lt;= n after the
 * transpose NS applies) the reference is the three GEMMs one NS iteration performs ({@code X X^T}, {@code A A},
 * {@code B X}) run back to back on preallocated arrays; NS is the full {@link NewtonSchulz#orthogonalize} (5
 * steps: normalisation, transposes, element-wise ops and allocation included). Rates are flops / median time.
 */
public final class NewtonSchulzBenchmark {

    public static final String HELP = """
            bench-ns: Newton-Schulz GFLOP/s against plain GEMM of the same sizes (float).
              --reps N      timed repetitions per shape (default 9)
              --out DIR     where to write newton-schulz.csv (default target/benchmarks)
            """;

    record Row(String shape, double gemmGflops, double nsGflops, double ratio, double nsMillis) {
    }

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv, Set.of("reps", "out"), Set.of("help"));
        if (args.flag("help")) {
            System.out.print(HELP);
            return;
        }
        int reps = args.getInt("reps", 9, 1);
        Path out = Path.of(args.get("out", "target/benchmarks"));
        long[][] shapes = {{256, 256}, {512, 512}, {1024, 1024}, {784, 512}};
        List<Row> rows = new ArrayList<>();
        for (long[] s : shapes) {
            System.out.printf("[bench-ns] %dx%d, %d repetitions%n", s[0], s[1], reps);
            rows.add(measure(s[0], s[1], reps));
        }
        System.out.printf("%n%-12s %14s %14s %10s %12s%n", "shape", "gemm GFLOP/s", "NS GFLOP/s", "NS/gemm", "NS ms");
        for (Row r : rows) {
            System.out.printf("%-12s %14.1f %14.1f %10.3f %12.2f%n", r.shape(), r.gemmGflops(), r.nsGflops(), r.ratio(),
                    r.nsMillis());
        }
        Files.createDirectories(out);
        Path file = out.resolve("newton-schulz.csv");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("shape,gemm_gflops,ns_gflops,ratio,ns_ms");
            for (Row r : rows) {
                w.printf("%s,%.2f,%.2f,%.4f,%.3f%n", r.shape(), r.gemmGflops(), r.nsGflops(), r.ratio(), r.nsMillis());
            }
        }
        System.out.println("wrote " + file.toAbsolutePath());
    }

    static Row measure(long rows, long cols, int reps) {
        int steps = 5;
        Nd4j.getRandom().setSeed(1);
        INDArray g = Nd4j.randn(DataType.FLOAT, rows, cols);
        GemmReference gemms = GemmReference.of(DataType.FLOAT, rows, cols);
        double nsFlops = NewtonSchulz.flops(rows, cols, steps);
        for (int i = 0; i < 2; i++) {
            gemms.run(1);
            NewtonSchulz.orthogonalize(g, steps);
        }
        double[] gemmSec = new double[reps];
        double[] nsSec = new double[reps];
        for (int r = 0; r < reps; r++) { // interleaved so machine noise hits both alike
            long t0 = System.nanoTime();
            gemms.run(steps);
            long t1 = System.nanoTime();
            NewtonSchulz.orthogonalize(g, steps);
            long t2 = System.nanoTime();
            gemmSec[r] = (t1 - t0) / 1e9 / steps;
            nsSec[r] = (t2 - t1) / 1e9;
        }
        double gemm = gemms.flopsPerIteration() / median(gemmSec) / 1e9;
        double ns = nsFlops / median(nsSec) / 1e9;
        String shape = rows + "x" + cols;
        System.out.printf("%-10s gemm %.1f GFLOP/s, NS %.1f GFLOP/s%n", shape, gemm, ns);
        return new Row(shape, gemm, ns, ns / gemm, median(nsSec) * 1e3);
    }

    /**
     * The three GEMMs of one Newton-Schulz iteration on an {@code m x n} matrix ({@code m <= n}: {@code A = X X^T},
     * {@code A A}, {@code B X}) on preallocated row-major arrays, with nothing else: the GEMM floor of
     * Newton-Schulz at that shape, {@code 4 m^2 n + 2 m^3} flops per iteration.
     */
    record GemmReference(INDArray x, INDArray a, INDArray b, INDArray y) {
        static GemmReference of(DataType type, long rows, long cols) {
            long m = Math.min(rows, cols);
            long n = Math.max(rows, cols);
            return new GemmReference(Nd4j.randn(type, m, n), Nd4j.create(type, m, m), Nd4j.create(type, m, m),
                    Nd4j.create(type, m, n));
        }

        void run(int iterations) {
            for (int k = 0; k < iterations; k++) {
                Nd4j.gemm(x, x, a, false, true, 1.0, 0.0);
                Nd4j.gemm(a, a, b, false, false, 1.0, 0.0);
                Nd4j.gemm(b, x, y, false, false, 1.0, 0.0);
            }
        }

        double flopsPerIteration() {
            double m = x.size(0);
            double n = x.size(1);
            return 4 * m * m * n + 2 * m * m * m;
        }
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
