package dev.curvature.examples.bench;

import dev.curvature.examples.Args;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The one benchmark command: optimizer step time and state memory (MLP and CNN), Newton-Schulz against GEMM, and
 * Hessian-vector-product cost with the listener's overhead, each against DL4J's built-in Adam or plain GEMM in the
 * same run. Every part prints its table and writes its CSV into the same directory.
 */
public final class Benchmarks {
    private Benchmarks() {
    }

    public static final String HELP = """
            bench: all benchmarks in one run (each prints a table and writes CSV into --out):
                     optimizer-step.csv  step time and state memory, DL4J Adam vs Adam-mini vs Muon (MLP, CNN)
                     newton-schulz.csv   Newton-Schulz GFLOP/s against plain GEMM of the same sizes
                     hvp-cost.csv        Hessian-vector product in gradient evaluations; listener overhead
              --quick        a few repetitions only (smoke run; the numbers are not meaningful)
              --out DIR      where to write the CSV files (default target/benchmarks)
            Each part also runs alone with its own options: bench-step, bench-ns, bench-hvp (see their --help).
            Pause other work on the machine first: timings on a busy 2-core machine are noise.
            """;

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv, Set.of("out"), Set.of("help", "quick"));
        if (args.flag("help")) {
            System.out.print(HELP);
            return;
        }
        String out = args.get("out", "target/benchmarks");
        boolean quick = args.flag("quick");
        System.out.println("== 1/3 optimizer step (bench-step) ==");
        OptimizerStepBenchmark.main(with(out, quick, "--rounds", "1", "--iters", "3"));
        System.out.println("\n== 2/3 Newton-Schulz vs GEMM (bench-ns) ==");
        NewtonSchulzBenchmark.main(with(out, quick, "--reps", "1"));
        System.out.println("\n== 3/3 Hessian-vector products and listener overhead (bench-hvp) ==");
        HvpCostBenchmark.main(with(out, quick, "--iterations", "30", "--rounds", "1", "--reps", "3"));
    }

    private static String[] with(String out, boolean quick, String... quickArgs) {
        List<String> a = new ArrayList<>(List.of("--out", out));
        if (quick) {
            a.addAll(List.of(quickArgs));
        }
        return a.toArray(String[]::new);
    }
}
