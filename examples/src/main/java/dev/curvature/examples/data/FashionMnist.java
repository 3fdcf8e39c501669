package dev.curvature.examples.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Reads Fashion-MNIST from its IDX files (as shipped by the Debian package {@code dataset-fashion-mnist} in
 * {@value #SYSTEM_DIR_NAME}, gzipped or not). Features come out as FLOAT {@code [n, 784]} scaled to [0, 1], labels as
 * one-hot FLOAT {@code [n, 10]}. No download: when the files are not there, {@link #locate} says so and callers fall
 * back to a synthetic task.
 */
public final class FashionMnist {
    static final String SYSTEM_DIR_NAME = "/usr/share/datasets/fashion-mnist";
    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final Path SYSTEM_DIR = Path.of(SYSTEM_DIR_NAME);
    public static final int CLASSES = 10;
    public static final int ROWS = 28;
    public static final int COLUMNS = 28;
    public static final int PIXELS = ROWS * COLUMNS;
    public static final String[] LABEL_NAMES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot"};

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    /** The two parts of the data set. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        public String imagesFile() {
            return prefix + "-images-idx3-ubyte";
        }

        public String labelsFile() {
            return prefix + "-labels-idx1-ubyte";
        }
    }

    private FashionMnist() {
    }

    /**
     * The directory to read from. An explicit directory must hold all four files (else {@link IllegalArgumentException}
     * naming what is missing); without one, {@link #SYSTEM_DIR} is used when complete, else empty.
     */
    public static Optional<Path> locate(Path explicit) {
        if (explicit != null) {
            String missing = missingFiles(explicit);
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("Fashion-MNIST directory " + explicit + " lacks " + missing
                        + " (expected IDX files, optionally .gz)");
            }
            return Optional.of(explicit);
        }
        return missingFiles(SYSTEM_DIR).isEmpty() ? Optional.of(SYSTEM_DIR) : Optional.empty();
    }

    /**
     * The data directory an example uses: {@code --data DIR} ({@code dataOption}, must be complete) or
     * {@link #SYSTEM_DIR}; empty means "use the synthetic task": with {@code synthetic}, or when Fashion-MNIST is not
     * installed (said on stdout). Both {@code --data} and {@code --synthetic} contradict each other and are refused.
     */
    public static Optional<Path> choose(String dataOption, boolean synthetic) {
        if (synthetic) {
            if (dataOption != null) {
                throw new IllegalArgumentException("--data and --synthetic contradict each other; give one");
            }
            return Optional.empty();
        }
        Optional<Path> dir = locate(dataOption == null ? null : Path.of(dataOption));
        if (dir.isEmpty()) {
            System.out.println("Fashion-MNIST not found in " + SYSTEM_DIR
                    + " (apt-get install dataset-fashion-mnist, or --data DIR); using the synthetic task instead.");
        }
        return dir;
    }

    private static String missingFiles(Path dir) {
        StringBuilder missing = new StringBuilder();
        for (Split s : Split.values()) {
            for (String f : new String[] {s.imagesFile(), s.labelsFile()}) {
                if (find(dir, f) == null) {
                    missing.append(missing.length() == 0 ? "" : ", ").append(f).append("[.gz]");
                }
            }
        }
        return missing.toString();
    }

    private static Path find(Path dir, String name) {
        Path plain = dir.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = dir.resolve(name + ".gz");
        return Files.isRegularFile(gz) ? gz : null;
    }

    /**
     * Loads the first {@code limit} examples of a split ({@code limit <= 0} or larger than the file: all of them).
     *
     * @throws UncheckedIOException for unreadable or malformed files, naming the file and what is wrong
     */
    public static DataSet load(Path dir, Split split, int limit) {
        Path imagesPath = find(dir, split.imagesFile());
        Path labelsPath = find(dir, split.labelsFile());
        if (imagesPath == null || labelsPath == null) {
            throw new IllegalArgumentException("Fashion-MNIST " + split + " files not found in " + dir);
        }
        byte[] labels = readIdx(labelsPath, LABELS_MAGIC, limit, 1);
        byte[] pixels = readIdx(imagesPath, IMAGES_MAGIC, labels.length, PIXELS);
        int n = labels.length;
        if (pixels.length != (long) n * PIXELS) {
            throw new UncheckedIOException(new IOException(imagesPath + " holds " + pixels.length / PIXELS
                    + " images but " + labelsPath + " holds " + n + " labels"));
        }
        // data loading, once: plain loops over the bytes (unsigned pixels, labels checked while one-hot encoding)
        float[] x = new float[pixels.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (pixels[i] & 0xff) / 255f;
        }
        float[] y = new float[n * CLASSES];
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= CLASSES) {
                throw new UncheckedIOException(new IOException(labelsPath + ": label " + labels[i] + " at index " + i
                        + " is outside 0.." + (CLASSES - 1)));
            }
            y[i * CLASSES + labels[i]] = 1f;
        }
        return new DataSet(Nd4j.create(x, new long[] {n, PIXELS}, 'c'),
                Nd4j.create(y, new long[] {n, CLASSES}, 'c'));
    }

    /** Reads an IDX file's payload: at most {@code limit} items of {@code itemBytes} bytes each. */
    private static byte[] readIdx(Path file, int magic, int limit, int itemBytes) {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(
                     file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16))) {
            int m = in.readInt();
            if (m != magic) {
                throw new IOException(file + ": magic number 0x" + Integer.toHexString(m) + ", expected 0x"
                        + Integer.toHexString(magic) + " (not an IDX " + (magic == IMAGES_MAGIC ? "image" : "label")
                        + " file)");
            }
            int count = in.readInt();
            int dims = (m & 0xff) - 1;
            long size = 1;
            for (int d = 0; d < dims; d++) {
                size *= in.readInt();
            }
            if (size != itemBytes) {
                throw new IOException(file + ": items of " + size + " bytes, expected " + itemBytes);
            }
            int n = limit > 0 ? Math.min(limit, count) : count;
            byte[] out = new byte[Math.multiplyExact(n, itemBytes)];
            in.readFully(out);
            return out;
        } catch (EOFException e) {
            throw new UncheckedIOException(new IOException(file + " is truncated", e));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
