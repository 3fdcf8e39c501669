package dev.curvature.examples.lm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code lm --quick} on a corpus written here: the output files with their exact columns, the PNGs, and every
 * optimizer lowering the validation loss.
 */
class LmCommandTest {
    @TempDir
    static Path dir;
    static LanguageModel.Result result;
    static Path out;

    /**
     * About 60 000 tokens of a made-up language: 400 words with Zipf frequencies, each word followed half of the time
     * by a word it determines, sentences closed by "." or ",".
     */
    static Path corpus(Path dir, int tokens) throws IOException {
        Random r = new Random(11);
        int words = 400;
        double[] cumulative = new double[words];
        double sum = 0;
        for (int i = 0; i < words; i++) {
            sum += 1.0 / (i + 1);
            cumulative[i] = sum;
        }
        StringBuilder sb = new StringBuilder();
        int previous = 0;
        for (int n = 0; n < tokens; n++) {
            int w;
            if (r.nextBoolean()) {
                w = (previous * 7 + 3) % words;
            } else {
                double u = r.nextDouble() * sum;
                w = 0;
                while (cumulative[w] < u) {
                    w++;
                }
            }
            sb.append(n % 50 == 0 ? "W" : "w").append(w).append(r.nextInt(10) == 0 ? ". " : " ");
            if (n % 12 == 11) {
                sb.append(",\n");
            }
            previous = w;
        }
        Path file = dir.resolve("corpus.txt");
        Files.writeString(file, sb.toString());
        return file;
    }

    @BeforeAll
    static void runQuick() throws IOException {
        out = dir.resolve("out");
        result = LanguageModel.run(new String[] {"--quick", "--corpus", corpus(dir, 60_000).toString(), "--out",
                out.toString()}, r -> { });
    }

    @Test
    void ratioCsvHasTheExactColumnsAndBothPhasesPerClassCount() throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("lm-ratio.csv"));
        assertEquals("classes,phase,layer,pairwise_ratio,standard_error", lines.get(0));
        assertEquals(5, lines.size());
        assertTrue(lines.get(1).startsWith("16,init,output,"), lines.get(1));
        assertTrue(lines.get(2).startsWith("16,trained,output,"), lines.get(2));
        assertTrue(lines.get(3).startsWith("64,init,output,"), lines.get(3));
        for (String line : lines.subList(1, lines.size())) {
            double ratio = Double.parseDouble(line.split(",")[3]);
            assertTrue(ratio > 0 && ratio < 1, line);
        }
        // at initialisation the output layer is close to block-diagonal, more so at larger C
        assertTrue(result.ratios().get(2).ratio() < result.ratios().get(0).ratio());
        assertTrue(result.initSlope() < -0.5, "init slope " + result.initSlope());
    }

    @Test
    void summaryCsvHasTheExactColumnsAndEveryOptimizerLowersTheValidationLoss() throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("lm-summary.csv"));
        assertEquals("optimizer,classes,steps,val_loss,val_perplexity,state_bytes,state_vs_adam,ms_per_step",
                lines.get(0));
        assertEquals(5, lines.size());
        String[] names = {"adam", "adamw", "adammini", "muon"};
        for (int i = 0; i < names.length; i++) {
            String[] f = lines.get(i + 1).split(",", -1);
            assertEquals(8, f.length, lines.get(i + 1));
            assertEquals(names[i], f[0]);
            assertEquals("64", f[1]);
            assertEquals("20", f[2]);
            assertEquals(Math.exp(Double.parseDouble(f[3])), Double.parseDouble(f[4]), 1e-3 * Double.parseDouble(f[4]));
            assertTrue(Long.parseLong(f[5]) > 0);
        }
        assertEquals("1.0000", lines.get(1).split(",")[6]);
        for (String name : names) {
            List<Trainer.Point> p = result.points().stream().filter(x -> x.optimizer().equals(name)).toList();
            assertEquals(0, p.get(0).step());
            double first = p.get(0).valLoss();
            double last = p.get(p.size() - 1).valLoss();
            assertTrue(last < first - 0.05, name + ": validation loss " + first + " -> " + last);
        }
        // Adam-mini keeps one second moment per block: well under Adam's state
        assertTrue(LanguageModel.find(result.summary(), "adammini").stateVsAdam() < 0.8);
    }

    @Test
    void pngsAndCurvesAreWritten() throws IOException {
        for (String png : new String[] {"lm-ratio.png", "lm-compare.png"}) {
            BufferedImage image = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(image, png);
            assertTrue(image.getWidth() > 500, png);
        }
        assertEquals("optimizer,classes,step,train_seconds,train_loss,val_loss,val_perplexity",
                Files.readAllLines(out.resolve("lm-curves.csv")).get(0));
        assertTrue(Files.size(out.resolve("hessian-adammini.csv")) > 0, "Adam-mini's Hessian listener wrote nothing");
    }
}
