package io.imago.store;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * A buffer of whole records bound for one segment, with the futures waiting for them. Appenders
 * fill it under the append lock ({@link AppendQueue}); then the writer thread owns it until it hands
 * it back for reuse. Pooled chunks are direct buffers of {@code writeBufferBytes}; a record larger
 * than that gets an unpooled heap chunk of its own. Not thread-safe: one owner at a time.
 */
final class WriteChunk {
    private final ByteBuffer buffer;
    private final boolean pooled;
    private final ArrayList<CompletableFuture<Long>> singleFutures = new ArrayList<>();
    private long[] singleOffsets = new long[64];
    private final ArrayList<CompletableFuture<long[]>> batchFutures = new ArrayList<>();
    private final ArrayList<long[]> batchOffsets = new ArrayList<>();
    /** For each batch, how many single futures were added before it: where it goes in offset order. */
    private int[] batchPositions = new int[8];

    private long segmentStart;
    private long baseOffset;
    private boolean rollAfter;
    private int messageCount;

    private WriteChunk(ByteBuffer buffer, boolean pooled) {
        this.buffer = buffer;
        this.pooled = pooled;
    }

    static WriteChunk pooled(int capacity) {
        return new WriteChunk(ByteBuffer.allocateDirect(capacity), true);
    }

    static WriteChunk oversized(int capacity) {
        return new WriteChunk(ByteBuffer.allocate(capacity), false);
    }

    /** Readies an empty chunk for records starting at {@code baseOffset} of segment {@code segmentStart}. */
    void reset(long segmentStart, long baseOffset) {
        buffer.clear();
        singleFutures.clear();
        batchFutures.clear();
        batchOffsets.clear();
        this.segmentStart = segmentStart;
        this.baseOffset = baseOffset;
        this.rollAfter = false;
        this.messageCount = 0;
    }

    boolean isPooled() {
        return pooled;
    }

    boolean fits(int bytes) {
        return buffer.remaining() >= bytes;
    }

    boolean isEmpty() {
        return messageCount == 0;
    }

    ByteBuffer buffer() {
        return buffer;
    }

    /** Bytes of records in the chunk (before {@link #flipForWrite()}). */
    int filledBytes() {
        return buffer.position();
    }

    long segmentStart() {
        return segmentStart;
    }

    long baseOffset() {
        return baseOffset;
    }

    boolean rollAfter() {
        return rollAfter;
    }

    void markRollAfter() {
        rollAfter = true;
    }

    int messageCount() {
        return messageCount;
    }

    void addSingle(CompletableFuture<Long> future, long offset) {
        if (singleFutures.size() == singleOffsets.length) {
            singleOffsets = Arrays.copyOf(singleOffsets, singleOffsets.length * 2);
        }
        singleOffsets[singleFutures.size()] = offset;
        singleFutures.add(future);
        messageCount++;
    }

    void addBatch(CompletableFuture<long[]> future, long[] offsets) {
        if (batchFutures.size() == batchPositions.length) {
            batchPositions = Arrays.copyOf(batchPositions, batchPositions.length * 2);
        }
        batchPositions[batchFutures.size()] = singleFutures.size();
        batchFutures.add(future);
        batchOffsets.add(offsets);
        messageCount += offsets.length;
    }

    /** Flips the buffer for the writer and returns it. */
    ByteBuffer flipForWrite() {
        buffer.flip();
        return buffer;
    }

    /**
     * Completes every future with its offsets, in offset order (the order the appends were added,
     * singles and batches interleaved). A future whose completion throws is failed with what it threw,
     * and the others are completed all the same.
     *
     * @return the first throwable a completion threw, or null
     */
    Throwable completeAll() {
        Throwable first = null;
        int batch = 0;
        for (int i = 0; i < singleFutures.size(); i++) {
            for (; batch < batchFutures.size() && batchPositions[batch] <= i; batch++) {
                first = complete(batchFutures.get(batch), batchOffsets.get(batch), first);
            }
            first = complete(singleFutures.get(i), singleOffsets[i], first);
        }
        for (; batch < batchFutures.size(); batch++) {
            first = complete(batchFutures.get(batch), batchOffsets.get(batch), first);
        }
        return first;
    }

    /**
     * Fails every future with {@code cause}; one that throws does not stop the others. Safe from another
     * thread than the owner's once no append adds to the chunk (the queue refuses appends).
     *
     * @return how many futures this call failed (those not completed before)
     */
    int failAll(Throwable cause) {
        int failed = 0;
        for (int i = 0; i < singleFutures.size(); i++) {
            failed += fail(singleFutures.get(i), cause) ? 1 : 0;
        }
        for (int i = 0; i < batchFutures.size(); i++) {
            failed += fail(batchFutures.get(i), cause) ? 1 : 0;
        }
        return failed;
    }

    // catches everything on purpose: a completion runs callers' code, and every other future must still be answered
    private static <T> Throwable complete(CompletableFuture<T> future, T value, Throwable first) {
        try {
            future.complete(value);
            return first;
        } catch (Throwable t) {
            fail(future, t);
            return first == null ? t : first;
        }
    }

    private static boolean fail(CompletableFuture<?> future, Throwable cause) {
        try {
            return future.completeExceptionally(cause);
        } catch (Throwable t) {
            // nothing more can be done for this future; the caller's failure is what is reported
            cause.addSuppressed(t);
            return false;
        }
    }
}
