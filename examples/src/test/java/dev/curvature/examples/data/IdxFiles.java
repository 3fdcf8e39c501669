package dev.curvature.examples.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Writes tiny Fashion-MNIST-shaped IDX files for tests (an independent writer of the format the loader reads). */
public final class IdxFiles {
    private IdxFiles() {
    }

    /** Pixels of image i, pixel p: {@code (i * 31 + p * 7) % 256}; label of image i: {@code labels[i]}. */
    public static int pixel(int i, int p) {
        return (i * 31 + p * 7) % 256;
    }

    public static void write(Path dir, FashionMnist.Split split, int[] labels, boolean gzip) throws IOException {
        Files.createDirectories(dir);
        String suffix = gzip ? ".gz" : "";
        try (DataOutputStream out = new DataOutputStream(open(dir.resolve(split.labelsFile() + suffix), gzip))) {
            out.writeInt(0x00000801);
            out.writeInt(labels.length);
            for (int label : labels) {
                out.writeByte(label);
            }
        }
        try (DataOutputStream out = new DataOutputStream(open(dir.resolve(split.imagesFile() + suffix), gzip))) {
            out.writeInt(0x00000803);
            out.writeInt(labels.length);
            out.writeInt(28);
            out.writeInt(28);
            for (int i = 0; i < labels.length; i++) {
                for (int p = 0; p < 784; p++) {
                    out.writeByte(pixel(i, p));
                }
            }
        }
    }

    /** Both splits with random labels learnable from nothing (tests check plumbing, not accuracy). */
    public static Path writeRandom(Path dir, int train, int test, long seed) throws IOException {
        Random r = new Random(seed);
        int[] a = r.ints(train, 0, 10).toArray();
        int[] b = r.ints(test, 0, 10).toArray();
        write(dir, FashionMnist.Split.TRAIN, a, true);
        write(dir, FashionMnist.Split.TEST, b, false);
        return dir;
    }

    private static OutputStream open(Path file, boolean gzip) throws IOException {
        OutputStream raw = Files.newOutputStream(file);
        return gzip ? new GZIPOutputStream(raw) : raw;
    }
}
