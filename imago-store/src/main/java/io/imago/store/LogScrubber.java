package io.imago.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background scrub: one thread (per broker) that reads the sealed segments of every partition
 * log, one after the other, checking every record as recovery does ({@link PartitionLog#scrub}), so a
 * bit flipped after recovery is found before a consumer fetches it, and then refused like the ranges
 * recovery found. Reads are paced to {@code bytesPerSecond}; after a pass over all the logs the thread
 * pauses {@code pauseMs} and starts again. The active segments are not scrubbed.
 *
 * <p>The scrub takes no lock of the writers' and retains one segment at a time. Closing never
 * interrupts the thread (an interrupted {@code FileChannel} read would close a segment's channel
 * shared with the readers): it wakes a paced or pausing thread, which stops at its next read. Thread-safe.
 */
public final class LogScrubber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogScrubber.class);
    private static final long CLOSE_WAIT_MS = 30_000;

    private final Supplier<? extends Collection<PartitionLog>> logs;
    private final long bytesPerSecond;
    private final long pauseMs;
    private final LongConsumer onFound;
    private final AtomicLong scannedBytes = new AtomicLong();
    private final Object wake = new Object();
    private volatile boolean closed;
    private Thread thread;

    /**
     * @param logs           the logs to scrub, asked again at each pass
     * @param bytesPerSecond the pace of the reads, at least 1
     * @param pauseMs        the pause between two passes
     * @param onFound        told the number of corrupt ranges each log's scrub found that were not known
     */
    public LogScrubber(
            Supplier<? extends Collection<PartitionLog>> logs,
            long bytesPerSecond,
            long pauseMs,
            LongConsumer onFound) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be > 0: " + bytesPerSecond);
        }
        this.logs = logs;
        this.bytesPerSecond = bytesPerSecond;
        this.pauseMs = pauseMs;
        this.onFound = onFound;
    }

    /** Starts the background thread ({@code imago-log-scrubber}): passes separated by the pause. */
    public synchronized void start() {
        if (thread != null || closed) {
            return;
        }
        thread = new Thread(this::run, "imago-log-scrubber");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * One pass over the sealed segments of every log, on the calling thread.
     *
     * @return the number of corrupt ranges found that were not known before
     * @throws InterruptedIOException if the scrubber was closed during the pass
     */
    public int runPass() throws InterruptedIOException {
        Pace pace = new Pace();
        int found = 0;
        List<PartitionLog> snapshot = List.copyOf(logs.get());
        for (PartitionLog log : snapshot) {
            if (closed) {
                throw new InterruptedIOException("scrubber closed");
            }
            if (!log.isOnline()) {
                continue;
            }
            try {
                int n = log.scrub(pace).size();
                if (n > 0) {
                    found += n;
                    onFound.accept(n);
                }
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                // a log closed or offline meanwhile, or a failed read: the next pass tries again
                LOG.warn("Scrub of {} failed; the next pass tries again", log, e);
            }
        }
        return found;
    }

    /** Bytes read by the scrub since it was created (resync look-aheads included). */
    public long scannedBytes() {
        return scannedBytes.get();
    }

    private void run() {
        LOG.info("Scrubbing sealed segments at {} bytes/s, pausing {} ms between passes", bytesPerSecond, pauseMs);
        while (!closed) {
            try {
                int found = runPass();
                LOG.debug("Scrub pass done: {} new corrupt ranges", found);
                waitUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs));
            } catch (InterruptedIOException e) {
                return; // closed
            } catch (RuntimeException e) {
                LOG.warn("Scrub pass failed; pausing before the next", e);
                try {
                    waitUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs));
                } catch (InterruptedIOException closing) {
                    return;
                }
            }
        }
    }

    /** Waits until {@code deadlineNanos} ({@link System#nanoTime()}); fails at once if closed meanwhile. */
    private void waitUntil(long deadlineNanos) throws InterruptedIOException {
        synchronized (wake) {
            long left;
            while (!closed && (left = deadlineNanos - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(wake, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("scrub interrupted");
                }
            }
        }
        if (closed) {
            throw new InterruptedIOException("scrubber closed");
        }
    }

    /** Stops the thread: wakes it from a pace or pause, and waits for its current read to end. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        synchronized (wake) {
            wake.notifyAll();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(CLOSE_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("The scrubber thread is still reading after {} ms; leaving it", CLOSE_WAIT_MS);
            }
        }
    }

    /** The pace of one pass: the bytes read so far may not run ahead of {@code bytesPerSecond}. */
    private final class Pace implements ReadThrottle {
        private final long startNanos = System.nanoTime();
        private long bytes;

        @Override
        public void acquire(int read) throws InterruptedIOException {
            scannedBytes.addAndGet(read);
            bytes += read;
            long dueNanos = (long) (bytes * (1e9 / bytesPerSecond));
            waitUntil(startNanos + dueNanos);
        }
    }
}
