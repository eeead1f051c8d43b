package io.imago.store;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic flusher of threshold mode (spec section 3.4): every {@code tickMs} it asks each
 * registered log to fsync if its {@code unflushIntervalMs} has passed ({@link PartitionLog#flushIfDue()}).
 * The fsync itself runs on each log's sync thread ({@code imago-log-sync-<partition>}), off the writer.
 * Logs in group commit ignore it. The executor is
 * the caller's. Thread-safe.
 */
public final class LogFlusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogFlusher.class);

    private final ScheduledExecutorService executor;
    private final long tickMs;
    private final Set<PartitionLog> logs = ConcurrentHashMap.newKeySet();
    private ScheduledFuture<?> task;

    public LogFlusher(ScheduledExecutorService executor, long tickMs) {
        this.executor = executor;
        this.tickMs = tickMs;
    }

    public void register(PartitionLog log) {
        logs.add(log);
    }

    public void unregister(PartitionLog log) {
        logs.remove(log);
    }

    public synchronized void start() {
        if (tickMs <= 0) {
            throw new IllegalArgumentException("flush tick must be > 0 ms: " + tickMs);
        }
        if (task == null) {
            task = executor.scheduleWithFixedDelay(this::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Asks every registered log to flush if due.
     *
     * @return how many logs were asked to flush
     */
    public int flushDue() {
        int requested = 0;
        for (PartitionLog log : logs) {
            if (log.flushIfDue()) {
                requested++;
            }
        }
        return requested;
    }

    private void tick() {
        try {
            flushDue();
        } catch (Throwable t) {
            // a scheduled task that throws is silently cancelled by the executor: log and keep ticking
            LOG.error("Periodic flush failed", t);
        }
    }

    /** Stops the ticks; idempotent. Leaves the executor running. */
    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
