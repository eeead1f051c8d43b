package io.imago.store;

import io.imago.store.fs.StorageFile;
import io.imago.store.fs.StorageIo;
import io.imago.store.trace.StoreTrace;
import io.imago.store.trace.WriterWakeupEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition's single writer (the force-write thread of BookKeeper's journal), run as a task on the
 * data directory's writer threads ({@link LogThreads}), never on two at once: each run takes every
 * queued chunk from the {@link AppendQueue}, writes consecutive chunks of a segment with one
 * gathering write, rolls segments where the appenders marked it, and then
 * <ul>
 *   <li>in group commit fsyncs once and only then publishes the new end and completes every waiter,
 *       on the same thread (no hand-over: the broker's completion only passes the reply to Netty);</li>
 *   <li>in threshold mode publishes and completes right after the write, and fsyncs after
 *       {@code unflushThreshold} messages, after {@code unflushIntervalMs}, or when asked — on a
 *       sync thread of the directory, so the writes (and their acknowledgements) go on while the disk
 *       syncs; a failed background fsync takes the log offline at the writer's next run. The last
 *       fsync, at close, runs on the writer after the background one ends.</li>
 * </ul>
 * A run goes on while its partition has work and no other partition of the directory waits for a
 * writer thread; otherwise it schedules itself again behind them (round robin). With nothing queued it
 * returns its thread; the next append schedules it (see {@link AppendQueue#poll}).
 * Any failure (an I/O error or anything thrown) goes to {@link #fail(Throwable, List)}: the batch in
 * flight and everything queued fail with {@link LogOfflineException}, the queue refuses later appends,
 * and the writer ends ({@link #exited()}). The fields read by other threads are volatile.
 */
final class LogWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);

    /** Called on the writer thread after a roll, with the start of the new segment. */
    interface RollListener {
        void rolled(long newSegmentStart) throws IOException;
    }

    /** Called on the writer thread before each write (the log marks its checkpoint unclean once). */
    interface BeforeWrite {
        void beforeWrite() throws IOException;
    }

    private final Path dir;
    private final String partition;
    private final StorageIo io;
    private final LogConfig config;
    private final Clock clock;
    private final AppendQueue queue;
    private final SegmentSet segments;
    private final RollListener rollListener;
    private final BeforeWrite beforeWrite;
    /** Told the end of the fsynced bytes after each fsync (the acknowledged-end marker); never blocks. */
    private final LongConsumer syncedListener;

    private final ThreadPoolExecutor writers;
    private final ExecutorService syncs;
    /** The data directory's zero-fill thread ({@link Preallocation}). */
    private final Executor fills;

    private List<WriteChunk> batch = new ArrayList<>();
    /** The batch being written or completed, for a close that gives up ({@link #abandon}); else empty. */
    private volatile List<WriteChunk> inFlight = List.of();
    /** Set by a close that gave up waiting: nothing this writer does later may be acknowledged. */
    private volatile boolean abandoned;
    /** The thread running this writer now, or null (diagnostics). */
    private final AtomicReference<Thread> runner = new AtomicReference<>();
    /** Completes when the writer has ended (stopped or failed). */
    private final CompletableFuture<Void> exit = new CompletableFuture<>();

    private final Object exitLock = new Object();
    private boolean hasExited; // guarded by exitLock
    private Runnable onExit; // guarded by exitLock

    private final List<Segment> touched = new ArrayList<>();
    private volatile long unflushedMessages;
    private volatile long lastFlushMs;
    private volatile Throwable failure;

    private Future<?> syncInFlight;
    private volatile Throwable syncFailure;
    /** JFR: the wake-up begun by the last schedule, or null (the executor orders it before the run). */
    private WriterWakeupEvent wakeup;

    LogWriter(
            Path dir,
            StorageIo io,
            LogConfig config,
            Clock clock,
            AppendQueue queue,
            SegmentSet segments,
            RollListener rollListener,
            BeforeWrite beforeWrite,
            LongConsumer syncedListener,
            ThreadPoolExecutor writers,
            ExecutorService syncs,
            Executor fills) {
        this.dir = dir;
        this.partition = dir.getFileName().toString();
        this.io = io;
        this.config = config;
        this.clock = clock;
        this.queue = queue;
        this.segments = segments;
        this.rollListener = rollListener;
        this.beforeWrite = beforeWrite;
        this.syncedListener = syncedListener;
        this.writers = writers;
        this.syncs = syncs;
        this.fills = fills;
        this.lastFlushMs = clock.millis();
        queue.onWork(this::schedule);
    }

    /** Puts a run of this writer on the directory's writer threads (the queue calls it when work arrives). */
    private void schedule() {
        try {
            wakeup = StoreTrace.wakeupBegin();
            writers.execute(this);
        } catch (RejectedExecutionException e) {
            // the directory's threads were closed before this log: nothing can be written any more
            fail(new IllegalStateException("the writer threads of partition " + partition + " are closed", e), batch);
            exited();
        }
    }

    @Override
    public void run() {
        Thread self = Thread.currentThread();
        runner.set(self);
        StoreTrace.wakeupEnd(wakeup, partition);
        boolean again = false;
        try {
            do {
                checkBackgroundSync();
                AppendQueue.Take take = queue.poll(batch, config.groupCommitMaxBytes());
                switch (take) {
                    case WRITE -> {
                        inFlight = batch;
                        writeBatch();
                        again = true;
                    }
                    case FLUSH -> {
                        flush();
                        again = true;
                    }
                    case STOP -> {
                        if (failure == null) {
                            finalFlush();
                        }
                        exited();
                        again = false;
                    }
                    case IDLE -> again = false; // another thread may run this writer from here on
                }
            } while (again && writers.getQueue().isEmpty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            again = false;
            fail(e, batch);
            exited();
        } catch (Throwable t) {
            again = false;
            fail(t, batch);
            exited();
        } finally {
            runner.compareAndSet(self, null);
        }
        if (again) {
            schedule(); // other partitions wait for a thread: go behind them
        }
    }

    /**
     * Runs {@code action} once this writer has ended: at once if it has, else on its thread as it
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
            if (hasExited) {
                return;
            }
            hasExited = true;
            action = onExit;
        }
        exit.complete(null);
        if (action != null) {
            action.run();
        }
    }

    /** Completes when the writer has ended: drained at close, or failed. */
    CompletableFuture<Void> exit() {
        return exit;
    }

    /** The thread running this writer now, or null when it is idle or waits for a thread. */
    Thread runner() {
        return runner.get();
    }

    /**
     * Close gave up waiting for this writer (a hung write or fsync, or a completion that blocks): from
     * now on it acknowledges nothing, and when it returns it fails like on an I/O error.
     *
     * @return the chunks of the batch it is writing or completing, whose appends may be unanswered
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

    // unflushedMessages has one writer at a time; the volatile is for the threads that read it
    @SuppressWarnings("NonAtomicVolatileUpdate")
    private void writeBatch() throws IOException {
        beforeWrite.beforeWrite();
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
                var fsync = StoreTrace.fsyncBegin();
                active.file().force();
                StoreTrace.fsyncEnd(fsync, partition);
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
        if (config.isGroupCommit()) {
            syncedListener.accept(active.startOffset() + active.writtenBytes());
        }
        var completion = StoreTrace.completeBegin();
        complete(batch);
        StoreTrace.completeEnd(completion, partition, messages);
        inFlight = List.of();
        queue.recycle(batch);
        batch.clear();
        if (!config.isGroupCommit() && isFlushDue()) {
            flush();
        }
    }

    /**
     * Completes every future of the acknowledged chunks, in offset order, on this thread. A completion
     * that throws (even an {@code Error}) fails that future with it and does not stop the others.
     */
    private void complete(List<WriteChunk> chunks) {
        Throwable first = null;
        for (WriteChunk chunk : chunks) {
            Throwable t = chunk.completeAll();
            first = first == null ? t : first;
        }
        if (first != null) {
            // a completion runs the caller's code; the one that threw was failed with it, the rest completed
            LOG.error(
                    "Partition {}: completing an acknowledged append threw; the others were completed",
                    partition,
                    first);
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
        var write = StoreTrace.writeBegin();
        active.append(sources, bytes, config.preallocateMaxBytes(), config.maxSegmentBytes(), fills);
        StoreTrace.writeEnd(write, partition, bytes, sources.length);
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
     * Threshold mode: starts an fsync of the active segment on a sync thread, unless one is still
     * running (the messages written since stay counted, so the next due check starts another).
     */
    private void flush() throws IOException {
        checkBackgroundSync();
        if (unflushedMessages == 0 || (syncInFlight != null && !syncInFlight.isDone())) {
            return;
        }
        Segment active = segments.active();
        StorageFile file = active.file();
        long end = active.startOffset() + active.writtenBytes();
        unflushedMessages = 0;
        lastFlushMs = clock.millis();
        syncInFlight = syncs.submit(() -> {
            try {
                file.force();
                syncedListener.accept(end);
            } catch (Throwable t) {
                syncFailure = t;
            }
        });
    }

    /** At close: waits for a background fsync, then fsyncs what is still unflushed, on the writer. */
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
            } catch (ExecutionException e) {
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
