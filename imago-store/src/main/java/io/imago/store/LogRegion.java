package io.imago.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A zero-copy view of acknowledged bytes inside one segment: {@code length()} raw bytes starting at
 * partition offset {@code offset()}, which is file position {@code filePosition()} of the segment's
 * file. The last record may be cut (spec section 1.4 {@code get} step 6).
 *
 * <p>A region holds a reference on its segment's open file: retention may unlink the segment while the
 * region is in use, but the file is closed only once every region is released. Call {@link #release()}
 * exactly when done (it is idempotent). Do not hand {@link #fileChannel()} to anything that closes it
 * (Netty's {@code DefaultFileRegion} does on deallocation): wrap the region in a file region whose
 * deallocation calls {@link #release()}. Thread-safe.
 */
public final class LogRegion implements ReadResult {
    private final Segment segment;
    private final long offset;
    private final long filePosition;
    private final int length;
    private final AtomicBoolean released = new AtomicBoolean();

    LogRegion(Segment segment, long offset, int length) {
        this.segment = segment;
        this.offset = offset;
        this.filePosition = offset - segment.startOffset();
        this.length = length;
    }

    /** Partition offset of the first byte. */
    public long offset() {
        return offset;
    }

    /** Bytes in the region, at least 1. */
    public int length() {
        return length;
    }

    /** Position of the first byte in {@link #fileChannel()}. */
    public long filePosition() {
        return filePosition;
    }

    /** Start offset of the segment holding the region. */
    public long segmentStartOffset() {
        return segment.startOffset();
    }

    /** The segment's channel, to read from only; never close it. */
    public FileChannel fileChannel() {
        return segment.file().channel();
    }

    /**
     * Transfers up to {@code count} bytes starting {@code position} bytes into the region.
     *
     * @return bytes transferred, possibly fewer than asked (as {@link FileChannel#transferTo})
     */
    public long transferTo(WritableByteChannel target, long position, long count) throws IOException {
        if (position < 0 || count < 0 || position > length) {
            throw new IllegalArgumentException(
                    "position " + position + ", count " + count + " outside region of " + length + " bytes");
        }
        if (released.get()) {
            throw new IllegalStateException("region already released");
        }
        long n = Math.min(count, length - position);
        return segment.file().transferTo(filePosition + position, n, target);
    }

    /** Gives back the segment reference; idempotent. */
    public void release() {
        if (released.compareAndSet(false, true)) {
            segment.release();
        }
    }

    @Override
    public String toString() {
        return "LogRegion{offset=" + offset + ", length=" + length + ", segment=" + segment.startOffset() + '}';
    }
}
