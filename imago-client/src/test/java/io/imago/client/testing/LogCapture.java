package io.imago.client.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Records the WARN and ERROR events of one logger (and its children) while open, so a test can check
 * that a condition is reported, and reported once. Thread-safe (the appender's list is synchronised).
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    /** The appender's list, set once here: what every reader synchronises on. */
    private final List<ILoggingEvent> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    private LogCapture(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        appender.list = events;
        appender.start();
        logger.addAppender(appender);
    }

    /** Starts recording {@code loggerName} and the loggers below it. */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    /** The formatted WARN and ERROR messages recorded so far that contain {@code text}. */
    public List<String> warnings(String text) {
        synchronized (events) {
            return events.stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(e -> e.getFormattedMessage()
                            + (e.getThrowableProxy() == null
                                    ? ""
                                    : " " + e.getThrowableProxy().getClassName() + ": "
                                            + e.getThrowableProxy().getMessage()))
                    .filter(m -> m.contains(text))
                    .toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
