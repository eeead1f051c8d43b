package io.imago.store;

import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition's single writer (the force-write thread of BookKeeper's journal): it takes every
 * queued chunk from the {@link AppendQueue}, writes consecutive chunks of a segment with one
 * gathering write, rolls segments where the appenders marked it, and then
 * <ul>
 *   <li>in group commit fsyncs once and only then publishes the new end and hands the batch
 *       to the {@link Completer}, which completes every waiter;</li>
 *   <li>in threshold mode publishes and hands over right after the write, and fsyncs after
 *       {@code unflushThreshold} messages, after {@code unflushIntervalMs}, or when asked — on a
 *       second thread of the partition, so the writes (and their acknowledgements) go on while
 *       the disk syncs; a failed background fsync takes the log offline at the writer's next step.
 *       The last fsync, at close, runs on the writer thread after the background one ends.</li>
 * </ul>
 * Any failure (an I/O error or anything thrown) goes to {@link #fail(Throwable, List)}: the batch in
 * flight and everything queued fail with {@link LogOfflineException}, the queue refuses later appends,
 * and the thread ends. Only the writer thread calls {@link #run()}; the few fields read by other
 * threads are volatile.
 */
final class LogWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);

    /** Called on the writer thread after a roll, with the start of the new segment. */
    interface RollListener {
        void rolled(long newSegmentStart) throws IOException;
    }

    private final Path dir;
    private final String partition;
    private final StorageIo io;
    private final LogConfig config;
    private final Clock clock;
    private final AppendQueue queue;
    private final SegmentSet segments;
    private final RollListener rollListener;
    private final Completer completer;
    /** Told the end of the fsynced bytes after each fsync (the acknowledged-end marker); never blocks. */
    private final java.util.function.LongConsumer syncedListener;

    private List<WriteChunk> batch = new ArrayList<>();
    /** The batch being written, for a close that gives up ({@link #abandon}); empty between batches. */
    private volatile List<WriteChunk> inFlight = List.of();
    /** Set by a close that gave up waiting: nothing this writer does later may be acknowledged. */
    private volatile boolean abandoned;

    private final Object exitLock = new Object();
    private boolean hasExited; // guarded by exitLock
    private Runnable onExit; // guarded by exitLock

    private final List<Segment> touched = new ArrayList<>();
    private volatile long unflushedMessages;
    private volatile long lastFlushMs;
    private volatile Throwable failure;
    /** Threshold mode: the thread the fsyncs run on, created at the first one. */
    private java.util.concurrent.ExecutorService syncer;

    private java.util.concurrent.Future<?> syncInFlight;
    private volatile Throwable syncFailure;

    LogWriter(
            Path dir,
            StorageIo io,
            LogConfig config,
            Clock clock,
            AppendQueue queue,
            SegmentSet segments,
            RollListener rollListener,
            Completer completer,
            java.util.function.LongConsumer syncedListener) {
        this.dir = dir;
        this.partition = dir.getFileName().toString();
        this.io = io;
        this.config = config;
        this.clock = clock;
        this.queue = queue;
        this.segments = segments;
        this.rollListener = rollListener;
        this.completer = completer;
        this.syncedListener = syncedListener;
    }

    @Override
    public void run() {
        lastFlushMs = clock.millis();
        try {
            while (true) {
                AppendQueue.Take take = queue.take(batch, config.groupCommitMaxBytes());
                checkBackgroundSync();
                if (take == AppendQueue.Take.STOP) {
                    break;
                }
                if (take == AppendQueue.Take.WRITE) {
                    inFlight = batch;
                    writeBatch();
                } else {
                    flush();
                }
            }
            if (failure == null) {
                finalFlush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(e, batch);
        } catch (Throwable t) {
            fail(t, batch);
        } finally {
            if (syncer != null) {
                syncer.shutdown();
            }
            completer.finish();
            exited();
        }
    }

    /**
     * Runs {@code action} once this thread has ended: at once if it has, else on this thread as it
     * ends (a close that gave up leaves the files the stuck writer uses to be released then).
     */
    void runOnExit(Runnable action) {
        synchronized (exitLock) {
            if (!hasExited) {
                onExit = action;
                return;
            }
        }
        action.run();
    }

    private void exited() {
        Runnable action;
        synchronized (exitLock) {
            hasExited = true;
            action = onExit;
        }
        if (action != null) {
            action.run();
        }
    }

    /**
     * Close gave up waiting for this thread (a hung write or fsync): from now on it acknowledges
     * nothing, and when it returns it fails like on an I/O error.
     *
     * @return the chunks of the batch it is writing, whose appends are unanswered
     */
    List<WriteChunk> abandon() {
        abandoned = true;
        return inFlight;
    }

    /** The failure that stopped the writer, or null. */
    Throwable failure() {
        return failure;
    }

    long unflushedMessages() {
        return unflushedMessages;
    }

    long lastFlushMs() {
        return lastFlushMs;
    }

    // unflushedMessages has one writer, this thread; the volatile is for the threads that read it
    @SuppressWarnings("NonAtomicVolatileUpdate")
    private void writeBatch() throws IOException {
        touched.clear();
        int messages = 0;
        int i = 0;
        while (i < batch.size()) {
            i = writeRun(i);
        }
        for (WriteChunk chunk : batch) {
            messages += chunk.messageCount();
        }
        Segment active = segments.active();
        if (config.isGroupCommit()) {
            if (touched.contains(active)) {
                active.file().force();
            }
        } else {
            unflushedMessages += messages;
        }
        if (abandoned) {
            throw new LogOfflineException(
                    "partition " + partition + " was closed while this write was in progress; it is not acknowledged",
                    null);
        }
        publish();
        completer.submit(batch);
        if (config.isGroupCommit()) {
            syncedListener.accept(active.startOffset() + active.writtenBytes());
        }
        inFlight = List.of();
        batch = new ArrayList<>();
        if (!config.isGroupCommit() && isFlushDue()) {
            flush();
        }
    }

    /** Writes the chunks from {@code first} that belong to the active segment; rolls if asked. */
    private int writeRun(int first) throws IOException {
        Segment active = segments.active();
        int last = first;
        while (!batch.get(last).rollAfter() && last + 1 < batch.size()) {
            last++;
        }
        ByteBuffer[] sources = new ByteBuffer[last - first + 1];
        long bytes = 0;
        for (int i = first; i <= last; i++) {
            WriteChunk chunk = batch.get(i);
            if (chunk.segmentStart() != active.startOffset()
                    || chunk.baseOffset() != active.startOffset() + active.writtenBytes() + bytes) {
                throw new IllegalStateException("partition " + partition + ": chunk at " + chunk.baseOffset()
                        + " does not follow segment " + active + " written to " + active.writtenBytes());
            }
            bytes += chunk.filledBytes();
            sources[i - first] = chunk.flipForWrite();
        }
        active.append(sources, bytes, config.preallocateMaxBytes(), config.maxSegmentBytes());
        if (!touched.contains(active)) {
            touched.add(active);
        }
        if (batch.get(last).rollAfter()) {
            roll(active);
        }
        return last + 1;
    }

    /** Seals the active segment (trimmed to its records, fsynced) and starts the next one, named by its start offset. */
    private void roll(Segment sealed) throws IOException {
        sealed.trimToWritten(); // a sealed segment never holds zero fill: MetaQ reads its length as its end
        sealed.file().force();
        long start = sealed.startOffset() + sealed.writtenBytes();
        Path path = dir.resolve(LogDescriptor.segmentFileName(start));
        Segment next = new Segment(start, io.create(path), 0);
        io.syncDirectory(dir);
        segments.addActive(next);
        rollListener.rolled(start);
    }

    private void publish() {
        for (Segment segment : touched) {
            segment.publishWritten();
        }
        Segment active = segments.active();
        segments.publishMaxOffset(active.startOffset() + active.writtenBytes());
    }

    private boolean isFlushDue() {
        return unflushedMessages >= config.unflushThreshold()
                || (unflushedMessages > 0 && clock.millis() - lastFlushMs >= config.unflushIntervalMs());
    }

    /**
     * Threshold mode: starts an fsync of the active segment on the sync thread, unless one is still
     * running (the messages written since stay counted, so the next due check starts another).
     */
    private void flush() throws IOException {
        checkBackgroundSync();
        if (unflushedMessages == 0 || (syncInFlight != null && !syncInFlight.isDone())) {
            return;
        }
        Segment active = segments.active();
        io.imago.store.fs.StorageFile file = active.file();
        long end = active.startOffset() + active.writtenBytes();
        unflushedMessages = 0;
        lastFlushMs = clock.millis();
        if (syncer == null) {
            syncer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "imago-log-sync-" + partition);
                t.setDaemon(true);
                return t;
            });
        }
        syncInFlight = syncer.submit(() -> {
            try {
                file.force();
                syncedListener.accept(end);
            } catch (Throwable t) {
                syncFailure = t;
            }
        });
    }

    /** At close: waits for a background fsync, then fsyncs what is still unflushed, on this thread. */
    private void finalFlush() throws IOException, InterruptedException {
        awaitBackgroundSync();
        checkBackgroundSync();
        if (unflushedMessages > 0) {
            segments.active().file().force();
            unflushedMessages = 0;
            lastFlushMs = clock.millis();
        }
    }

    private void awaitBackgroundSync() throws InterruptedException {
        if (syncInFlight != null) {
            try {
                syncInFlight.get();
            } catch (java.util.concurrent.ExecutionException e) {
                syncFailure = e.getCause();
            }
        }
    }

    /** A background fsync failed: fail the log as a failed fsync on this thread would. */
    private void checkBackgroundSync() throws IOException {
        Throwable t = syncFailure;
        if (t != null) {
            throw t instanceof IOException e ? e : new IOException("background fsync failed", t);
        }
    }

    /** The one failure handler: fails the batch in flight and everything queued, refuses the rest. */
    private void fail(Throwable cause, List<WriteChunk> inFlight) {
        failure = cause;
        LogOfflineException offline = new LogOfflineException(
                "partition " + partition + " is offline: a write or fsync failed, nothing after it is acknowledged",
                cause);
        // offline first, so that a waiter that sees its failure also sees the log offline
        List<WriteChunk> queued = queue.fail(offline);
        for (WriteChunk chunk : inFlight) {
            chunk.failAll(offline);
        }
        for (WriteChunk chunk : queued) {
            chunk.failAll(offline);
        }
        LOG.error("Partition {} went offline: the writer failed", partition, cause);
    }
}
