package io.imago.broker.server;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a repeated warning at most once per interval (STYLE.md #14), so that a partition gone
 * offline or a corrupt range fetched again and again by a consumer does not flood the log; the
 * number of warnings suppressed since the last one is appended. Thread-safe.
 */
final class WarnLimiter {
    private final Logger log;
    private final Clock clock;
    private final long intervalMs;
    private final AtomicLong lastMs = new AtomicLong(Long.MIN_VALUE / 2);
    private final AtomicLong suppressed = new AtomicLong();

    WarnLimiter(Logger log, Clock clock, long intervalMs) {
        this.log = log;
        this.clock = clock;
        this.intervalMs = intervalMs;
    }

    /** Logs {@code format} with {@code args} at WARN unless one was logged within the interval. */
    void warn(String format, Object... args) {
        long now = clock.millis();
        long last = lastMs.get();
        if (now - last < intervalMs || !lastMs.compareAndSet(last, now)) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        if (skipped > 0) {
            log.warn("({} similar warnings suppressed)", skipped);
        }
        log.warn(format, args);
    }
}
