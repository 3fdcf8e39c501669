package dev.curvature.hessian.ui.storage;

import dev.curvature.hessian.BlockLabel;
import dev.curvature.hessian.LayerSummary;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary format of {@link HessianProbe} and {@link HessianSessionInfo}, as stored by DL4J's
 * {@code StatsStorage}s (in memory, MapDB file, posted to a remote UI). Big-endian ({@link DataOutputStream} and
 * {@link ByteBuffer} defaults); a string is an {@code int} byte length and that many UTF-8 bytes.
 *
 * <p>Every encoding starts with the format version byte (this code writes {@value #FORMAT_VERSION} and reads 1 and
 * 2) and a kind byte ({@code 'P'} for a probe, {@code 'S'} for session info). Decoding any other version or kind
 * fails with a message that names both, so data written by a future format is refused, never misread. A change of
 * the layout must raise {@link #FORMAT_VERSION} and keep decoding the old versions (the test
 * {@code FormatFixtureTest} decodes checked-in files of every version).
 *
 * <p>Version 1, probe ({@code 'P'}):
 * <pre>
 * byte   version = 1, byte kind = 'P'
 * string sessionId, string workerId
 * long   timestamp, long iteration, int epoch
 * string method, string partition
 * long   parameters, int probesPerBlock, long hessianVectorProducts, long elapsedMillis
 * double pairwiseRatio, pairwiseRatioStandardError, offDiagonalMassRatio, offDiagonalMassRatioStandardError,
 *        topEigenvalue, bottomEigenvalue, trace, traceStandardError
 * int    S, string[S]                 names table: distinct layer and parameter names, in first-use order
 * int    B, B x (int layerName, int paramName, long index, long count)       block labels, names as table indices
 * int    P, int[P] probedBlocks, P x double[B] blockNormColumns
 * int    L, L x (int layerName, int blocks, int probedBlocks, long parameters, double diagonalRms, offDiagonalRms,
 *        pairwiseRatio, pairwiseRatioStandardError, offDiagonalMassRatio, offDiagonalMassRatioStandardError,
 *        trace, traceStandardError)
 * </pre>
 * Size: about {@code 150 + 24 B + 8 P B + 84 L} bytes plus the names; the block norms dominate.
 *
 * <p>Version 2, probe: version 1 followed by {@code int N, string[N] notExact} (the units whose Hessian-vector
 * products were not exact). Version 1 probes decode with an empty list.
 *
 * <p>Version 1, session info ({@code 'S'}):
 * <pre>
 * byte version = 1, byte kind = 'S', string sessionId, string workerId, long timestamp, string method,
 * string partition, int blocks, long parameters, int L, string[L] layers
 * </pre>
 * Version 2, session info: version 1 followed by {@code string label}. Version 1 decodes with an empty label.
 */
public final class ProbeEncoding {
    /** The format version written by this code. */
    public static final byte FORMAT_VERSION = 2;
    static final byte KIND_PROBE = 'P';
    static final byte KIND_SESSION_INFO = 'S';

    private ProbeEncoding() {
    }

    /** The version 2 encoding of {@code probe}. */
    public static byte[] encode(HessianProbe probe) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 8 * probe.blockCount() * (1 + probe.probedBlocks().length));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeByte(KIND_PROBE);
            writeString(out, probe.sessionId());
            writeString(out, probe.workerId());
            out.writeLong(probe.timestamp());
            out.writeLong(probe.iteration());
            out.writeInt(probe.epoch());
            writeString(out, probe.method());
            writeString(out, probe.partition());
            out.writeLong(probe.parameters());
            out.writeInt(probe.probesPerBlock());
            out.writeLong(probe.hessianVectorProducts());
            out.writeLong(probe.elapsedMillis());
            out.writeDouble(probe.pairwiseRatio());
            out.writeDouble(probe.pairwiseRatioStandardError());
            out.writeDouble(probe.offDiagonalMassRatio());
            out.writeDouble(probe.offDiagonalMassRatioStandardError());
            out.writeDouble(probe.topEigenvalue());
            out.writeDouble(probe.bottomEigenvalue());
            out.writeDouble(probe.trace());
            out.writeDouble(probe.traceStandardError());

            Map<String, Integer> names = new LinkedHashMap<>();
            for (BlockLabel l : probe.labels()) {
                names.putIfAbsent(l.layer(), names.size());
                names.putIfAbsent(l.param(), names.size());
            }
            for (LayerSummary l : probe.layers()) {
                names.putIfAbsent(l.layer(), names.size());
            }
            out.writeInt(names.size());
            for (String name : names.keySet()) {
                writeString(out, name);
            }
            out.writeInt(probe.blockCount());
            for (BlockLabel l : probe.labels()) {
                out.writeInt(names.get(l.layer()));
                out.writeInt(names.get(l.param()));
                out.writeLong(l.index());
                out.writeLong(l.count());
            }
            int[] probed = probe.probedBlocks();
            double[][] columns = probe.blockNormColumns();
            out.writeInt(probed.length);
            for (int j : probed) {
                out.writeInt(j);
            }
            for (double[] column : columns) {
                for (double v : column) {
                    out.writeDouble(v);
                }
            }
            out.writeInt(probe.layers().size());
            for (LayerSummary l : probe.layers()) {
                out.writeInt(names.get(l.layer()));
                out.writeInt(l.blocks());
                out.writeInt(l.probedBlocks());
                out.writeLong(l.parameters());
                out.writeDouble(l.diagonalRms());
                out.writeDouble(l.offDiagonalRms());
                out.writeDouble(l.pairwiseRatio());
                out.writeDouble(l.pairwiseRatioStandardError());
                out.writeDouble(l.offDiagonalMassRatio());
                out.writeDouble(l.offDiagonalMassRatioStandardError());
                out.writeDouble(l.trace());
                out.writeDouble(l.traceStandardError());
            }
            out.writeInt(probe.notExact().size());
            for (String unit : probe.notExact()) {
                writeString(out, unit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** The version 2 encoding of {@code info}. */
    public static byte[] encode(HessianSessionInfo info) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeByte(KIND_SESSION_INFO);
            writeString(out, info.sessionId());
            writeString(out, info.workerId());
            out.writeLong(info.timestamp());
            writeString(out, info.method());
            writeString(out, info.partition());
            out.writeInt(info.blocks());
            out.writeLong(info.parameters());
            out.writeInt(info.layers().size());
            for (String layer : info.layers()) {
                writeString(out, layer);
            }
            writeString(out, info.label());
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes a probe from the buffer's position, leaving the position after it.
     *
     * @throws IllegalArgumentException if the bytes are not a probe of a known format version, or are truncated or
     *                                  inconsistent
     */
    public static HessianProbe decodeProbe(ByteBuffer in) {
        try {
            byte version = header(in, KIND_PROBE, "HessianProbe");
            String sessionId = readString(in);
            String workerId = readString(in);
            long timestamp = in.getLong();
            long iteration = in.getLong();
            int epoch = in.getInt();
            String method = readString(in);
            String partition = readString(in);
            long parameters = in.getLong();
            int probesPerBlock = in.getInt();
            long products = in.getLong();
            long elapsed = in.getLong();
            double pairwise = in.getDouble();
            double pairwiseSe = in.getDouble();
            double mass = in.getDouble();
            double massSe = in.getDouble();
            double top = in.getDouble();
            double bottom = in.getDouble();
            double trace = in.getDouble();
            double traceSe = in.getDouble();

            int nNames = count(in, 4, "names");
            List<String> names = new ArrayList<>(nNames);
            for (int s = 0; s < nNames; s++) {
                names.add(readString(in));
            }
            int b = count(in, 24, "blocks");
            List<BlockLabel> labels = new ArrayList<>(b);
            for (int i = 0; i < b; i++) {
                labels.add(new BlockLabel(name(names, in.getInt()), name(names, in.getInt()), in.getLong(), in.getLong()));
            }
            int p = count(in, 4 + 8L * b, "probed blocks");
            int[] probed = new int[p];
            for (int q = 0; q < p; q++) {
                probed[q] = in.getInt();
            }
            double[][] columns = new double[p][b];
            for (double[] column : columns) {
                for (int i = 0; i < b; i++) {
                    column[i] = in.getDouble();
                }
            }
            int nLayers = count(in, 84, "layers");
            List<LayerSummary> layers = new ArrayList<>(nLayers);
            for (int l = 0; l < nLayers; l++) {
                layers.add(new LayerSummary(name(names, in.getInt()), in.getInt(), in.getInt(), in.getLong(),
                        in.getDouble(), in.getDouble(), in.getDouble(), in.getDouble(), in.getDouble(), in.getDouble(),
                        in.getDouble(), in.getDouble()));
            }
            List<String> notExact = new ArrayList<>();
            if (version >= 2) {
                int n = count(in, 4, "not-exact units");
                for (int u = 0; u < n; u++) {
                    notExact.add(readString(in));
                }
            }
            return new HessianProbe(sessionId, workerId, timestamp, iteration, epoch, method, partition, parameters,
                    probesPerBlock, products, elapsed, pairwise, pairwiseSe, mass, massSe, top, bottom, trace, traceSe,
                    labels, probed, columns, layers, notExact);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated HessianProbe encoding", e);
        }
    }

    /**
     * Decodes session info from the buffer's position, leaving the position after it.
     *
     * @throws IllegalArgumentException if the bytes are not session info of a known format version, or are truncated
     */
    public static HessianSessionInfo decodeSessionInfo(ByteBuffer in) {
        try {
            byte version = header(in, KIND_SESSION_INFO, "HessianSessionInfo");
            String sessionId = readString(in);
            String workerId = readString(in);
            long timestamp = in.getLong();
            String method = readString(in);
            String partition = readString(in);
            int blocks = in.getInt();
            long parameters = in.getLong();
            int n = count(in, 4, "layers");
            List<String> layers = new ArrayList<>(n);
            for (int l = 0; l < n; l++) {
                layers.add(readString(in));
            }
            String label = version >= 2 ? readString(in) : "";
            return new HessianSessionInfo(sessionId, workerId, timestamp, method, partition, blocks, parameters, layers,
                    label);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated HessianSessionInfo encoding", e);
        }
    }

    /** Reads and checks the version and kind bytes; returns the version. */
    private static byte header(ByteBuffer in, byte kind, String what) {
        byte version = in.get();
        if (version < 1 || version > FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported " + what + " format version " + version
                    + " (this code reads versions 1 to " + FORMAT_VERSION + ")");
        }
        byte k = in.get();
        if (k != kind) {
            throw new IllegalArgumentException("not a " + what + " encoding: kind byte '" + (char) k + "', expected '"
                    + (char) kind + "'");
        }
        return version;
    }

    /** Reads a count and checks that {@code count * minBytesEach} bytes can follow, so garbage cannot allocate. */
    private static int count(ByteBuffer in, long minBytesEach, String what) {
        int n = in.getInt();
        if (n < 0 || n * minBytesEach > in.remaining()) {
            throw new IllegalArgumentException("truncated or corrupt encoding: " + n + " " + what + " cannot fit in the "
                    + in.remaining() + " bytes left");
        }
        return n;
    }

    private static String name(List<String> names, int index) {
        if (index < 0 || index >= names.size()) {
            throw new IllegalArgumentException("corrupt encoding: name index " + index + " outside the table of "
                    + names.size());
        }
        return names.get(index);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(ByteBuffer in) {
        int n = count(in, 1, "string bytes");
        byte[] b = new byte[n];
        in.get(b);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("corrupt encoding: a string is not valid UTF-8", e);
        }
    }
}
