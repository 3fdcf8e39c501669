package dev.curvature.hessian.sink;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.BlockLabel;
import dev.curvature.hessian.LayerSummary;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Appends one JSON object per report, one per line (JSON Lines): the model-level ratios, spectrum and trace,
 * the per-layer summaries, and optionally the block data (labels, probed blocks, and for every probed block
 * {@code j} its column {@code ||H_ij||_F} over all {@code i}, with block traces). Non-finite numbers are written
 * as {@code null}. The file is opened and closed for each report.
 */
public final class JsonLinesReportSink implements ReportSink {
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
        StringBuilder sb = new StringBuilder(256);
        sb.append('{');
        field(sb, "iteration", r.iteration()).append(',');
        field(sb, "epoch", r.epoch()).append(',');
        field(sb, "timestamp", r.timestamp().toString()).append(',');
        field(sb, "method", r.method().name()).append(',');
        field(sb, "partition", r.partition()).append(',');
        field(sb, "blocks", r.blockCount()).append(',');
        field(sb, "probedBlocks", r.probedBlocks().length).append(',');
        field(sb, "parameters", r.parameters()).append(',');
        field(sb, "probesPerBlock", r.probesPerBlock()).append(',');
        field(sb, "pairwiseRatio", r.pairwiseRatio()).append(',');
        field(sb, "pairwiseRatioStandardError", r.pairwiseRatioStandardError()).append(',');
        field(sb, "offDiagonalMassRatio", r.offDiagonalMassRatio()).append(',');
        field(sb, "offDiagonalMassRatioStandardError", r.offDiagonalMassRatioStandardError()).append(',');
        field(sb, "offDiagonalRms", r.offDiagonalRms()).append(',');
        field(sb, "diagonalRms", r.diagonalRms()).append(',');
        field(sb, "topEigenvalue", r.topEigenvalue()).append(',');
        field(sb, "bottomEigenvalue", r.bottomEigenvalue()).append(',');
        field(sb, "lanczosSteps", r.lanczosSteps()).append(',');
        field(sb, "trace", r.trace()).append(',');
        field(sb, "traceStandardError", r.traceStandardError()).append(',');
        field(sb, "hessianVectorProducts", r.hessianVectorProducts()).append(',');
        field(sb, "gradientEvaluations", r.gradientEvaluations()).append(',');
        field(sb, "elapsedMs", r.elapsed().toMillis()).append(',');
        sb.append("\"layers\":[");
        for (int i = 0; i < r.layers().size(); i++) {
            LayerSummary l = r.layers().get(i);
            sb.append(i == 0 ? "{" : ",{");
            field(sb, "layer", l.layer()).append(',');
            field(sb, "blocks", l.blocks()).append(',');
            field(sb, "probedBlocks", l.probedBlocks()).append(',');
            field(sb, "parameters", l.parameters()).append(',');
            field(sb, "diagonalRms", l.diagonalRms()).append(',');
            field(sb, "offDiagonalRms", l.offDiagonalRms()).append(',');
            field(sb, "pairwiseRatio", l.pairwiseRatio()).append(',');
            field(sb, "pairwiseRatioStandardError", l.pairwiseRatioStandardError()).append(',');
            field(sb, "offDiagonalMassRatio", l.offDiagonalMassRatio()).append(',');
            field(sb, "offDiagonalMassRatioStandardError", l.offDiagonalMassRatioStandardError()).append(',');
            field(sb, "trace", l.trace()).append(',');
            field(sb, "traceStandardError", l.traceStandardError());
            sb.append('}');
        }
        sb.append(']');
        if (includeBlocks) {
            sb.append(",\"labels\":[");
            for (int i = 0; i < r.blockCount(); i++) {
                BlockLabel label = r.labels().get(i);
                sb.append(i == 0 ? "" : ",").append(string(label.toString()));
            }
            sb.append("],\"probed\":[");
            int[] probed = r.probedBlocks();
            for (int p = 0; p < probed.length; p++) {
                int j = probed[p];
                sb.append(p == 0 ? "{" : ",{");
                field(sb, "block", j).append(',');
                field(sb, "trace", r.blockTrace(j)).append(',');
                field(sb, "traceStandardError", r.blockTraceStandardError(j)).append(',');
                field(sb, "topEigenvalue", r.blockTopEigenvalue(j)).append(',');
                sb.append("\"norms\":[");
                for (int i = 0; i < r.blockCount(); i++) {
                    sb.append(i == 0 ? "" : ",").append(number(Math.sqrt(r.squaredNorm(i, j))));
                }
                sb.append("]}");
            }
            sb.append(']');
        }
        sb.append('}');
        return sb.toString();
    }

    private static StringBuilder field(StringBuilder sb, String name, Object value) {
        sb.append(string(name)).append(':');
        if (value instanceof Double d) {
            sb.append(number(d));
        } else if (value instanceof Number) {
            sb.append(value);
        } else {
            sb.append(string(String.valueOf(value)));
        }
        return sb;
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.10g", v) : "null";
    }

    private static String string(String s) {
        return JsonStrings.quote(new StringBuilder(s.length() + 2), s, false).toString();
    }
}
