package dev.curvature.hessian.ui.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encoding round trips of probes and session info through every Persistable encode/decode variant. */
class ProbeEncodingTest {

    static Stream<HessianProbe> probes() {
        return Stream.concat(Stream.of(Probes.reference(), Probes.referenceV2(), Probes.random(1, 0),
                        Probes.random(2, 1)),
                Stream.iterate(3L, s -> s + 1).limit(20).map(s -> Probes.random(s, (int) (s * 7 % 60))));
    }

    @ParameterizedTest
    @MethodSource("probes")
    void probeRoundTripsThroughEveryVariant(HessianProbe probe) throws Exception {
        HessianProbePersistable original = new HessianProbePersistable(probe);
        byte[] bytes = original.encode();
        assertEquals(bytes.length, original.encodingLengthBytes());
        assertEquals(ProbeEncoding.FORMAT_VERSION, bytes[0], "the first byte is the format version");

        ByteBuffer buffer = ByteBuffer.allocate(bytes.length + 3);
        buffer.put((byte) 9);
        original.encode(buffer);
        assertEquals(bytes.length + 1, buffer.position());
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        original.encode(stream);
        assertArrayEquals(bytes, stream.toByteArray());

        HessianProbePersistable fromBytes = new HessianProbePersistable();
        fromBytes.decode(bytes);
        assertEquals(probe, fromBytes.probe());
        HessianProbePersistable fromBuffer = new HessianProbePersistable();
        buffer.flip().get();
        fromBuffer.decode(buffer);
        assertEquals(probe, fromBuffer.probe());
        assertEquals(bytes.length + 1, buffer.position(), "decode leaves the buffer after the record");
        HessianProbePersistable fromStream = new HessianProbePersistable();
        fromStream.decode(new ByteArrayInputStream(bytes));
        assertEquals(probe, fromStream.probe());
        assertArrayEquals(bytes, fromStream.encode(), "re-encoding gives the same bytes");

        assertEquals(probe.sessionId(), fromBytes.getSessionID());
        assertEquals(probe.workerId(), fromBytes.getWorkerID());
        assertEquals(probe.timestamp(), fromBytes.getTimeStamp());
        assertEquals(HessianProbePersistable.TYPE_ID, fromBytes.getTypeID());
        for (int i = 0; i < probe.blockCount(); i++) {
            for (int j = 0; j < probe.blockCount(); j++) {
                assertEquals(Double.doubleToLongBits(probe.blockNorm(i, j)),
                        Double.doubleToLongBits(fromBytes.probe().blockNorm(i, j)), "norm " + i + "," + j);
            }
        }
    }

    @Test
    void labelledSessionInfoRoundTrips() throws Exception {
        HessianSessionInfoPersistable original = new HessianSessionInfoPersistable(Probes.referenceInfoV2());
        HessianSessionInfoPersistable decoded = new HessianSessionInfoPersistable();
        decoded.decode(original.encode());
        assertEquals(Probes.referenceInfoV2(), decoded.info());
        assertEquals("MLP adammini (AdamMini lr 0.001 β2 0.95) <b>&amp;</b>", decoded.info().label());
    }

    @Test
    void sessionInfoRoundTrips() throws Exception {
        HessianSessionInfoPersistable original = new HessianSessionInfoPersistable(Probes.referenceInfo());
        byte[] bytes = original.encode();
        assertEquals(bytes.length, original.encodingLengthBytes());
        HessianSessionInfoPersistable decoded = new HessianSessionInfoPersistable();
        decoded.decode(new ByteArrayInputStream(bytes));
        assertEquals(Probes.referenceInfo(), decoded.info());
        assertEquals(List.of("dense_ä", "<out>"), decoded.info().layers());
        assertEquals(HessianProbePersistable.TYPE_ID, decoded.getTypeID());
        assertEquals(5, decoded.info().blocks());
    }

    @Test
    void javaSerialisationUsesTheEncoding() throws Exception {
        HessianProbePersistable original = new HessianProbePersistable(Probes.reference());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(original);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(original, in.readObject());
        }
    }

    @Test
    void encodingIsCompact() {
        HessianProbe probe = Probes.random(99, 40);
        int probed = probe.probedBlocks().length;
        int length = ProbeEncoding.encode(probe).length;
        // doubles of the block norms plus at most ~32 bytes per block and a few hundred bytes of header and layers
        assertTrue(length <= 8 * 40 * probed + 32 * 40 + 600, "encoding of " + length + " bytes");
        assertTrue(length >= 8 * 40 * probed, "encoding of " + length + " bytes");
    }

    static Stream<Arguments> badInputs() {
        byte[] good = ProbeEncoding.encode(Probes.reference());
        byte[] info = ProbeEncoding.encode(Probes.referenceInfo());
        return Stream.of(
                Arguments.of("empty", new byte[0], "truncated HessianProbe encoding"),
                Arguments.of("future version", with(good, b -> b[0] = 3),
                        "unsupported HessianProbe format version 3 (this code reads versions 1 to 2)"),
                Arguments.of("version 0", with(good, b -> b[0] = 0), "unsupported HessianProbe format version 0"),
                Arguments.of("not-exact list cut", Arrays.copyOf(ProbeEncoding.encode(Probes.referenceV2()),
                        ProbeEncoding.encode(Probes.referenceV2()).length - 3), "truncated"),
                Arguments.of("session info decoded as probe", info, "not a HessianProbe encoding: kind byte 'S', expected 'P'"),
                Arguments.of("last byte missing", Arrays.copyOf(good, good.length - 1), "truncated"),
                Arguments.of("half", Arrays.copyOf(good, good.length / 2), "truncated"),
                Arguments.of("header only", Arrays.copyOf(good, 2), "truncated HessianProbe encoding"),
                Arguments.of("huge string length", with(good, b -> b[2] = 0x7f),
                        "truncated or corrupt encoding: 2130706442 string bytes cannot fit"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badBytesAreRefusedWithAMessage(String name, byte[] bytes, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HessianProbePersistable().decode(bytes));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void probeDecodedAsSessionInfoIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HessianSessionInfoPersistable().decode(ProbeEncoding.encode(Probes.reference())));
        assertEquals("not a HessianSessionInfo encoding: kind byte 'P', expected 'S'", e.getMessage());
    }

    @Test
    void anEmptyPersistableSaysWhyItHasNoValue() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new HessianProbePersistable().encode());
        assertTrue(e.getMessage().contains("decode(...) has not been called"), e.getMessage());
    }

    @Test
    void inconsistentBlockDataIsRefusedAtConstruction() {
        HessianProbe r = Probes.reference();
        IllegalArgumentException unsorted = assertThrows(IllegalArgumentException.class, () -> withBlocks(r,
                new int[] {2, 0, 3}, r.blockNormColumns()));
        assertTrue(unsorted.getMessage().startsWith("probedBlocks must be strictly increasing block indices in [0, 5)"),
                unsorted.getMessage());
        IllegalArgumentException columns = assertThrows(IllegalArgumentException.class, () -> withBlocks(r,
                new int[] {0, 2}, r.blockNormColumns()));
        assertEquals("blockNormColumns needs one column per probed block (2), got 3", columns.getMessage());
        IllegalArgumentException session = assertThrows(IllegalArgumentException.class, () -> new HessianSessionInfo("",
                "w", 0, "EXACT", "p", 1, 1, List.of()));
        assertEquals("sessionId must be a non-empty string, got \"\"", session.getMessage());
    }

    @Test
    void equalityIsByValue() {
        assertEquals(Probes.reference(), Probes.reference());
        assertEquals(Probes.reference().hashCode(), Probes.reference().hashCode());
        assertNotEquals(Probes.reference(), Probes.random(1, 5));
    }

    private static HessianProbe withBlocks(HessianProbe r, int[] probed, double[][] columns) {
        return new HessianProbe(r.sessionId(), r.workerId(), r.timestamp(), r.iteration(), r.epoch(), r.method(),
                r.partition(), r.parameters(), r.probesPerBlock(), r.hessianVectorProducts(), r.elapsedMillis(),
                r.pairwiseRatio(), r.pairwiseRatioStandardError(), r.offDiagonalMassRatio(),
                r.offDiagonalMassRatioStandardError(), r.topEigenvalue(), r.bottomEigenvalue(), r.trace(),
                r.traceStandardError(), r.labels(), probed, columns, r.layers());
    }

    private static byte[] with(byte[] bytes, Consumer<byte[]> change) {
        byte[] copy = bytes.clone();
        change.accept(copy);
        return copy;
    }
}
