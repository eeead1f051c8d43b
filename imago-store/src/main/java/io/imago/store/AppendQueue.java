package io.imago.store;

import io.imago.protocol.RecordDescriptor;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The append side of a partition: appenders copy their records into {@link WriteChunk}s under the
 * append lock, which also assigns offsets and decides where segments roll; the writer thread takes
 * whole chunks out. No I/O happens under the lock, so an fsync in progress never stops appends from
 * queueing.
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
        STOP
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final int chunkBytes;
    private final int poolLimit;
    private final long maxSegmentBytes;
    private final String partition;
    private final ArrayDeque<WriteChunk> ready = new ArrayDeque<>();
    private final ArrayDeque<WriteChunk> free = new ArrayDeque<>();
    private WriteChunk open;
    private long nextOffset;
    private long activeSegmentStart;
    private long queuedBytes;
    private boolean writerWaiting;
    private boolean flushRequested;
    private boolean closing;
    private StoreException failure;
    /** Completed with {@code failure} when it is first set, outside the lock. */
    private final CompletableFuture<StoreException> failed = new CompletableFuture<>();

    AppendQueue(LogConfig config, String partition, long nextOffset, long activeSegmentStart) {
        this.chunkBytes = config.writeBufferBytes();
        this.poolLimit = Math.max(2, config.groupCommitMaxBytes() / config.writeBufferBytes() + 2);
        this.maxSegmentBytes = config.maxSegmentBytes();
        this.partition = partition;
        this.nextOffset = nextOffset;
        this.activeSegmentStart = activeSegmentStart;
    }

    CompletableFuture<Long> append(long messageId, int flag, ByteBuffer payload, int checksum) {
        int recordBytes = RecordDescriptor.recordLength(payload.remaining());
        lock.lock();
        try {
            StoreException refusal = refusal();
            if (refusal != null) {
                return CompletableFuture.failedFuture(refusal);
            }
            WriteChunk chunk = chunkFor(recordBytes);
            CompletableFuture<Long> future = new CompletableFuture<>();
            chunk.addSingle(future, nextOffset);
            put(chunk, messageId, flag, payload, checksum);
            afterAppend(recordBytes);
            return future;
        } finally {
            lock.unlock();
        }
    }

    CompletableFuture<long[]> appendBatch(List<Record> records, int[] checksums, int totalBytes) {
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
            CompletableFuture<long[]> future = new CompletableFuture<>();
            chunk.addBatch(future, offsets);
            afterAppend(totalBytes);
            return future;
        } finally {
            lock.unlock();
        }
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
        WriteChunk chunk;
        if (bytes > chunkBytes) {
            chunk = WriteChunk.oversized(bytes);
        } else {
            chunk = free.isEmpty() ? WriteChunk.pooled(chunkBytes) : free.poll();
        }
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

    /** Advances the offset, closes the chunk at a roll point, and wakes the writer. */
    private void afterAppend(int bytes) {
        nextOffset += bytes;
        queuedBytes += bytes;
        if (nextOffset - activeSegmentStart >= maxSegmentBytes) {
            open.markRollAfter();
            ready.add(open);
            open = null;
            activeSegmentStart = nextOffset;
        }
        if (writerWaiting) {
            writerWaiting = false;
            work.signal();
        }
    }

    /**
     * Waits for work and moves whole chunks (in order, at least one, up to about {@code maxBytes})
     * into {@code out}.
     */
    Take take(List<WriteChunk> out, long maxBytes) throws InterruptedException {
        lock.lock();
        try {
            while (ready.isEmpty() && open == null && !flushRequested && !closing && failure == null) {
                writerWaiting = true;
                work.await();
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
        lock.lock();
        try {
            for (WriteChunk chunk : chunks) {
                if (chunk.isPooled() && free.size() < poolLimit) {
                    free.add(chunk);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Asks the writer for an fsync (threshold mode). */
    void requestFlush() {
        lock.lock();
        try {
            flushRequested = true;
            if (writerWaiting) {
                writerWaiting = false;
                work.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Refuses every later append with {@code cause} and returns the queued chunks (to fail them). */
    List<WriteChunk> fail(StoreException cause) {
        boolean first = false;
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
            work.signalAll();
        } finally {
            lock.unlock();
        }
        if (first) {
            // before the caller fails the waiters: whoever sees a failed append sees the log offline
            failed.complete(cause);
        }
        return queued;
    }

    /** Completes (on the failing thread) with the failure that first took the queue offline. */
    CompletableFuture<StoreException> whenFailed() {
        return failed;
    }

    /** Refuses later appends; the writer drains what is queued and stops. */
    void close() {
        lock.lock();
        try {
            closing = true;
            work.signalAll();
        } finally {
            lock.unlock();
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
