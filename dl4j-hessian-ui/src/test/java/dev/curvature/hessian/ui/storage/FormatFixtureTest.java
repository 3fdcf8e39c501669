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
 * The format versions as checked in. Version 1: {@code hessian-probe-v1.bin} and {@code hessian-session-info-v1.bin},
 * written once from {@link Probes#reference()} by the version 1 code. Version 2 (adds the probe's not-exact units and
 * the session label): {@code hessian-probe-v2.bin} and {@code hessian-session-info-v2.bin}, written once by
 * {@link #main} from {@link Probes#referenceV2()}. Decoding each must give its reference values, so a change of the
 * layout that would misread stored sessions fails here; encoding the reference must give the same bytes as the
 * current version's fixtures, so any change of the written format is noticed (and then needs a new version and new
 * fixtures, keeping these).
 */
class FormatFixtureTest {
    static final String PROBE_V1 = "hessian-probe-v1.bin";
    static final String SESSION_INFO_V1 = "hessian-session-info-v1.bin";
    static final String PROBE_V2 = "hessian-probe-v2.bin";
    static final String SESSION_INFO_V2 = "hessian-session-info-v2.bin";

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
        assertEquals(java.util.List.of(), probe.notExact(), "version 1 has no not-exact units: every product exact");
        assertEquals(1, stored[0], "the fixture is version 1");
    }

    @Test
    void version2FixturesDecodeToTheirReferences() throws IOException {
        byte[] stored = resource(PROBE_V2);
        assertEquals(2, stored[0]);
        HessianProbe probe = ProbeEncoding.decodeProbe(ByteBuffer.wrap(stored));
        assertEquals(Probes.referenceV2(), probe);
        assertEquals(java.util.List.of("dense_ä (relu)", "<out> (loss L1)"), probe.notExact());
        assertEquals(0.5, probe.blockNorm(2, 1));
        HessianSessionInfo info = ProbeEncoding.decodeSessionInfo(ByteBuffer.wrap(resource(SESSION_INFO_V2)));
        assertEquals(Probes.referenceInfoV2(), info);
        assertEquals("MLP adammini (AdamMini lr 0.001 β2 0.95) <b>&amp;</b>", info.label());
    }

    @Test
    void version1SessionInfoFixtureDecodesToTheReference() throws IOException {
        HessianSessionInfo info = ProbeEncoding.decodeSessionInfo(ByteBuffer.wrap(resource(SESSION_INFO_V1)));
        assertEquals(Probes.referenceInfo(), info);
        assertEquals("", info.label(), "version 1 has no label");
    }

    @Test
    void thisCodeStillWritesVersion2ByteForByte() throws IOException {
        assertEquals(2, ProbeEncoding.FORMAT_VERSION);
        assertArrayEquals(resource(PROBE_V2), ProbeEncoding.encode(Probes.referenceV2()),
                "the probe encoding changed: raise ProbeEncoding.FORMAT_VERSION, keep reading 1 and 2, add fixtures");
        assertArrayEquals(resource(SESSION_INFO_V2), ProbeEncoding.encode(Probes.referenceInfoV2()),
                "the session info encoding changed: raise ProbeEncoding.FORMAT_VERSION, keep reading 1 and 2");
    }

    @Test
    void version2IsVersion1WithTheNewFieldsAppended() throws IOException {
        // the layouts share everything up to the appended fields; only the version byte differs in the prefix
        byte[] v1 = resource(PROBE_V1);
        byte[] v2 = ProbeEncoding.encode(Probes.reference());
        assertEquals(v1.length + 4, v2.length, "an empty not-exact list is one int");
        assertArrayEquals(java.util.Arrays.copyOfRange(v1, 1, v1.length),
                java.util.Arrays.copyOfRange(v2, 1, v1.length));
        byte[] s1 = resource(SESSION_INFO_V1);
        byte[] s2 = ProbeEncoding.encode(Probes.referenceInfo());
        assertEquals(s1.length + 4, s2.length, "an empty label is one int");
        assertArrayEquals(java.util.Arrays.copyOfRange(s1, 1, s1.length),
                java.util.Arrays.copyOfRange(s2, 1, s1.length));
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
        Files.write(dir.resolve(PROBE_V2), ProbeEncoding.encode(Probes.referenceV2()));
        Files.write(dir.resolve(SESSION_INFO_V2), ProbeEncoding.encode(Probes.referenceInfoV2()));
    }
}
