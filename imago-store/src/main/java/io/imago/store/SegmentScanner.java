package io.imago.store;

import io.imago.protocol.RecordDescriptor;
import io.imago.store.fs.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Checks the records of one segment file up to a limit: sane length (non-negative, inside the limit,
 * not an all-zero header as left by a zero-filled torn page) and the MetaQ checksum. Reads through a
 * window so a scan costs one read per window, not one per record. This is the only place corruption
 * is detected. Not thread-safe; one scan at a time.
 */
final class SegmentScanner {
    private static final int WINDOW_BYTES = 1 << 20;

    private final StorageFile file;
    private final long limit;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);
    private final CRC32 crc = new CRC32();
    private long windowStart;
    private int windowLength;

    /** Scans {@code file} positions {@code [0, limitBytes)}. */
    SegmentScanner(StorageFile file, long limitBytes) {
        this.file = file;
        this.limit = limitBytes;
    }

    /** Start of the first invalid record at or after {@code from}, or the limit if all are valid. */
    long validChainEnd(long from) throws IOException {
        long position = from;
        while (position < limit) {
            int length = validRecordLength(position);
            if (length < 0) {
                return position;
            }
            position += length;
        }
        return position;
    }

    /**
     * Finds the corrupt ranges of a sealed segment from {@code from} to the limit: each starts at a
     * record that fails and ends where a chain of valid records resumes (or at the limit).
     *
     * @param segmentStart the segment's start offset, to express ranges in partition offsets
     */
    List<CorruptRange> corruptRanges(long from, long segmentStart) throws IOException {
        List<CorruptRange> ranges = new ArrayList<>();
        long position = validChainEnd(from);
        while (position < limit) {
            long resume = resync(position + 1);
            ranges.add(new CorruptRange(segmentStart + position, segmentStart + resume));
            position = validChainEnd(resume);
        }
        return ranges;
    }

    /** The first position at or after {@code from} where a confirmed chain of valid records starts. */
    long resync(long from) throws IOException {
        for (long candidate = from; candidate + RecordDescriptor.HEADER_LENGTH <= limit; candidate++) {
            if (chainConfirmed(candidate)) {
                return candidate;
            }
        }
        return limit;
    }

    private boolean chainConfirmed(long candidate) throws IOException {
        long position = candidate;
        for (int i = 0; i < LogDescriptor.RESYNC_CONFIRM_RECORDS && position < limit; i++) {
            int length = validRecordLength(position);
            if (length < 0) {
                return false;
            }
            position += length;
        }
        return true;
    }

    /** Total length of the valid record at {@code position}, or -1 if it is not valid. */
    int validRecordLength(long position) throws IOException {
        if (position + RecordDescriptor.HEADER_LENGTH > limit) {
            return -1;
        }
        int at = load(position, RecordDescriptor.HEADER_LENGTH);
        int payloadLength = RecordDescriptor.payloadLength(window, at);
        int checksum = RecordDescriptor.storedChecksum(window, at);
        long messageId = RecordDescriptor.messageId(window, at);
        int flag = RecordDescriptor.flag(window, at);
        if (payloadLength < 0 || position + RecordDescriptor.HEADER_LENGTH + payloadLength > limit) {
            return -1;
        }
        if (payloadLength == 0 && checksum == 0 && messageId == 0 && flag == 0) {
            return -1;
        }
        if (payloadChecksum(position + RecordDescriptor.HEADER_LENGTH, payloadLength) != checksum) {
            return -1;
        }
        return RecordDescriptor.HEADER_LENGTH + payloadLength;
    }

    private int payloadChecksum(long start, int length) throws IOException {
        crc.reset();
        long position = start;
        long end = start + length;
        while (position < end) {
            int n = (int) Math.min(WINDOW_BYTES, end - position);
            int at = load(position, n);
            crc.update(window.slice(at, n));
            position += n;
        }
        return RecordDescriptor.checksum(crc);
    }

    /** Makes {@code [position, position + length)} readable in the window; returns its window index. */
    private int load(long position, int length) throws IOException {
        if (position >= windowStart && position + length <= windowStart + windowLength) {
            return (int) (position - windowStart);
        }
        window.clear();
        int wanted = (int) Math.min(WINDOW_BYTES, limit - position);
        window.limit(wanted);
        while (window.hasRemaining()) {
            int n = file.read(window, position + window.position());
            if (n < 0) {
                throw new IOException("segment " + file.path() + " ends before " + (position + wanted));
            }
        }
        windowStart = position;
        windowLength = wanted;
        return 0;
    }
}
