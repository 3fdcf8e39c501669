package dev.curvature.hessian.ui.storage;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Format version 1 as checked in: {@code hessian-probe-v1.bin} and {@code hessian-session-info-v1.bin} were written
 * once by {@link #main} from {@link Probes#reference()}. Decoding them must give the reference values, so a change of
 * the layout that would misread stored sessions fails here; encoding the reference must give the same bytes, so
 * any change of the written format is noticed (and then needs a new version and new fixtures, keeping these).
 */
class FormatFixtureTest {
    static final String PROBE_V1 = "hessian-probe-v1.bin";
    static final String SESSION_INFO_V1 = "hessian-session-info-v1.bin";

    @Test
    void version1ProbeFixtureDecodesToTheReference() throws IOException {
        byte[] stored = resource(PROBE_V1);
        HessianProbePersistable p = new HessianProbePersistable();
        p.decode(stored);
        HessianProbe probe = p.probe();
        assertEquals(Probes.reference(), probe);
        // spot checks spelled out, independent of equals()
        assertEquals("session-α", probe.sessionId());
        assertEquals(4000L, probe.iteration());
        assertEquals(0.1234567890123, probe.pairwiseRatio());
        assertEquals(Double.NEGATIVE_INFINITY, probe.trace());
        assertEquals("<out>/W[1]", probe.labels().get(3).toString());
        assertEquals(0.5, probe.blockNorm(1, 2));
        assertEquals(0.5, probe.blockNorm(2, 1), "symmetry fills unprobed columns");
        assertEquals(2.75, probe.blockNorm(2, 2));
        assertEquals(Double.NaN, probe.blockNorm(1, 4), "pairs of two unprobed blocks are NaN");
        assertEquals(Double.MIN_VALUE, probe.blockNorm(1, 3));
        assertEquals(1.0 / 6, probe.layers().get(1).pairwiseRatio());
    }

    @Test
    void version1SessionInfoFixtureDecodesToTheReference() throws IOException {
        HessianSessionInfo info = ProbeEncoding.decodeSessionInfo(ByteBuffer.wrap(resource(SESSION_INFO_V1)));
        assertEquals(Probes.referenceInfo(), info);
    }

    @Test
    void thisCodeStillWritesVersion1ByteForByte() throws IOException {
        assertArrayEquals(resource(PROBE_V1), ProbeEncoding.encode(Probes.reference()),
                "the probe encoding changed: raise ProbeEncoding.FORMAT_VERSION, keep reading version 1, add fixtures");
        assertArrayEquals(resource(SESSION_INFO_V1), ProbeEncoding.encode(Probes.referenceInfo()),
                "the session info encoding changed: raise ProbeEncoding.FORMAT_VERSION, keep reading version 1");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = FormatFixtureTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "fixture " + name + " is missing from src/test/resources");
            return in.readAllBytes();
        }
    }

    /**
     * Writes the fixtures into {@code src/test/resources} (run from the module directory). Run once per format
     * version, never to make a failing test pass.
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of("src/test/resources/dev/curvature/hessian/ui/storage");
        Files.createDirectories(dir);
        Files.write(dir.resolve(PROBE_V1), ProbeEncoding.encode(Probes.reference()));
        Files.write(dir.resolve(SESSION_INFO_V1), ProbeEncoding.encode(Probes.referenceInfo()));
    }
}
