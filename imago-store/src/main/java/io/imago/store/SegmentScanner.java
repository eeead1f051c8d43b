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
 * is detected.
 *
 * <p>Cost. Following the record chain reads and checks each byte once. Resynchronising after a
 * corrupt record tries every byte position as a candidate record start, so it is kept to bounded work
 * per position: a candidate whose header claims a payload over {@code maxPayloadBytes} (the broker's
 * {@code maxMessageSize}: no put can store more), or a record past the limit, or an all-zero header,
 * is dropped on its header alone; the headers of the whole confirming chain are checked so before any
 * CRC; and no CRC then runs over more than {@code maxPayloadBytes} per record. The chain itself trusts
 * any length that fits the segment, so a valid record larger than {@code maxPayloadBytes} (written
 * before the limit was lowered) is never cut or reported, only not used as a resync point.
 *
 * <p>Not thread-safe; one scan at a time.
 */
final class SegmentScanner {
    private static final int WINDOW_BYTES = 1 << 20;

    private final StorageFile file;
    private final long limit;
    private final int maxPayloadBytes;
    private final ReadThrottle throttle;
    /** The sequential reads: the record chain, and the headers of successive resync candidates. */
    private final Window scan = new Window();
    /** Reads ahead of a resync candidate, so that {@link #scan} stays where the candidates are. */
    private final Window probe = new Window();

    private final CRC32 crc = new CRC32();
    /** Valid records met on the record chain so far (not those of resync look-aheads). */
    private long validRecords;

    /**
     * Scans {@code file} positions {@code [0, limitBytes)}.
     *
     * @param maxPayloadBytes the largest payload a resync candidate may claim
     */
    SegmentScanner(StorageFile file, long limitBytes, int maxPayloadBytes) {
        this(file, limitBytes, maxPayloadBytes, ReadThrottle.NONE);
    }

    /**
     * Scans {@code file} positions {@code [0, limitBytes)}, pacing its reads with {@code throttle} (a
     * background scrub).
     *
     * @param maxPayloadBytes the largest payload a resync candidate may claim
     */
    SegmentScanner(StorageFile file, long limitBytes, int maxPayloadBytes, ReadThrottle throttle) {
        this.file = file;
        this.limit = limitBytes;
        this.maxPayloadBytes = maxPayloadBytes;
        this.throttle = throttle;
    }

    /** Start of the first invalid record at or after {@code from}, or the limit if all are valid. */
    long validChainEnd(long from) throws IOException {
        long position = from;
        while (position < limit) {
            int length = validRecordLength(position, Integer.MAX_VALUE, scan);
            if (length < 0) {
                return position;
            }
            validRecords++;
            position += length;
        }
        return position;
    }

    /**
     * The end of the last non-zero byte in {@code [from, limit)}, or {@code from} if every byte there is
     * zero: what follows the records of an active segment is zero fill ({@link Preallocation}), and
     * only the bytes up to this end are garbage (a torn write). Reads backwards from the limit, so a
     * long zero tail costs one read per window and garbage stops the search at once.
     */
    long nonZeroEnd(long from) throws IOException {
        long end = limit;
        while (end > from) {
            int n = (int) Math.min(WINDOW_BYTES, end - from);
            int at = probe.load(end - n, n);
            for (int i = at + n - 1; i >= at; i--) {
                if (probe.bytes.get(i) != 0) {
                    return end - n + (i - at) + 1;
                }
            }
            end -= n;
        }
        return from;
    }

    /** The number of valid records the record chain went through so far ({@link #validChainEnd}). */
    long validRecords() {
        return validRecords;
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

    /**
     * The first position at or after {@code from} where a confirmed chain of valid records starts, or
     * the limit: {@link LogDescriptor#RESYNC_CONFIRM_RECORDS} records back to back, or fewer ending
     * exactly at the limit, none claiming more than {@code maxPayloadBytes}.
     */
    long resync(long from) throws IOException {
        for (long candidate = from; candidate + RecordDescriptor.HEADER_LENGTH <= limit; candidate++) {
            if (plausibleRecordLength(candidate, maxPayloadBytes, scan) >= 0
                    && walkChain(candidate, false)
                    && walkChain(candidate, true)) {
                return candidate;
            }
        }
        return limit;
    }

    /** Walks the confirming chain from {@code candidate}, checking headers only or also checksums. */
    private boolean walkChain(long candidate, boolean checksums) throws IOException {
        long position = candidate;
        for (int i = 0; i < LogDescriptor.RESYNC_CONFIRM_RECORDS && position < limit; i++) {
            int length = checksums
                    ? validRecordLength(position, maxPayloadBytes, probe)
                    : plausibleRecordLength(position, maxPayloadBytes, probe);
            if (length < 0) {
                return false;
            }
            position += length;
        }
        return true;
    }

    /**
     * Total length of the record whose header is at {@code position} if the header alone is sane: the
     * payload is at most {@code maxPayload} and ends inside the limit, the header is not all zero.
     * Reads the header only; -1 if it is not sane.
     */
    private int plausibleRecordLength(long position, int maxPayload, Window window) throws IOException {
        if (position + RecordDescriptor.HEADER_LENGTH > limit) {
            return -1;
        }
        ByteBuffer bytes = window.bytes;
        int at = window.load(position, RecordDescriptor.HEADER_LENGTH);
        int payloadLength = RecordDescriptor.payloadLength(bytes, at);
        if (payloadLength < 0
                || payloadLength > maxPayload
                || position + RecordDescriptor.HEADER_LENGTH + payloadLength > limit) {
            return -1;
        }
        if (payloadLength == 0
                && RecordDescriptor.storedChecksum(bytes, at) == 0
                && RecordDescriptor.messageId(bytes, at) == 0
                && RecordDescriptor.flag(bytes, at) == 0) {
            return -1;
        }
        return RecordDescriptor.HEADER_LENGTH + payloadLength;
    }

    /** Total length of the valid record at {@code position} (sane header, checksum matches), or -1. */
    private int validRecordLength(long position, int maxPayload, Window window) throws IOException {
        int length = plausibleRecordLength(position, maxPayload, window);
        if (length < 0) {
            return -1;
        }
        int checksum =
                RecordDescriptor.storedChecksum(window.bytes, window.load(position, RecordDescriptor.HEADER_LENGTH));
        if (payloadChecksum(position + RecordDescriptor.HEADER_LENGTH, length - RecordDescriptor.HEADER_LENGTH, window)
                != checksum) {
            return -1;
        }
        return length;
    }

    private int payloadChecksum(long start, int length, Window window) throws IOException {
        crc.reset();
        long position = start;
        long end = start + length;
        while (position < end) {
            int n = (int) Math.min(WINDOW_BYTES, end - position);
            int at = window.load(position, n);
            crc.update(window.bytes.slice(at, n));
            position += n;
        }
        return RecordDescriptor.checksum(crc);
    }

    /** A buffer holding {@code [start, start + length)} of the file, reloaded when a read falls outside. */
    private final class Window {
        private final ByteBuffer bytes = ByteBuffer.allocate(WINDOW_BYTES);
        private long start;
        private int length;

        /** Makes {@code [position, position + count)} readable in {@link #bytes}; returns its index there. */
        int load(long position, int count) throws IOException {
            if (position >= start && position + count <= start + length) {
                return (int) (position - start);
            }
            bytes.clear();
            int wanted = (int) Math.min(WINDOW_BYTES, limit - position);
            bytes.limit(wanted);
            while (bytes.hasRemaining()) {
                int n = file.read(bytes, position + bytes.position());
                if (n < 0) {
                    throw new IOException("segment " + file.path() + " ends before " + (position + wanted));
                }
            }
            start = position;
            length = wanted;
            throttle.acquire(wanted);
            return 0;
        }
    }
}
