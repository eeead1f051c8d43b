package io.imago.store;

import java.util.ArrayDeque;

/**
 * The write buffers of the logs of one data directory ({@link LogThreads}): direct buffers of one size,
 * reused, and never more of them in existence than the pool's budget allows, however many partitions
 * the directory holds. An appender that finds the budget spent gets a heap chunk sized to its records
 * instead (the JDK copies it into a temporary direct buffer of the writer thread), so an append never
 * waits for a buffer; the heap chunk is garbage once written. Thread-safe; {@link #acquire} and
 * {@link #release} take a short lock of their own (a leaf: no other lock is taken under it).
 */
final class ChunkPool {
    /** A heap chunk is at least this large, so that a few small appends share one. */
    private static final int MIN_HEAP_CHUNK_BYTES = 4096;

    private final int chunkBytes;
    private final int maxDirectChunks;
    private final ArrayDeque<WriteChunk> free = new ArrayDeque<>();
    private int direct; // guarded by this

    /**
     * @param chunkBytes     the size of each direct chunk
     * @param maxDirectBytes how many bytes of direct chunks may exist at once (at least one chunk)
     */
    ChunkPool(int chunkBytes, long maxDirectBytes) {
        if (chunkBytes <= 0) {
            throw new IllegalArgumentException("chunkBytes must be > 0: " + chunkBytes);
        }
        this.chunkBytes = chunkBytes;
        this.maxDirectChunks = (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxDirectBytes / chunkBytes));
    }

    /**
     * A chunk for at least {@code bytes} bytes of records: a pooled direct one when they fit in one and
     * the budget allows, else a heap chunk of its own.
     */
    WriteChunk acquire(int bytes) {
        if (bytes <= chunkBytes) {
            synchronized (this) {
                WriteChunk reused = free.poll();
                if (reused != null) {
                    return reused;
                }
                if (direct < maxDirectChunks) {
                    direct++;
                    return WriteChunk.pooled(chunkBytes);
                }
            }
            return WriteChunk.oversized(Math.min(chunkBytes, Math.max(bytes, MIN_HEAP_CHUNK_BYTES)));
        }
        return WriteChunk.oversized(bytes);
    }

    /** Takes a written chunk back (a heap chunk is dropped). */
    void release(WriteChunk chunk) {
        if (chunk.isPooled()) {
            synchronized (this) {
                free.push(chunk);
            }
        }
    }

    /** Direct chunks in existence (free or in use); for tests. */
    synchronized int directChunks() {
        return direct;
    }
}
