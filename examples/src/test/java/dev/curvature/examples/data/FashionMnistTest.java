package dev.curvature.examples.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FashionMnistTest {
    @TempDir
    Path dir;

    @Test
    void readsGzippedAndPlainIdxFilesExactly() throws IOException {
        int[] labels = {9, 0, 3, 5, 7};
        IdxFiles.write(dir, FashionMnist.Split.TRAIN, labels, true);
        IdxFiles.write(dir, FashionMnist.Split.TEST, new int[] {1, 2}, false);
        assertEquals(dir, FashionMnist.locate(dir).orElseThrow());

        DataSet train = FashionMnist.load(dir, FashionMnist.Split.TRAIN, 0);
        assertArrayEquals(new long[] {5, 784}, train.getFeatures().shape());
        assertArrayEquals(new long[] {5, 10}, train.getLabels().shape());
        assertEquals(DataType.FLOAT, train.getFeatures().dataType());
        for (int i = 0; i < labels.length; i++) {
            assertEquals(labels[i], train.getLabels().getRow(i).argMax().getInt(0));
            assertEquals(1.0, train.getLabels().getRow(i).sumNumber().doubleValue(), 0.0);
            for (int p : new int[] {0, 17, 200, 783}) {
                // includes pixel values above 127 (signed-byte trap)
                assertEquals(IdxFiles.pixel(i, p) / 255.0, train.getFeatures().getDouble(i, p), 1e-7);
            }
        }
        DataSet limited = FashionMnist.load(dir, FashionMnist.Split.TRAIN, 2);
        assertEquals(2, limited.numExamples());
        assertEquals(train.getFeatures().getRow(1), limited.getFeatures().getRow(1));
        assertEquals(2, FashionMnist.load(dir, FashionMnist.Split.TEST, 100).numExamples());
    }

    @Test
    void explicitDirectoryMissingFilesIsAClearError() throws IOException {
        IdxFiles.write(dir, FashionMnist.Split.TRAIN, new int[] {1}, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.locate(dir));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte[.gz]"), e.getMessage());
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte[.gz]"), e.getMessage());
    }

    @Test
    void malformedFilesAreRejectedWithTheFileName() throws IOException {
        IdxFiles.writeRandom(dir, 3, 3, 1);
        Path labels = dir.resolve("t10k-labels-idx1-ubyte");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(labels))) {
            out.writeInt(0x00000803); // image magic in a label file
            out.writeInt(3);
        }
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> FashionMnist.load(dir, FashionMnist.Split.TEST, 0));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte") && e.getMessage().contains("magic"),
                e.getMessage());

        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(labels))) {
            out.writeInt(0x00000801);
            out.writeInt(3);
            out.writeByte(1);
            out.writeByte(12); // not a class
            out.writeByte(2);
        }
        e = assertThrows(UncheckedIOException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST, 0));
        assertTrue(e.getMessage().contains("label 12 at index 1"), e.getMessage());

        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(labels))) {
            out.writeInt(0x00000801);
            out.writeInt(3);
            out.writeByte(1);
        }
        e = assertThrows(UncheckedIOException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST, 0));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void systemCopyWhenInstalledHasTheKnownSizesAndBalancedClasses() {
        // .ci/run installs dataset-fashion-mnist; on a machine without it there is nothing to check
        org.junit.jupiter.api.Assumptions.assumeTrue(FashionMnist.locate(null).isPresent(),
                "dataset-fashion-mnist not installed");
        DataSet test = FashionMnist.load(FashionMnist.SYSTEM_DIR, FashionMnist.Split.TEST, 0);
        assertEquals(10_000, test.numExamples());
        // Fashion-MNIST's test split has exactly 1000 images per class
        assertEquals(1000.0, test.getLabels().sum(0).minNumber().doubleValue(), 0.0);
        assertEquals(1000.0, test.getLabels().sum(0).maxNumber().doubleValue(), 0.0);
        assertTrue(test.getFeatures().maxNumber().doubleValue() <= 1.0);
        assertTrue(test.getFeatures().minNumber().doubleValue() >= 0.0);
    }
}
