package dev.curvature.examples.lm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-input table: each case is an {@link IllegalArgumentException} whose message names the problem, which
 * {@code Main} prints as {@code error: ...} with exit code 2. Options are checked before any data is read.
 */
class LmBadInputTest {
    @TempDir
    Path dir;

    private void refused(String expected, String... argv) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LanguageModel.run(argv, r -> { }), String.join(" ", argv));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
    }

    @Test
    void missingCorpusNamesDictGcideAndTheOption() {
        String missing = dir.resolve("absent.txt").toString();
        refused("dict-gcide", "--corpus", missing);
        refused("--corpus", "--corpus", missing);
    }

    @Test
    void emptyAndTooSmallCorporaAreRefused() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.txt"), " \n\t ");
        refused("has no tokens", "--quick", "--corpus", empty.toString());
        refused("dict-gcide", "--quick", "--corpus", empty.toString());
        Path small = Files.writeString(dir.resolve("small.txt"), "a b c d e f g h i j k l m n o p q r s t.");
        refused("too small", "--quick", "--corpus", small.toString());
    }

    @Test
    void moreClassesThanDistinctTokensIsRefused() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            sb.append("w").append(i % 40).append(' ');
        }
        Path text = Files.writeString(dir.resolve("forty.txt"), sb.toString());
        refused("larger than the number of distinct tokens", "--quick", "--classes", "16,64", "--corpus",
                text.toString());
    }

    /** Every option is checked before the corpus: these name the option even though the corpus is missing. */
    @Test
    void badOptionsAreRefusedBeforeTheCorpusIsRead() {
        String missing = dir.resolve("absent.txt").toString();
        refused("--window", "--window", "0", "--corpus", missing);
        refused("--window", "--window", "-2", "--corpus", missing);
        refused("unknown option --bogus", "--bogus", "--corpus", missing);
        refused("--classes", "--classes", "1,64", "--corpus", missing);
        refused("--classes", "--classes", "a,b", "--corpus", missing);
        refused("--heads", "--dim", "16", "--heads", "3", "--corpus", missing);
        refused("--ui-port needs --ui", "--ui-port", "9001", "--corpus", missing);
        refused("unknown optimizer", "--optimizers", "adam,sgd", "--corpus", missing);
        refused("--lr-muon", "--optimizers", "adam", "--lr-muon", "0.01", "--corpus", missing);
        // --lr-adam is the sweep's rate too: accepted without adam or muon (the corpus is what fails here)
        refused("dict-gcide", "--optimizers", "adammini", "--lr-adam", "0.002", "--corpus", missing);
        refused("--steps must be >= 1", "--steps", "0", "--corpus", missing);
        refused("--max-chars must be >= 1", "--max-chars", "0", "--corpus", missing);
    }

    /** Through the command line: status 2 and "error: ..." naming dict-gcide and --corpus. */
    @Test
    void theCommandExitsWithStatusTwoOnAMissingCorpus() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.curvature.examples.Main", "lm", "--corpus",
                dir.resolve("absent.txt").toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(2, p.waitFor(), output);
        assertTrue(output.contains("error: corpus ") && output.contains("dict-gcide") && output.contains("--corpus"),
                output);
    }
}
