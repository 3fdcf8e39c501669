package dev.curvature.hessian.sink;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.ReportSink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * Appends one CSV row per report (model-level summary; per-layer and per-block data go to
 * {@link JsonLinesReportSink}). Writes the header when the file is new or empty. The file is opened and closed for
 * each report, so nothing needs closing and a crash loses at most the row being written. Non-finite values are
 * written as {@code NaN}.
 */
public final class CsvReportSink implements ReportSink {
    /** The columns, in order. */
    public static final List<String> COLUMNS = List.of("iteration", "epoch", "timestamp", "method", "partition",
            "blocks", "probed_blocks", "parameters", "probes_per_block", "pairwise_ratio", "pairwise_ratio_se",
            "off_diagonal_mass_ratio", "off_diagonal_mass_ratio_se", "off_diagonal_rms", "diagonal_rms",
            "top_eigenvalue", "bottom_eigenvalue", "trace", "trace_se", "hessian_vector_products",
            "gradient_evaluations", "elapsed_ms");

    private final Path file;

    public CsvReportSink(Path file) {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        this.file = file;
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void accept(BlockHessianReport r) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        StringBuilder sb = new StringBuilder();
        if (!Files.exists(file) || Files.size(file) == 0) {
            sb.append(String.join(",", COLUMNS)).append('\n');
        }
        Object[] row = {r.iteration(), r.epoch(), r.timestamp(), r.method(), quote(r.partition()), r.blockCount(),
                r.probedBlocks().length, r.parameters(), r.probesPerBlock(), num(r.pairwiseRatio()),
                num(r.pairwiseRatioStandardError()), num(r.offDiagonalMassRatio()),
                num(r.offDiagonalMassRatioStandardError()), num(r.offDiagonalRms()), num(r.diagonalRms()),
                num(r.topEigenvalue()), num(r.bottomEigenvalue()), num(r.trace()), num(r.traceStandardError()),
                r.hessianVectorProducts(), r.gradientEvaluations(), r.elapsed().toMillis()};
        for (int i = 0; i < row.length; i++) {
            sb.append(i == 0 ? "" : ",").append(row[i]);
        }
        sb.append('\n');
        Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.10g", v) : "NaN";
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
