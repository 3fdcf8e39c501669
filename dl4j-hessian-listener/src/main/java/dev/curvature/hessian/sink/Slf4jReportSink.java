package dev.curvature.hessian.sink;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.ReportSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs one INFO line per report ({@link BlockHessianReport#toString()}). */
public final class Slf4jReportSink implements ReportSink {
    private final Logger log;

    /** Logs to the logger named {@code dev.curvature.hessian.sink.Slf4jReportSink}. */
    public Slf4jReportSink() {
        this(LoggerFactory.getLogger(Slf4jReportSink.class));
    }

    public Slf4jReportSink(Logger log) {
        if (log == null) {
            throw new IllegalArgumentException("log must not be null");
        }
        this.log = log;
    }

    @Override
    public void accept(BlockHessianReport report) {
        log.info("Hessian block structure at {}", report);
    }
}
