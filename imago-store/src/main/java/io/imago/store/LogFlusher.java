package io.imago.store;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic flusher of threshold mode (spec section 3.4): every {@code tickMs} it asks each
 * registered log to fsync if its {@code unflushIntervalMs} has passed ({@link PartitionLog#flushIfDue()}).
 * The fsync itself runs on each log's sync thread ({@code imago-log-sync-<partition>}), off the writer;
 * a tick only asks, so it never waits for a disk. Logs in group commit ignore it.
 *
 * <p>The flusher owns its thread, {@code imago-log-flusher}, and shares it with nothing: a task that
 * blocks on that thread would delay the interval fsync of every threshold-mode log, and the time
 * bound of threshold mode (at most {@code unflushIntervalMs} of acknowledged data lost on power loss)
 * with it. Before issue 13 the broker ran the ticks on the executor of the retention passes, so a pass
 * archiving a big segment, or a delete on a hung disk, held every interval fsync back until it ended.
 *
 * <p>Lifecycle: the constructor only assigns, {@link #start()} starts the thread, {@link #close()}
 * stops it and waits for it. Thread-safe.
 */
public final class LogFlusher implements AutoCloseable {
    /** The name of the flusher's thread. */
    public static final String THREAD_NAME = "imago-log-flusher";

    private static final Logger LOG = LoggerFactory.getLogger(LogFlusher.class);
    /** A tick does no I/O, so the thread ends at once; the bound only guards against a surprise. */
    private static final long CLOSE_WAIT_MS = 5_000;

    private final long tickMs;
    private final Set<PartitionLog> logs = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService executor;
    private ScheduledFuture<?> task;
    private boolean closed;

    /**
     * @param tickMs how often the registered logs are asked; a log fsyncs at most this much later than
     *        its {@code unflushIntervalMs} asks
     */
    public LogFlusher(long tickMs) {
        this.tickMs = tickMs;
    }

    public void register(PartitionLog log) {
        logs.add(log);
    }

    public void unregister(PartitionLog log) {
        logs.remove(log);
    }

    /** Starts the thread and the ticks; a second call does nothing, a call after close neither. */
    public synchronized void start() {
        if (tickMs <= 0) {
            throw new IllegalArgumentException("flush tick must be > 0 ms: " + tickMs);
        }
        if (executor != null || closed) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true);
            return t;
        });
        task = executor.scheduleWithFixedDelay(this::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
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

    /** Stops the ticks and waits (briefly) for the thread to end. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (executor == null) {
            return;
        }
        task.cancel(false);
        executor.shutdownNow(); // a tick only takes in-memory locks: an interrupt cannot close a file
        try {
            if (!executor.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("The flusher thread is still running {} ms after close", CLOSE_WAIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
