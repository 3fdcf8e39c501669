package dev.curvature.examples;

import dev.curvature.examples.bench.NewtonSchulzBenchmark;
import dev.curvature.examples.bench.OptimizerStepBenchmark;

import java.util.Arrays;

/**
 * Entry point of the examples: {@code demo} (default), {@code compare}, {@code search}, {@code classes},
 * {@code lm} and the benchmarks. Each takes {@code --help}.
 */
public final class Main {
    private Main() {
    }

    static final String HELP = """
            dl4j-curvature examples
              demo         train an MLP on synthetic data with DL4J Adam, Adam-mini and Muon (default)
              bench        all benchmarks below in one run; tables and CSV
              bench-step   benchmark one optimizer step against DL4J Adam; writes CSV
              bench-ns     Newton-Schulz GFLOP/s against plain GEMM of the same sizes; writes CSV
              bench-hvp    Hessian-vector product cost and the listener's overhead; writes CSV
              compare      Adam, Adam+weight decay, Adam-mini, Muon on Fashion-MNIST (MLP, CNN); CSV and PNG
              search       Arbiter search over Adam, Adam-mini, Muon: learning rate (x beta2); MLP or CNN; CSV and PNG
              classes      Hessian pairwiseRatio against the number of classes (Dong et al. 2025); CSV and PNG
              lm           word-level language model on real English text (dict-gcide): the output layer's Hessian
                           ratio against vocabulary size, and Adam, AdamW, Adam-mini, Muon at large C; CSV and PNG
            Run with: mvn -q -pl examples -am test-compile exec:java -Dexec.args="COMMAND [--help]"
            """;

    public static void main(String[] args) throws Exception {
        try {
            dispatch(args);
        } catch (IllegalArgumentException e) {
            // a bad option or value: the message names it; no stack trace
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    static void dispatch(String[] args) throws Exception {
        boolean explicit = args.length > 0 && (!args[0].startsWith("--") || args[0].equals("--help"));
        String command = explicit ? args[0] : "demo";
        String[] rest = explicit ? Arrays.copyOfRange(args, 1, args.length) : args;
        switch (command) {
            case "demo" -> Demo.main(rest);
            case "bench-step" -> OptimizerStepBenchmark.main(rest);
            case "bench-ns" -> NewtonSchulzBenchmark.main(rest);
            case "bench-hvp" -> dev.curvature.examples.bench.HvpCostBenchmark.main(rest);
            case "bench" -> dev.curvature.examples.bench.Benchmarks.main(rest);
            case "classes" -> ClassesReproduction.main(rest);
            case "compare" -> Compare.main(rest);
            case "search" -> dev.curvature.examples.search.Search.main(rest);
            case "lm" -> dev.curvature.examples.lm.LanguageModel.main(rest);
            case "--help", "-h", "help" -> System.out.print(HELP);
            default -> {
                System.err.println("unknown command '" + command + "'");
                System.err.print(HELP);
                System.exit(2);
            }
        }
    }
}
