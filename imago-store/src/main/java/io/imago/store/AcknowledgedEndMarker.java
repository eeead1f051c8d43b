package io.imago.store;

import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the checkpoint's acknowledged end ({@link RecoveryPoint#acknowledgedEndOffset()}) close behind
 * the log's fsynced, acknowledged end, so that recovery truncates only what was never acknowledged
 * and reports (and keeps) a record that fails below it as corruption.
 *
 * <p>The writer (or, in threshold mode, the sync thread) calls {@link #synced(long)} after each fsync:
 * it only raises a number and, at most, schedules this marker's task on the data directory's marker
 * thread ({@link LogThreads}, one for all the partitions of the directory) — no lock, no I/O, so a put
 * never waits for the marker. The task rewrites the checkpoint (temporary file, fsync, rename,
 * directory fsync) when at least {@code ackMarkerBytes} are unmarked, or when any byte is unmarked and
 * the last write is {@code ackMarkerIntervalMs} old (else it schedules itself for that moment): at most
 * one task of a marker is scheduled or running at a time, so its cost is bounded by its own fsyncs and
 * never lands on the append path. A failed rewrite is counted, logged (at most one WARN per interval)
 * and tried again after an interval: the marker only lags, the log stays online.
 *
 * <p>Lifecycle: {@link #stop()} cancels what is scheduled and {@link #awaitStopped(long)} waits for a
 * write in progress; the checkpoint callback refuses writes once the log closes. Thread-safe.
 */
final class AcknowledgedEndMarker {
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
    private final ScheduledExecutorService executor;
    private final AtomicLong syncedEnd;
    private final AtomicLong failures = new AtomicLong();
    /** A task of this marker is scheduled or running; set by whoever schedules it, cleared by the task. */
    private final AtomicBoolean scheduled = new AtomicBoolean();

    private final Object markedLock = new Object();
    private volatile long markedEnd; // written by the task only, under markedLock
    private volatile boolean stopped;
    private boolean running; // guarded by markedLock
    private volatile long lastWriteMs = Long.MIN_VALUE / 2;
    private long lastWarnMs = Long.MIN_VALUE / 2; // the task's only

    /** @param markedEnd the acknowledged end the checkpoint holds now */
    AcknowledgedEndMarker(
            String partition,
            Clock clock,
            LogConfig config,
            Checkpoint checkpoint,
            long markedEnd,
            ScheduledExecutorService executor) {
        this.partition = partition;
        this.clock = clock;
        this.intervalMs = config.ackMarkerIntervalMs();
        this.bytes = config.ackMarkerBytes();
        this.checkpoint = checkpoint;
        this.executor = executor;
        this.markedEnd = markedEnd;
        this.syncedEnd = new AtomicLong(markedEnd);
    }

    /**
     * Bytes below {@code end} are fsynced (and acknowledged). Never blocks: called on the writer's and
     * the sync thread's paths.
     */
    void synced(long end) {
        syncedEnd.accumulateAndGet(end, Math::max);
        scheduleIfIdle();
    }

    private void scheduleIfIdle() {
        if (!stopped && syncedEnd.get() > markedEnd && scheduled.compareAndSet(false, true)) {
            schedule(delayMs());
        }
    }

    /** How long until a write is due: none if enough bytes are unmarked, else until the interval is up. */
    private long delayMs() {
        if (syncedEnd.get() - markedEnd >= bytes) {
            return 0;
        }
        return Math.max(0, lastWriteMs + intervalMs - clock.millis());
    }

    private void schedule(long delayMs) {
        try {
            // run() catches everything it throws, so the future holds nothing worth checking
            var unused = executor.schedule(this::run, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the directory's threads are closing: the log closes too and writes the last checkpoint
            scheduled.set(false);
        }
    }

    /** Stops scheduling writes; a write in progress finishes ({@link #awaitStopped(long)}). */
    void stop() {
        stopped = true;
    }

    /**
     * Waits until no write of this marker is in progress, at most until {@code deadlineNanos}
     * ({@link System#nanoTime()}).
     *
     * @return false if a write is still in progress then (a hung fsync)
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitStopped(long deadlineNanos) throws InterruptedException {
        synchronized (markedLock) {
            long left;
            while (running && (left = deadlineNanos - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(markedLock, left);
            }
            return !running;
        }
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

    /** The task: writes the marker if due, then schedules itself again if there is more to mark. */
    private void run() {
        long retryMs = -1;
        synchronized (markedLock) {
            if (stopped) {
                scheduled.set(false);
                return;
            }
            running = true;
        }
        try {
            step();
        } catch (Throwable t) {
            retryMs = failed(t);
        } finally {
            synchronized (markedLock) {
                running = false;
                markedLock.notifyAll();
            }
        }
        if (stopped) {
            scheduled.set(false);
        } else if (retryMs >= 0) {
            schedule(retryMs);
        } else if (syncedEnd.get() > markedEnd) {
            schedule(delayMs());
        } else {
            scheduled.set(false);
            scheduleIfIdle(); // a sync that came after the check above and found the task scheduled
        }
    }

    private void step() throws IOException {
        long synced = syncedEnd.get();
        if (synced <= markedEnd || delayMs() > 0) {
            return;
        }
        lastWriteMs = clock.millis();
        if (!checkpoint.writeAcknowledgedEnd(synced)) {
            stopped = true;
            return;
        }
        synchronized (markedLock) {
            markedEnd = synced;
            markedLock.notifyAll();
        }
    }

    /** The one failure handler: counts, warns at most once per interval; returns the wait before a retry. */
    private long failed(Throwable t) {
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
        return intervalMs;
    }
}
