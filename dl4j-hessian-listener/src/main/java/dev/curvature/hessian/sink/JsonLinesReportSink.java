package dev.curvature.hessian.sink;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.ReportSink;
import dev.curvature.hessian.LayerSummary;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends one JSON object per report, one per line (JSON Lines): the model-level ratios, spectrum and trace,
 * the per-layer summaries, and optionally the block data (labels, probed blocks, and for every probed block
 * {@code j} its column {@code ||H_ij||_F} over all {@code i}, with block traces). Non-finite numbers are written
 * as {@code null}; {@code kinksFrozen}, {@code notExact} and {@code recordingMs} say how exact the products were.
 * Written with DL4J's shaded Jackson. The file is opened and closed for each report.
 */
public final class JsonLinesReportSink implements ReportSink {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Path file;
    private final boolean includeBlocks;

    /**
     * @param includeBlocks whether to write per-block data ({@code B x probed} numbers per report)
     */
    public JsonLinesReportSink(Path file, boolean includeBlocks) {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        this.file = file;
        this.includeBlocks = includeBlocks;
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void accept(BlockHessianReport r) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, toJson(r, includeBlocks) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** The JSON object of one report, on one line. */
    public static String toJson(BlockHessianReport r, boolean includeBlocks) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("iteration", r.iteration());
        o.put("epoch", r.epoch());
        o.put("timestamp", r.timestamp().toString());
        o.put("method", r.method().name());
        o.put("partition", r.partition());
        o.put("blocks", r.blockCount());
        o.put("probedBlocks", r.probedBlocks().length);
        o.put("parameters", r.parameters());
        o.put("probesPerBlock", r.probesPerBlock());
        number(o, "pairwiseRatio", r.pairwiseRatio());
        number(o, "pairwiseRatioStandardError", r.pairwiseRatioStandardError());
        number(o, "offDiagonalMassRatio", r.offDiagonalMassRatio());
        number(o, "offDiagonalMassRatioStandardError", r.offDiagonalMassRatioStandardError());
        number(o, "offDiagonalRms", r.offDiagonalRms());
        number(o, "diagonalRms", r.diagonalRms());
        number(o, "topEigenvalue", r.topEigenvalue());
        number(o, "bottomEigenvalue", r.bottomEigenvalue());
        o.put("lanczosSteps", r.lanczosSteps());
        number(o, "trace", r.trace());
        number(o, "traceStandardError", r.traceStandardError());
        o.put("hessianVectorProducts", r.hessianVectorProducts());
        o.put("gradientEvaluations", r.gradientEvaluations());
        o.put("elapsedMs", r.elapsed().toMillis());
        o.put("kinksFrozen", r.kinksFrozen());
        ArrayNode notExact = o.putArray("notExact");
        r.notExact().forEach(notExact::add);
        o.put("recordingMs", r.recording().toNanos() / 1e6);
        ArrayNode layers = o.putArray("layers");
        r.layers().forEach(l -> putLayer(layers.addObject(), l));
        if (includeBlocks) {
            ArrayNode labels = o.putArray("labels");
            r.labels().forEach(label -> labels.add(label.toString()));
            ArrayNode probed = o.putArray("probed");
            for (int j : r.probedBlocks()) {
                ObjectNode b = probed.addObject();
                b.put("block", j);
                number(b, "trace", r.blockTrace(j));
                number(b, "traceStandardError", r.blockTraceStandardError(j));
                number(b, "topEigenvalue", r.blockTopEigenvalue(j));
                ArrayNode norms = b.putArray("norms");
                for (int i = 0; i < r.blockCount(); i++) {
                    double v = Math.sqrt(r.squaredNorm(i, j));
                    if (Double.isFinite(v)) {
                        norms.add(v);
                    } else {
                        norms.addNull();
                    }
                }
            }
        }
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values failed to serialise", e);
        }
    }

    /**
     * Puts the fields of one layer summary into {@code n}: the one JSON form of a {@link LayerSummary}, also used by
     * the UI module's routes.
     */
    public static ObjectNode putLayer(ObjectNode n, LayerSummary l) {
        n.put("layer", l.layer());
        n.put("blocks", l.blocks());
        n.put("probedBlocks", l.probedBlocks());
        n.put("parameters", l.parameters());
        number(n, "diagonalRms", l.diagonalRms());
        number(n, "offDiagonalRms", l.offDiagonalRms());
        number(n, "pairwiseRatio", l.pairwiseRatio());
        number(n, "pairwiseRatioStandardError", l.pairwiseRatioStandardError());
        number(n, "offDiagonalMassRatio", l.offDiagonalMassRatio());
        number(n, "offDiagonalMassRatioStandardError", l.offDiagonalMassRatioStandardError());
        number(n, "trace", l.trace());
        number(n, "traceStandardError", l.traceStandardError());
        return n;
    }

    /** JSON has no NaN or infinity: those are written as {@code null}. */
    private static void number(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }
}
