package io.imago.store;

import io.imago.protocol.RecordDescriptor;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The append side of a partition: appenders copy their records into {@link WriteChunk}s (from the data
 * directory's {@link ChunkPool}) under the append lock, which also assigns offsets and decides where
 * segments roll; the writer takes whole chunks out. No I/O happens under the lock, so an fsync in
 * progress never stops appends from queueing.
 *
 * <p>The writer runs on a shared thread ({@link LogThreads}) and never waits here: {@link #poll} finds
 * the queue empty, marks the writer idle and returns {@link Take#IDLE}; the next append (or flush
 * request, close or failure) clears the mark and calls the wake-up ({@code wake}), which schedules the
 * writer again. So at most one run of the writer is scheduled or running at a time.
 *
 * <p>Invariants: chunks leave in offset order (every chunk in {@code ready} precedes {@code open});
 * {@code nextOffset} is the end of the last queued record; a chunk never spans two segments; once
 * {@code failure} is set no append is accepted and nothing queued is ever acknowledged. The queue is
 * not bounded: a broker that wants backpressure watches {@link #queuedBytes()}. Thread-safe.
 */
final class AppendQueue {
    /** What the writer should do next. */
    enum Take {
        WRITE,
        FLUSH,
        /** Nothing to do: the writer is marked idle and is woken by the next piece of work. */
        IDLE,
        STOP
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final ChunkPool pool;
    private final long maxSegmentBytes;
    private final String partition;
    private final ArrayDeque<WriteChunk> ready = new ArrayDeque<>();
    private Runnable wake = () -> {};
    private WriteChunk open;
    private long nextOffset;
    private long activeSegmentStart;
    private long queuedBytes;
    /** The writer is idle: the next piece of work must call {@code wake}. */
    private boolean writerWaiting = true;

    private boolean flushRequested;
    private boolean closing;
    private StoreException failure;
    /** Completed with {@code failure} when it is first set, outside the lock. */
    private final CompletableFuture<StoreException> failed = new CompletableFuture<>();

    AppendQueue(LogConfig config, ChunkPool pool, String partition, long nextOffset, long activeSegmentStart) {
        this.pool = pool;
        this.maxSegmentBytes = config.maxSegmentBytes();
        this.partition = partition;
        this.nextOffset = nextOffset;
        this.activeSegmentStart = activeSegmentStart;
    }

    /** Sets what schedules the writer when work arrives for it while it is idle; before any append. */
    void onWork(Runnable wake) {
        this.wake = wake;
    }

    CompletableFuture<Long> append(long messageId, int flag, ByteBuffer payload, int checksum) {
        int recordBytes = RecordDescriptor.recordLength(payload.remaining());
        CompletableFuture<Long> future;
        boolean wakeWriter;
        lock.lock();
        try {
            StoreException refusal = refusal();
            if (refusal != null) {
                return CompletableFuture.failedFuture(refusal);
            }
            WriteChunk chunk = chunkFor(recordBytes);
            future = new CompletableFuture<>();
            chunk.addSingle(future, nextOffset);
            put(chunk, messageId, flag, payload, checksum);
            wakeWriter = afterAppend(recordBytes);
        } finally {
            lock.unlock();
        }
        if (wakeWriter) {
            wake.run();
        }
        return future;
    }

    CompletableFuture<long[]> appendBatch(List<Record> records, int[] checksums, int totalBytes) {
        CompletableFuture<long[]> future;
        boolean wakeWriter;
        lock.lock();
        try {
            StoreException refusal = refusal();
            if (refusal != null) {
                return CompletableFuture.failedFuture(refusal);
            }
            WriteChunk chunk = chunkFor(totalBytes);
            long[] offsets = new long[records.size()];
            long at = nextOffset;
            for (int i = 0; i < offsets.length; i++) {
                Record r = records.get(i);
                offsets[i] = at;
                at += RecordDescriptor.recordLength(r.payload().remaining());
                put(chunk, r.messageId(), r.flag(), r.payload(), checksums[i]);
            }
            future = new CompletableFuture<>();
            chunk.addBatch(future, offsets);
            wakeWriter = afterAppend(totalBytes);
        } finally {
            lock.unlock();
        }
        if (wakeWriter) {
            wake.run();
        }
        return future;
    }

    private StoreException refusal() {
        if (failure != null) {
            return failure;
        }
        return closing ? new LogClosedException("partition " + partition + " is closed") : null;
    }

    /** The open chunk if the bytes fit, else a fresh one (the full one goes to {@code ready}). */
    private WriteChunk chunkFor(int bytes) {
        if (open != null && open.fits(bytes)) {
            return open;
        }
        if (open != null) {
            ready.add(open);
        }
        WriteChunk chunk = pool.acquire(bytes);
        chunk.reset(activeSegmentStart, nextOffset);
        open = chunk;
        return chunk;
    }

    private static void put(WriteChunk chunk, long messageId, int flag, ByteBuffer payload, int checksum) {
        ByteBuffer buffer = chunk.buffer();
        int length = payload.remaining();
        RecordDescriptor.writeHeader(buffer, length, checksum, messageId, flag);
        buffer.put(buffer.position(), payload, payload.position(), length);
        buffer.position(buffer.position() + length);
    }

    /** Advances the offset and closes the chunk at a roll point; true if the writer must be woken. */
    private boolean afterAppend(int bytes) {
        nextOffset += bytes;
        queuedBytes += bytes;
        if (nextOffset - activeSegmentStart >= maxSegmentBytes) {
            open.markRollAfter();
            ready.add(open);
            open = null;
            activeSegmentStart = nextOffset;
        }
        return claimWriter();
    }

    /** Under the lock: if the writer is idle, marks it busy; true if the caller must then wake it. */
    private boolean claimWriter() {
        if (writerWaiting) {
            writerWaiting = false;
            return true;
        }
        return false;
    }

    /**
     * Moves whole chunks (in order, at least one, up to about {@code maxBytes}) into {@code out}, or
     * says what else the writer should do. Never waits: with nothing to do it marks the writer idle
     * ({@link Take#IDLE}), and the writer must then return its thread.
     */
    Take poll(List<WriteChunk> out, long maxBytes) {
        lock.lock();
        try {
            if (ready.isEmpty() && open == null && !flushRequested && !closing && failure == null) {
                writerWaiting = true;
                return Take.IDLE;
            }
            if (failure != null) {
                return Take.STOP;
            }
            long bytes = 0;
            while (!ready.isEmpty() && (out.isEmpty() || bytes < maxBytes)) {
                WriteChunk chunk = ready.poll();
                bytes += chunk.filledBytes();
                out.add(chunk);
            }
            if (ready.isEmpty() && open != null && (out.isEmpty() || bytes < maxBytes)) {
                bytes += open.filledBytes();
                out.add(open);
                open = null;
            }
            queuedBytes -= bytes;
            boolean flush = flushRequested;
            flushRequested = false;
            if (!out.isEmpty()) {
                return Take.WRITE;
            }
            return flush ? Take.FLUSH : Take.STOP;
        } finally {
            lock.unlock();
        }
    }

    /** Gives written chunks back to the pool. */
    void recycle(List<WriteChunk> chunks) {
        for (WriteChunk chunk : chunks) {
            pool.release(chunk);
        }
    }

    /** Asks the writer for an fsync (threshold mode). */
    void requestFlush() {
        boolean wakeWriter;
        lock.lock();
        try {
            flushRequested = true;
            wakeWriter = claimWriter();
        } finally {
            lock.unlock();
        }
        if (wakeWriter) {
            wake.run();
        }
    }

    /** Refuses every later append with {@code cause} and returns the queued chunks (to fail them). */
    List<WriteChunk> fail(StoreException cause) {
        boolean first = false;
        boolean wakeWriter;
        List<WriteChunk> queued;
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
                first = true;
            }
            queued = new ArrayList<>(ready);
            ready.clear();
            if (open != null) {
                queued.add(open);
                open = null;
            }
            queuedBytes = 0;
            wakeWriter = claimWriter();
        } finally {
            lock.unlock();
        }
        if (first) {
            // before the caller fails the waiters: whoever sees a failed append sees the log offline
            failed.complete(cause);
        }
        if (wakeWriter) {
            wake.run(); // so that an idle writer sees the failure and stops
        }
        return queued;
    }

    /** Completes (on the failing thread) with the failure that first took the queue offline. */
    CompletableFuture<StoreException> whenFailed() {
        return failed;
    }

    /** Refuses later appends; the writer drains what is queued and stops. */
    void close() {
        boolean wakeWriter;
        lock.lock();
        try {
            closing = true;
            wakeWriter = claimWriter();
        } finally {
            lock.unlock();
        }
        if (wakeWriter) {
            wake.run();
        }
    }

    long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    StoreException failure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }
}
