package dev.curvature.hessian;


import java.io.IOException;

/**
 * Where {@link HessianBlockListener} sends each report: a log line, a file, or (added by
 * another module) a DL4J UI {@code StatsStorageRouter}. A sink that throws is logged by the listener and skipped
 * for that report; it never stops training or further probes.
 */
@FunctionalInterface
public interface ReportSink {

    /** Handles one report. Called on the training thread, after each successful probe. */
    void accept(BlockHessianReport report) throws IOException;
}
