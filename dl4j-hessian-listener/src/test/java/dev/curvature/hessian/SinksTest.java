package dev.curvature.hessian;

import ch.qos.logback.classic.Level;
import dev.curvature.hessian.sink.CsvReportSink;
import dev.curvature.hessian.sink.JsonLinesReportSink;
import dev.curvature.hessian.sink.Slf4jReportSink;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CSV, JSON Lines and SLF4J sinks write what the report holds. */
class SinksTest {
    private static BlockHessianReport report;

    @BeforeAll
    static void probe() {
        report = HessianBlockEstimator.builder().probesPerBlock(3).build()
                .estimate(Nets.oneHidden(3, 4, 3, DataType.DOUBLE, 1.0, 1), Nets.randomData(2, 8, 3, 3, DataType.DOUBLE));
    }

    @Test
    void csvHasAHeaderOnceAndOneRowPerReport(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/hessian.csv");
        CsvReportSink sink = new CsvReportSink(file);
        sink.accept(report);
        sink.accept(report);
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size());
        assertEquals(String.join(",", CsvReportSink.COLUMNS), lines.get(0));
        String[] row = lines.get(1).split(",");
        assertEquals(CsvReportSink.COLUMNS.size(), row.length);
        int col = CsvReportSink.COLUMNS.indexOf("pairwise_ratio");
        assertEquals(report.pairwiseRatio(), Double.parseDouble(row[col]), 1e-9 * report.pairwiseRatio());
        assertEquals(report.blockCount(), Integer.parseInt(row[CsvReportSink.COLUMNS.indexOf("blocks")]));
    }

    @Test
    void jsonLinesParseAndCarryLayersAndBlocks(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hessian.jsonl");
        new JsonLinesReportSink(file, true).accept(report);
        new JsonLinesReportSink(file, false).accept(report);
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        ObjectMapper mapper = new ObjectMapper();
        JsonNode full = mapper.readTree(lines.get(0));
        assertEquals(report.pairwiseRatio(), full.get("pairwiseRatio").asDouble(), 1e-9 * report.pairwiseRatio());
        assertEquals(report.offDiagonalMassRatioStandardError(), full.get("offDiagonalMassRatioStandardError").asDouble(),
                1e-9 * report.offDiagonalMassRatioStandardError());
        assertEquals(2, full.get("layers").size());
        assertEquals("layer0", full.get("layers").get(0).get("layer").asText());
        assertEquals(report.blockCount(), full.get("labels").size());
        JsonNode firstProbed = full.get("probed").get(0);
        int j = firstProbed.get("block").asInt();
        assertEquals(report.blockNorm(1, j), firstProbed.get("norms").get(1).asDouble(), 1e-9 * report.blockNorm(1, j));
        assertTrue(firstProbed.get("topEigenvalue").isNull(), "NaN (not computed) is written as null");
        JsonNode summary = mapper.readTree(lines.get(1));
        assertTrue(summary.get("labels") == null && summary.get("layers").size() == 2);
    }

    @Test
    void slf4jSinkLogsOneLine() {
        try (LogCapture log = new LogCapture(Slf4jReportSink.class)) {
            new Slf4jReportSink().accept(report);
            assertEquals(1, log.count(Level.INFO, "pairwiseRatio"));
            assertTrue(log.events().get(0).getFormattedMessage().contains("perOutputNeuron"));
        }
    }
}
