package io.imago.store;

import io.imago.store.fs.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero fill of one active segment's file ahead of its writer, so that a group commit's
 * {@code fdatasync} writes into blocks that are already allocated and durable and changes no file
 * metadata (the file size and the extent tree stay as they are).
 *
 * <p>Model. File positions {@code [0, dataEnd)} hold records (the segment's written bytes); from
 * {@code dataEnd} to the file's length, zeros (real zero writes, not a sparse hole: Java has no
 * {@code fallocate}). The writer queues a fill when the filled space ahead of it is less than half of
 * a step; a step is the data written to the segment since its fill began (its first write in this
 * process) rounded up to a power of two, at least {@link #MIN_STEP_BYTES}
 * and at most {@code maxStepBytes} ({@link LogConfig#preallocateMaxBytes()}), so that a barely used
 * partition reserves {@link #MIN_STEP_BYTES} and a busy one a few MiB; no fill goes past
 * {@code maxSegmentBytes}, and none writes less than {@link #MIN_FILL_BYTES}. A fill writes zeros in
 * chunks of {@link #CHUNK_BYTES} and fsyncs the file after each {@link #FORCE_EVERY_BYTES} (so that a
 * group commit's fsync, which writes every dirty page of the file, finds at most that much fill to
 * write), on the fill thread of the data directory ({@link LogThreads}), never on
 * the writer's thread: a writer that reaches the end of the filled space simply appends (extending
 * the file, as without a fill), so correctness never depends on the fill.
 *
 * <p>One writer at a time. The writer's writes ({@link #write}) and each chunk of fill take the same
 * lock, so the file is written by one thread at a time (as {@link StorageFile} requires), a chunk never
 * lands on bytes the writer wrote, and a writer waits at most for one chunk. {@link #stop()} (a roll, a
 * close) ends the fill: no chunk is written after it returns. A failed fill is logged and ends the
 * fill of this segment; the log goes on without it.
 *
 * <p>Thread-safe as described: {@link #write} and {@link #written} on the writer thread only.
 */
final class Preallocation {
    private static final Logger LOG = LoggerFactory.getLogger(Preallocation.class);

    /** The first step, and the least fill a step writes. */
    static final long MIN_STEP_BYTES = 64 * 1024;
    /** The least a fill writes: less (a segment limit just ahead) is not worth an fsync. */
    static final long MIN_FILL_BYTES = 4096;
    /** The zeros written under the lock at a time: the longest a writer waits for a fill. */
    static final int CHUNK_BYTES = 64 * 1024;
    /**
     * The zeros written between two fsyncs of a fill: the most a writer's fsync can find dirty and
     * write for the fill (an {@code fdatasync} writes every dirty page of the file).
     */
    static final long FORCE_EVERY_BYTES = 1024 * 1024;

    private static final ByteBuffer ZEROS =
            ByteBuffer.allocateDirect(CHUNK_BYTES).asReadOnlyBuffer();

    private final StorageFile file;
    /** The data end when this fill began (0 for a new segment; a recovered one's end after a restart). */
    private final long startEnd;

    private final long maxStepBytes;
    private final long limitBytes;
    /** The data directory's fill thread ({@link LogThreads}). */
    private final Executor filler;

    private final Object lock = new Object();
    /** End of the writer's bytes; guarded by lock. */
    private long dataEnd;
    /** Set by {@link #stop()} or a failed fill: no more fill; guarded by lock. */
    private boolean stopped;
    /** End of the zeros written and fsynced. */
    private volatile long filledEnd;
    /** A fill is queued or running; set by the writer, cleared by the filler. */
    private volatile boolean filling;

    /**
     * @param dataEnd      the segment's written bytes now
     * @param maxStepBytes the largest step; 0 = never fill
     * @param limitBytes   no fill beyond this file position ({@code maxSegmentBytes})
     */
    Preallocation(StorageFile file, long dataEnd, long maxStepBytes, long limitBytes, Executor filler) {
        this.file = file;
        this.filler = filler;
        this.startEnd = dataEnd;
        this.dataEnd = dataEnd;
        this.filledEnd = dataEnd;
        this.maxStepBytes = maxStepBytes;
        this.limitBytes = limitBytes;
    }

    /** The writer's write of {@code sources} at {@code position}; waits for a chunk of fill in progress. */
    void write(ByteBuffer[] sources, long position, long bytes) throws IOException {
        synchronized (lock) {
            file.write(sources, position);
            dataEnd = Math.max(dataEnd, position + bytes);
        }
    }

    /** After the writer's write that ended at {@code end}: queues a fill if the space ahead runs short. */
    void written(long end) {
        if (maxStepBytes <= 0 || filling) {
            return;
        }
        long step = step(end - startEnd);
        long target = Math.min(end + step, limitBytes);
        if (filledEnd - end >= step / 2 || target - Math.max(end, filledEnd) < MIN_FILL_BYTES) {
            return;
        }
        filling = true;
        try {
            filler.execute(() -> fill(target));
        } catch (RejectedExecutionException e) {
            filling = false; // the directory's threads are closing: the fill is only an optimisation
        }
    }

    /**
     * The step after {@code dataBytes} written since the fill began: rounded up to a power of two,
     * bounded. Counted from the fill's start, not the segment's, so a large segment recovered after a
     * restart that then gets a few puts reserves 64 KiB, not megabytes.
     */
    long step(long dataBytes) {
        long rounded = dataBytes <= 1 ? 1 : Long.highestOneBit(dataBytes - 1) << 1;
        return Math.min(maxStepBytes, Math.max(MIN_STEP_BYTES, rounded));
    }

    /** Ends the fill: no chunk is written once this returns (a chunk in progress is waited for). */
    void stop() {
        synchronized (lock) {
            stopped = true;
        }
    }

    /** End of the zeros written and fsynced ahead of the writer (its data end when nothing is). */
    long filledEnd() {
        return filledEnd;
    }

    private void fill(long target) {
        try {
            long position = filledEnd;
            while (position < target) {
                long stretchEnd = Math.min(target, position + FORCE_EVERY_BYTES);
                position = writeZeros(position, stretchEnd);
                if (position < 0) {
                    return; // stopped
                }
                file.force();
                filledEnd = Math.max(filledEnd, stretchEnd);
            }
        } catch (IOException | RuntimeException e) {
            boolean wasStopped;
            synchronized (lock) {
                wasStopped = stopped;
                stopped = true;
            }
            if (!wasStopped) {
                // nothing is lost: the writer appends past the fill as without one
                LOG.warn("Zero-filling {} ahead of its writer failed; it is no longer preallocated", file.path(), e);
            }
        } finally {
            filling = false;
        }
        // the writer may have passed this fill's target meanwhile (its written() found a fill queued and
        // asked for none): look again from its end now, or the space ahead stays unfilled until its next
        // write (seen under load: PreallocationTest waited for a fill that never came)
        long end;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            end = dataEnd;
        }
        written(end);
    }

    /**
     * Writes zeros from {@code from} (or the writer's end, if it is past it) to {@code to}, a chunk at a
     * time under the lock; returns where it ended, or -1 once stopped.
     */
    private long writeZeros(long from, long to) throws IOException {
        long position = from;
        while (true) {
            synchronized (lock) {
                if (stopped) {
                    return -1;
                }
                position = Math.max(position, dataEnd);
                if (position >= to) {
                    return position;
                }
                int n = (int) Math.min(CHUNK_BYTES, to - position);
                file.write(ZEROS.duplicate().limit(n), position);
                position += n;
            }
        }
    }
}
