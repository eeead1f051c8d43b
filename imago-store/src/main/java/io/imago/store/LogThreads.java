package io.imago.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads and write buffers that serve every partition log of one data directory (one disk): a
 * fixed number of writer threads, a few threads for the background fsyncs of threshold mode, one
 * thread for the acknowledged-end markers, one for the zero fill ahead of the writers
 * ({@link Preallocation}), and a bounded pool of direct write buffers. A broker with
 * ten thousand partitions on one disk runs these few threads, not three per partition (BookKeeper
 * serves all ledgers of a journal disk with one force-write thread; RocketMQ all queues of a commit
 * log with one flush thread).
 *
 * <p>Each log's writer is a task that runs on one writer thread at a time: it takes what is queued for
 * its partition, writes it, fsyncs (group commit), completes the appends on that same thread, and
 * yields the thread to the next partition with work (round robin), so a busy partition cannot starve
 * the others and a partition without work costs no thread. Appends themselves never wait for a thread:
 * they queue and, at most, schedule their partition's writer.
 *
 * <p>Open the logs of a directory with {@link PartitionLog#open(java.nio.file.Path, LogConfig,
 * io.imago.store.fs.StorageIo, java.time.Clock, LogThreads)}; close the logs before this. A log opened
 * without one gets a private instance with one writer thread, closed with the log. Thread-safe.
 */
public final class LogThreads implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogThreads.class);

    /** Writer threads per data directory by default: fsyncs of different partitions overlap this much. */
    public static final int DEFAULT_WRITER_THREADS = 4;
    /** Threads for threshold-mode background fsyncs by default (created when needed, ended when idle). */
    public static final int DEFAULT_SYNC_THREADS = 2;
    /**
     * Threads for the acknowledged-end markers (created when needed, ended when idle): a rewrite is two
     * fsyncs, so after a burst of puts to thousands of partitions one thread would lag by minutes.
     */
    public static final int MARKER_THREADS = 4;
    /** The most direct write-buffer bytes of one data directory, by default. */
    public static final long DEFAULT_MAX_BUFFER_BYTES = 64L * 1024 * 1024;

    private static final long IDLE_KEEP_ALIVE_SECONDS = 30;
    private static final long CLOSE_WAIT_MS = 5_000;

    private final String name;
    private final ThreadPoolExecutor writers;
    private final ThreadPoolExecutor syncs;
    private final ScheduledThreadPoolExecutor markers;
    private final ThreadPoolExecutor fills;
    private final long maxBufferBytes;
    private final Map<Integer, ChunkPool> pools = new ConcurrentHashMap<>();
    /** Parents of partition directories fsynced by this process ({@link DurableDirectories}). */
    private final Set<Path> syncedParents = ConcurrentHashMap.newKeySet();

    private LogThreads(String name, int writerThreads, int syncThreads, long maxBufferBytes) {
        if (writerThreads < 1) {
            throw new IllegalArgumentException("writer threads must be >= 1: " + writerThreads);
        }
        if (syncThreads < 1) {
            throw new IllegalArgumentException("sync threads must be >= 1: " + syncThreads);
        }
        if (maxBufferBytes < 0) {
            throw new IllegalArgumentException("buffer bytes must be >= 0: " + maxBufferBytes);
        }
        this.name = name;
        this.maxBufferBytes = maxBufferBytes;
        this.writers = new ThreadPoolExecutor(
                writerThreads,
                writerThreads,
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                daemons("imago-log-writer-" + name));
        this.syncs = new ThreadPoolExecutor(
                syncThreads,
                syncThreads,
                IDLE_KEEP_ALIVE_SECONDS,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                daemons("imago-log-sync-" + name));
        this.syncs.allowCoreThreadTimeOut(true);
        this.markers = new ScheduledThreadPoolExecutor(
                syncThreads == 1 ? 1 : MARKER_THREADS, daemons("imago-log-ack-marker-" + name));
        this.markers.setRemoveOnCancelPolicy(true);
        // a marker due later is not worth waiting for at shutdown: every log writes its own checkpoint at close
        this.markers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.markers.setKeepAliveTime(IDLE_KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
        this.markers.allowCoreThreadTimeOut(true);
        this.fills = new ThreadPoolExecutor(
                1,
                1,
                IDLE_KEEP_ALIVE_SECONDS,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                daemons("imago-log-preallocator-" + name));
        this.fills.allowCoreThreadTimeOut(true);
    }

    /**
     * The threads of one data directory.
     *
     * @param name           names the threads ({@code imago-log-writer-<name>-<i>}, …), e.g. the directory
     * @param writerThreads  writer threads (at least 1; {@link #DEFAULT_WRITER_THREADS})
     * @param maxBufferBytes most bytes of direct write buffers at once ({@link #DEFAULT_MAX_BUFFER_BYTES})
     */
    public static LogThreads create(String name, int writerThreads, long maxBufferBytes) {
        return new LogThreads(name, writerThreads, DEFAULT_SYNC_THREADS, maxBufferBytes);
    }

    /** The private threads of a log opened on its own: one writer, one sync thread. */
    static LogThreads forOneLog(String partition) {
        return new LogThreads(partition, 1, 1, 0);
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    ThreadPoolExecutor writers() {
        return writers;
    }

    ExecutorService syncs() {
        return syncs;
    }

    ScheduledExecutorService markers() {
        return markers;
    }

    /** The zero fill ahead of the writers ({@link Preallocation}): one thread, only while filling. */
    ExecutorService fills() {
        return fills;
    }

    /**
     * The pool of write buffers of {@code chunkBytes}. A private instance ({@link #forOneLog}) keeps a
     * log's former budget: enough buffers for one group commit.
     */
    ChunkPool chunkPool(int chunkBytes, int groupCommitMaxBytes) {
        return pools.computeIfAbsent(chunkBytes, size -> {
            long budget = maxBufferBytes > 0 ? maxBufferBytes : (long) (groupCommitMaxBytes / size + 2) * size;
            return new ChunkPool(size, budget);
        });
    }

    /** The directories whose entries this process has made durable (shared by the logs' opens). */
    Set<Path> syncedParents() {
        return syncedParents;
    }

    /** The name the threads carry. */
    public String name() {
        return name;
    }

    /**
     * Stops the threads once their current tasks end, waiting briefly. Close the logs first: a log
     * still open then fails its appends. Idempotent.
     */
    @Override
    public void close() {
        shutdown();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MS);
            for (ExecutorService e : new ExecutorService[] {writers, syncs, markers, fills}) {
                if (!e.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warn("Log threads {}: still busy {} ms after close (a hung disk?)", name, CLOSE_WAIT_MS);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the threads once their current tasks end, without waiting for them. */
    void shutdown() {
        writers.shutdown();
        syncs.shutdown();
        markers.shutdown();
        fills.shutdown();
    }

    @Override
    public String toString() {
        return "LogThreads{" + name + ", writers=" + writers.getCorePoolSize() + '}';
    }
}
