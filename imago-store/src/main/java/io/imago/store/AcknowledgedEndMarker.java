package io.imago.store;

import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the checkpoint's acknowledged end ({@link RecoveryPoint#acknowledgedEndOffset()}) close behind
 * the log's fsynced, acknowledged end, so that recovery truncates only what was never acknowledged
 * and reports (and keeps) a record that fails below it as corruption.
 *
 * <p>The writer (or, in threshold mode, the sync thread) calls {@link #synced(long)} after each fsync:
 * it only raises a number and, at most, wakes this thread — no lock, no I/O, so a put never waits for
 * the marker. This thread, one per partition, rewrites the checkpoint (temporary file, fsync, rename,
 * directory fsync) when at least {@code ackMarkerBytes} are unmarked, or when any byte is unmarked and
 * the last write is {@code ackMarkerIntervalMs} old: at most one rewrite at a time, so its cost is
 * bounded by its own fsyncs and never lands on the append path. A failed rewrite is counted, logged
 * (at most one WARN per interval) and tried again after an interval: the marker only lags, the log
 * stays online.
 *
 * <p>Lifecycle: {@link #start()} starts the thread, {@link #stop()} asks it to end (a write in progress
 * finishes); the checkpoint callback refuses writes once the log closes. Thread-safe.
 */
final class AcknowledgedEndMarker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AcknowledgedEndMarker.class);

    /** Writes the checkpoint with a new acknowledged end; false if the log is closing (nothing written). */
    interface Checkpoint {
        boolean writeAcknowledgedEnd(long acknowledgedEnd) throws IOException;
    }

    private final String partition;
    private final Clock clock;
    private final long intervalMs;
    private final long bytes;
    private final Checkpoint checkpoint;
    private final AtomicLong syncedEnd;
    private final AtomicLong failures = new AtomicLong();
    private final Object markedLock = new Object();
    private volatile long markedEnd; // written by this thread only, under markedLock
    private volatile boolean idle;
    private volatile boolean stopped;
    private volatile Thread thread;
    private long lastWriteMs = Long.MIN_VALUE / 2;
    private long lastWarnMs = Long.MIN_VALUE / 2;

    /** @param markedEnd the acknowledged end the checkpoint holds now */
    AcknowledgedEndMarker(String partition, Clock clock, LogConfig config, Checkpoint checkpoint, long markedEnd) {
        this.partition = partition;
        this.clock = clock;
        this.intervalMs = config.ackMarkerIntervalMs();
        this.bytes = config.ackMarkerBytes();
        this.checkpoint = checkpoint;
        this.markedEnd = markedEnd;
        this.syncedEnd = new AtomicLong(markedEnd);
    }

    void start() {
        Thread t = new Thread(this, "imago-log-ack-marker-" + partition);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Bytes below {@code end} are fsynced (and acknowledged). Never blocks: called on the writer's and
     * the sync thread's paths.
     */
    void synced(long end) {
        long now = syncedEnd.accumulateAndGet(end, Math::max);
        Thread t = thread;
        if (t != null && (idle || now - markedEnd >= bytes)) {
            LockSupport.unpark(t);
        }
    }

    /** Asks the thread to end; it finishes a write in progress. */
    void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** The thread, for a bounded join at close; null before {@link #start()}. */
    Thread thread() {
        return thread;
    }

    /** The acknowledged end the checkpoint holds. */
    long markedEnd() {
        return markedEnd;
    }

    /** Rewrites that failed so far. */
    long failures() {
        return failures.get();
    }

    /** Waits until the checkpoint holds an acknowledged end of at least {@code offset}; false on timeout. */
    boolean awaitMarked(long offset, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (markedLock) {
            long left;
            while (markedEnd < offset && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(markedLock, left);
            }
            return markedEnd >= offset;
        }
    }

    @Override
    public void run() {
        while (!stopped && !Thread.currentThread().isInterrupted()) {
            try {
                step();
            } catch (Throwable t) {
                failed(t);
            }
        }
    }

    /** Writes the marker if due, else waits until it may be. */
    private void step() throws IOException {
        long synced = syncedEnd.get();
        long unmarked = synced - markedEnd;
        if (unmarked <= 0) {
            idle = true;
            if (syncedEnd.get() == synced && !stopped) {
                LockSupport.park(this);
            }
            idle = false;
            return;
        }
        long now = clock.millis();
        long dueMs = lastWriteMs + intervalMs;
        if (unmarked < bytes && now < dueMs) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(dueMs - now));
            return;
        }
        lastWriteMs = now;
        if (!checkpoint.writeAcknowledgedEnd(synced)) {
            stopped = true;
            return;
        }
        synchronized (markedLock) {
            markedEnd = synced;
            markedLock.notifyAll();
        }
    }

    /** The one failure handler: counts, warns at most once per interval, waits an interval. */
    private void failed(Throwable t) {
        failures.incrementAndGet();
        long now = clock.millis();
        if (now - lastWarnMs >= intervalMs) {
            lastWarnMs = now;
            LOG.warn(
                    "Partition {}: writing the acknowledged end to the checkpoint failed ({} failures so far);"
                            + " it lags, so a crash now would treat more of the tail as unacknowledged",
                    partition,
                    failures.get(),
                    t);
        }
        if (!stopped) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(intervalMs));
        }
    }
}
