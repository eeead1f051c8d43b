package io.imago.store;

import io.imago.store.fs.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment file {@code %020d.meta}: the records of partition offsets
 * {@code [startOffset, startOffset + size)}.
 *
 * <p>Two sizes: {@code writtenBytes} is what the writer thread has written (only it touches the
 * field), {@code visibleBytes} what readers may see (acknowledged), published by the writer. A
 * sealed segment no longer changes. The open file is reference-counted: the log holds one reference
 * until it drops the segment (close or retention), each {@link LogRegion} one more; the file is closed
 * when the count reaches zero, so an unlinked segment stays readable until its last region is released.
 * Thread-safe as described.
 */
final class Segment {
    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);

    private final long startOffset;
    private final StorageFile file;
    private final AtomicInteger references = new AtomicInteger(1);
    private long writtenBytes;
    private volatile long visibleBytes;
    /** The zero fill ahead of the writer, from its first write; set by the writer thread only. */
    private volatile Preallocation preallocation;

    Segment(long startOffset, StorageFile file, long sizeBytes) {
        this.startOffset = startOffset;
        this.file = file;
        this.writtenBytes = sizeBytes;
        this.visibleBytes = sizeBytes;
    }

    long startOffset() {
        return startOffset;
    }

    StorageFile file() {
        return file;
    }

    Path path() {
        return file.path();
    }

    /** Bytes written by the writer; writer thread (or recovery) only. */
    long writtenBytes() {
        return writtenBytes;
    }

    void addWrittenBytes(long bytes) {
        writtenBytes += bytes;
    }

    /** Acknowledged bytes, readable by any thread. */
    long visibleBytes() {
        return visibleBytes;
    }

    /** Makes everything written so far visible; writer thread only, after its acknowledgement. */
    void publishWritten() {
        visibleBytes = writtenBytes;
    }

    /**
     * Writes {@code sources} ({@code bytes} in all) at the end of the written bytes and counts them;
     * writer thread only. From the first write on, the file is zero-filled ahead of the writer in the
     * background, up to {@code maxStepBytes} at a time ({@link Preallocation}; 0 = never) and never
     * beyond {@code limitBytes}.
     */
    void append(ByteBuffer[] sources, long bytes, long maxStepBytes, long limitBytes, Executor filler)
            throws IOException {
        if (preallocation == null) {
            preallocation = new Preallocation(file, writtenBytes, maxStepBytes, limitBytes, filler);
        }
        preallocation.write(sources, writtenBytes, bytes);
        writtenBytes += bytes;
        preallocation.written(writtenBytes);
    }

    /** The fill ahead of the writer, or null before the first {@link #append}; for tests. */
    Preallocation preallocation() {
        return preallocation;
    }

    /**
     * Stops the zero fill and truncates the file to the written bytes (a roll, a clean close); the
     * caller fsyncs. Writer thread only, or once the writer has ended.
     *
     * @return the bytes of zero fill cut off
     */
    long trimToWritten() throws IOException {
        if (preallocation != null) {
            preallocation.stop();
        }
        long extra = file.size() - writtenBytes;
        if (extra > 0) {
            file.truncate(writtenBytes);
        }
        return Math.max(0, extra);
    }

    /** Takes a reference unless the file is already closed. */
    boolean tryRetain() {
        while (true) {
            int current = references.get();
            if (current <= 0) {
                return false;
            }
            if (references.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference; the last one closes the file. */
    void release() {
        int left = references.decrementAndGet();
        if (left == 0) {
            Preallocation fill = preallocation;
            if (fill != null) {
                fill.stop(); // a log that failed or gave up did not trim: its fill ends with the file
            }
            try {
                file.close();
            } catch (IOException e) {
                // Nothing is lost: the bytes were fsynced or the partition already failed.
                LOG.warn("Closing segment {} failed", file.path(), e);
            }
        } else if (left < 0) {
            throw new IllegalStateException("segment " + file.path() + " released more often than retained");
        }
    }

    @Override
    public String toString() {
        return file.path().getFileName().toString();
    }
}
