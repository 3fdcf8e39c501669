package dev.curvature.hessian;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Collects the log events of one logger while open. */
final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture(Class<?> loggerClass) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerClass);
        appender.start();
        logger.addAppender(appender);
    }

    List<ILoggingEvent> events() {
        return List.copyOf(appender.list);
    }

    long count(ch.qos.logback.classic.Level level, String fragment) {
        return appender.list.stream().filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(fragment))
                .count();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
