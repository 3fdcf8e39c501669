package dev.curvature.hessian.ui;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.HessianBlockListener;
import dev.curvature.hessian.ui.storage.HessianProbe;
import dev.curvature.hessian.ui.storage.HessianProbePersistable;
import dev.curvature.hessian.ui.storage.HessianSessionInfoPersistable;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sink posts static info once and one update per report, under unique timestamps; HessianUi wires it. */
class StatsStorageReportSinkTest {
    private static final String TYPE = HessianProbePersistable.TYPE_ID;

    @Test
    void postsStaticInfoOnceThenOneUpdatePerReport() {
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        TestTraining.Run run = new TestTraining.Run("hidden", 5, 11, 1, List.of(HessianUi.sink(storage, "s1", "w1")))
                .train(3);
        List<BlockHessianReport> reports = run.reports();
        assertEquals(3, reports.size());

        List<Persistable> infos = storage.getAllStaticInfos("s1", TYPE);
        assertEquals(1, infos.size());
        HessianSessionInfoPersistable info = assertInstanceOf(HessianSessionInfoPersistable.class, infos.get(0));
        assertEquals(TestTraining.blocks(5), info.info().blocks());
        assertEquals(List.of("hidden", "out"), info.info().layers());
        assertEquals(List.of("w1"), storage.listWorkerIDsForSessionAndType("s1", TYPE));

        List<Persistable> updates = storage.getAllUpdatesAfter("s1", TYPE, Long.MIN_VALUE);
        assertEquals(3, updates.size());
        long previous = Long.MIN_VALUE;
        for (int k = 0; k < 3; k++) {
            HessianProbe probe = assertInstanceOf(HessianProbePersistable.class, updates.get(k)).probe();
            BlockHessianReport report = reports.get(k);
            assertEquals(HessianProbe.of(report, "s1", "w1", probe.timestamp()), probe);
            assertEquals(report.iteration(), probe.iteration());
            assertTrue(probe.timestamp() >= report.timestamp().toEpochMilli());
            assertTrue(probe.timestamp() > previous, "timestamps increase");
            previous = probe.timestamp();
        }
    }

    @Test
    void probesWithinOneMillisecondKeepDistinctKeys() {
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        BlockHessianReport report = new TestTraining.Run("hidden", 5, 12, 1, List.of()).train(1).reports().get(0);
        StatsStorageReportSink sink = HessianUi.sink(storage, "same-ms", "w");
        sink.accept(report);
        sink.accept(report);
        sink.accept(report);
        long t = report.timestamp().toEpochMilli();
        assertEquals(List.of(t, t + 1, t + 2),
                java.util.Arrays.stream(storage.getAllUpdateTimes("same-ms", TYPE, "w")).boxed().toList());
        assertEquals(1, storage.getAllStaticInfos("same-ms", TYPE).size());
    }

    @Test
    void attachAddsASinkUnderANewSessionAndThisJvmsWorker() {
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        HessianBlockListener.Builder builder = HessianBlockListener.builder();
        assertEquals(builder, HessianUi.attach(builder, storage), "attach returns the builder for chaining");
        HessianBlockListener listener = builder.frequency(2).estimator(TestTraining.estimator(TestTraining.blocks(5))).build();
        TestTraining.Run run = new TestTraining.Run("hidden", 5, 13, 2, List.of());
        run.net.setListeners(listener);
        run.train(3);
        List<String> sessions = storage.listSessionIDs();
        assertEquals(1, sessions.size());
        assertEquals(List.of(HessianUi.defaultWorkerId()), storage.listWorkerIDsForSessionAndType(sessions.get(0), TYPE));
        assertEquals(2, storage.getNumUpdateRecordsFor(sessions.get(0)), "probes at iterations 0 and 2");
    }

    static Stream<Arguments> badArguments() {
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        return Stream.of(
                Arguments.of((Executable) () -> HessianUi.sink(null, "s"), "router must not be null (an InMemoryStatsStorage, FileStatsStorage or RemoteUIStatsStorageRouter)"),
                Arguments.of((Executable) () -> HessianUi.sink(storage, null), "sessionId must be a non-empty string, got null"),
                Arguments.of((Executable) () -> HessianUi.sink(storage, ""), "sessionId must be a non-empty string, got \"\""),
                Arguments.of((Executable) () -> HessianUi.sink(storage, "s", ""), "workerId must be a non-empty string, got \"\""),
                Arguments.of((Executable) () -> HessianUi.attach(null, storage), "builder must not be null"),
                Arguments.of((Executable) () -> HessianUi.attach(HessianBlockListener.builder(), null), "router must not be null (an InMemoryStatsStorage, FileStatsStorage or RemoteUIStatsStorageRouter)"));
    }

    @ParameterizedTest
    @MethodSource("badArguments")
    void badArgumentsAreRefusedWithTheirValue(Executable call, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}
