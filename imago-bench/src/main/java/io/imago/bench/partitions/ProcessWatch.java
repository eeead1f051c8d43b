package io.imago.bench.partitions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * Watches one process at a time through {@code /proc/<pid>}: every {@code interval} it reads the
 * {@code Threads:}, {@code VmRSS:} and {@code VmHWM:} lines of {@code status}, and every
 * {@code fdEvery}-th sample counts the entries of {@code fd/}, keeping the maxima. {@link #watch(long)}
 * points it at another process (a restarted broker) and starts a new {@link Figures} phase;
 * samples of a process that has exited are skipped.
 *
 * <p>A thread count above {@code abortThreads} calls the abort action once with that count (the bench
 * uses it to kill a broker that would otherwise take the machine's thread budget).
 *
 * <p>Lifecycle: the constructor only assigns; {@link #start()} starts the sampling thread;
 * {@link #close()} stops it and waits. Thread-safe.
 */
final class ProcessWatch implements AutoCloseable {
    private final Duration interval;
    private final int fdEvery;
    private final int abortThreads;
    private final LongConsumer abort;
    private final AtomicReference<Figures> current = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean aborted;
    private volatile boolean running;
    private Thread thread;

    /**
     * @param interval time between two samples
     * @param fdEvery count open file descriptors on every this many samples (listing a directory of
     *     100,000 entries is not free)
     * @param abortThreads a thread count above which {@code abort} is called (once)
     * @param abort told the thread count that crossed {@code abortThreads}
     */
    public ProcessWatch(Duration interval, int fdEvery, int abortThreads, LongConsumer abort) {
        this.interval = interval;
        this.fdEvery = fdEvery;
        this.abortThreads = abortThreads;
        this.abort = abort;
    }

    /** Samples {@code pid} from now on, into a fresh {@link Figures}, which is returned. */
    public Figures watch(long pid) {
        Figures f = new Figures(pid);
        current.set(f);
        return f;
    }

    public ProcessWatch start() {
        running = true;
        thread = new Thread(this::run, "bench-process-watch");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Takes one sample now, on the caller's thread (e.g. right before a kill, for the last VmHWM). */
    public void sampleNow() {
        Figures f = current.get();
        if (f != null) {
            sample(f, true);
        }
    }

    /** Whether the abort action was called. */
    public boolean aborted() {
        return aborted;
    }

    /** Why sampling failed (other than the process being gone), or null. */
    public Throwable failure() {
        return failure.get();
    }

    private void run() {
        long n = 0;
        while (running) {
            Figures f = current.get();
            if (f != null) {
                sample(f, n % fdEvery == 0);
            }
            n++;
            try {
                TimeUnit.NANOSECONDS.sleep(interval.toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void sample(Figures f, boolean countFds) {
        Path proc = Path.of("/proc", Long.toString(f.pid));
        try {
            List<String> status = Files.readAllLines(proc.resolve("status"));
            long threads = field(status, "Threads:");
            long rssKib = field(status, "VmRSS:");
            long hwmKib = field(status, "VmHWM:");
            if (threads < 0 || rssKib < 0) {
                return; // a zombie between the kill and the reaping has no memory lines
            }
            f.record(threads, rssKib * 1024, hwmKib * 1024);
            if (countFds) {
                try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                    f.recordFds(fds.count());
                }
            }
            if (threads > abortThreads && !aborted) {
                aborted = true;
                abort.accept(threads);
            }
        } catch (NoSuchFileException | UncheckedIOException gone) {
            // the process has exited (killed, or not yet restarted): nothing to sample
        } catch (IOException | RuntimeException e) {
            if (Files.exists(proc)) {
                failure.compareAndSet(null, e);
            }
        }
    }

    private static long field(List<String> status, String name) {
        for (String line : status) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    /** Stops sampling and waits (bounded) for the thread; an interrupt is kept. */
    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The maxima seen in one process. Thread-safe. */
    public static final class Figures {
        private final long pid;
        private long samples;
        private long maxThreads;
        private long maxRssBytes;
        private long peakRssBytes;
        private long maxFds = -1;
        private long lastThreads;
        private long lastRssBytes;

        Figures(long pid) {
            this.pid = pid;
        }

        synchronized void record(long threads, long rssBytes, long hwmBytes) {
            samples++;
            lastThreads = threads;
            lastRssBytes = rssBytes;
            maxThreads = Math.max(maxThreads, threads);
            maxRssBytes = Math.max(maxRssBytes, rssBytes);
            peakRssBytes = Math.max(peakRssBytes, Math.max(hwmBytes, rssBytes));
        }

        synchronized void recordFds(long fds) {
            maxFds = Math.max(maxFds, fds);
        }

        /** The thread count of the latest sample. */
        public synchronized long lastThreads() {
            return lastThreads;
        }

        /** The {@code VmRSS} of the latest sample. */
        public synchronized long lastRssBytes() {
            return lastRssBytes;
        }

        public synchronized long samples() {
            return samples;
        }

        /** The most threads seen in one sample. */
        public synchronized long maxThreads() {
            return maxThreads;
        }

        /** The largest {@code VmRSS} seen in one sample. */
        public synchronized long maxRssBytes() {
            return maxRssBytes;
        }

        /** The kernel's own peak resident size ({@code VmHWM}) at the last sample, or the largest RSS seen. */
        public synchronized long peakRssBytes() {
            return peakRssBytes;
        }

        /** The most open file descriptors counted, or -1 if never counted. */
        public synchronized long maxFds() {
            return maxFds;
        }

        @Override
        public synchronized String toString() {
            return "pid " + pid + ": " + samples + " samples, max threads " + maxThreads + ", peak RSS "
                    + (peakRssBytes >> 20) + " MiB, max fds " + maxFds;
        }
    }
}
