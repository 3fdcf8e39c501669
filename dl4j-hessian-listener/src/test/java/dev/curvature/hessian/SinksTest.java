package dev.curvature.hessian;

import ch.qos.logback.classic.Level;
import dev.curvature.hessian.sink.CsvReportSink;
import dev.curvature.hessian.sink.JsonLinesReportSink;
import dev.curvature.hessian.sink.Slf4jReportSink;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;
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
        // Jackson writes the shortest text that reads back as the same double: exact round trip
        assertEquals(report.pairwiseRatio(), full.get("pairwiseRatio").asDouble());
        assertEquals(report.offDiagonalMassRatioStandardError(), full.get("offDiagonalMassRatioStandardError").asDouble());
        assertEquals(report.kinksFrozen(), full.get("kinksFrozen").asBoolean());
        assertTrue(full.get("notExact").isArray());
        assertEquals(report.notExact().size(), full.get("notExact").size());
        assertEquals(report.recording().toNanos() / 1e6, full.get("recordingMs").asDouble());
        assertEquals(2, full.get("layers").size());
        assertEquals("layer0", full.get("layers").get(0).get("layer").asText());
        assertEquals(report.blockCount(), full.get("labels").size());
        JsonNode firstProbed = full.get("probed").get(0);
        int j = firstProbed.get("block").asInt();
        assertEquals(report.blockNorm(1, j), firstProbed.get("norms").get(1).asDouble());
        assertTrue(firstProbed.get("topEigenvalue").isNull(), "NaN (not computed) is written as null");
        JsonNode summary = mapper.readTree(lines.get(1));
        assertTrue(summary.get("labels") == null && summary.get("layers").size() == 2);
    }

    @Test
    void jsonLinesNameWhatIsNotExact(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.L1).nOut(3).name("out \"q\" <b>")
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        BlockHessianReport r = HessianBlockEstimator.builder().probesPerBlock(2).build()
                .estimate(net, Nets.randomData(2, 8, 3, 3, DataType.DOUBLE));
        Path file = dir.resolve("hessian.jsonl");
        new JsonLinesReportSink(file, false).accept(r);
        JsonNode line = new ObjectMapper().readTree(Files.readAllLines(file).get(0));
        assertTrue(line.get("kinksFrozen").asBoolean());
        assertEquals(1, line.get("notExact").size());
        assertEquals("out \"q\" <b> (L1 loss: kinked)", line.get("notExact").get(0).asText());
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
