package io.imago.store;

import io.imago.store.fs.StorageFile;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-partition checkpoint ({@link LogDescriptor} draws the file): every byte below
 * {@code durableEndOffset} is fsynced and known good, every byte below {@code acknowledgedEndOffset}
 * was fsynced and acknowledged, whether the last shutdown was clean, and the corrupt ranges known so
 * far. Written whole to a temporary file, fsynced, renamed over the old one,
 * and the directory fsynced, so a reader sees the old or the new checkpoint, never a mix. Immutable.
 *
 * @param cleanShutdown    the log was closed cleanly and {@code durableEndOffset} is its exact end
 * @param durableEndOffset      the known-good, fsynced end (a record boundary): recovery scans from here
 * @param acknowledgedEndOffset the acknowledged end (a record boundary, at least {@code durableEndOffset}):
 *                              a record below it that fails its check is corruption, kept; above it,
 *                              a torn tail
 * @param corruptRanges         corrupt ranges known when written, sorted
 */
record RecoveryPoint(
        boolean cleanShutdown, long durableEndOffset, long acknowledgedEndOffset, List<CorruptRange> corruptRanges) {
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryPoint.class);

    RecoveryPoint {
        corruptRanges = List.copyOf(corruptRanges);
        acknowledgedEndOffset = Math.max(acknowledgedEndOffset, durableEndOffset);
    }

    /** A checkpoint whose acknowledged end is its durable end (as version 1 had it). */
    RecoveryPoint(boolean cleanShutdown, long durableEndOffset, List<CorruptRange> corruptRanges) {
        this(cleanShutdown, durableEndOffset, durableEndOffset, corruptRanges);
    }

    /** Reads the checkpoint of {@code dir}; empty if missing or invalid (an invalid one is logged). */
    static Optional<RecoveryPoint> read(StorageIo io, Path dir) throws IOException {
        Path path = dir.resolve(LogDescriptor.RECOVERY_POINT_FILE);
        if (!io.exists(path)) {
            return Optional.empty();
        }
        ByteBuffer bytes;
        try (StorageFile file = io.open(path)) {
            long size = file.size();
            if (size < LogDescriptor.CHECKPOINT_V1_RANGES_OFFSET + LogDescriptor.CHECKPOINT_CRC_LENGTH
                    || size > LogDescriptor.checkpointLength(LogDescriptor.CHECKPOINT_MAX_RANGES)) {
                LOG.warn("Ignoring recovery point {}: {} bytes is not a valid size", path, size);
                return Optional.empty();
            }
            bytes = ByteBuffer.allocate((int) size);
            while (bytes.hasRemaining()) {
                if (file.read(bytes, bytes.position()) < 0) {
                    break;
                }
            }
        }
        Optional<RecoveryPoint> point = decode(bytes.flip());
        if (point.isEmpty()) {
            LOG.warn("Ignoring recovery point {}: bad magic, version, length or checksum", path);
        }
        return point;
    }

    /** Decodes version 2, or version 1 (whose durable end then serves as the acknowledged end). */
    static Optional<RecoveryPoint> decode(ByteBuffer bytes) {
        int version = bytes.remaining() >= LogDescriptor.CHECKPOINT_V1_RANGES_OFFSET
                ? bytes.getInt(LogDescriptor.CHECKPOINT_VERSION_OFFSET)
                : -1;
        if ((version != LogDescriptor.CHECKPOINT_VERSION && version != LogDescriptor.CHECKPOINT_VERSION_1)
                || bytes.getInt(LogDescriptor.CHECKPOINT_MAGIC_OFFSET) != LogDescriptor.CHECKPOINT_MAGIC) {
            return Optional.empty();
        }
        int rangesAt = LogDescriptor.checkpointRangesOffset(version);
        int n = bytes.remaining() >= rangesAt ? bytes.getInt(LogDescriptor.checkpointRangeCountOffset(version)) : -1;
        if (n < 0
                || n > LogDescriptor.CHECKPOINT_MAX_RANGES
                || bytes.remaining()
                        != rangesAt + n * LogDescriptor.CHECKPOINT_RANGE_LENGTH + LogDescriptor.CHECKPOINT_CRC_LENGTH) {
            return Optional.empty();
        }
        int crcAt = bytes.remaining() - LogDescriptor.CHECKPOINT_CRC_LENGTH;
        if (crcOf(bytes, crcAt) != bytes.getInt(crcAt)) {
            return Optional.empty();
        }
        List<CorruptRange> ranges = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = rangesAt + i * LogDescriptor.CHECKPOINT_RANGE_LENGTH;
            long start = bytes.getLong(at);
            long end = bytes.getLong(at + 8);
            if (start < 0 || end <= start) {
                return Optional.empty();
            }
            ranges.add(new CorruptRange(start, end));
        }
        int flags = bytes.getInt(LogDescriptor.CHECKPOINT_FLAGS_OFFSET);
        long durableEnd = bytes.getLong(LogDescriptor.CHECKPOINT_DURABLE_END_OFFSET);
        long acknowledgedEnd = version == LogDescriptor.CHECKPOINT_VERSION_1
                ? durableEnd
                : bytes.getLong(LogDescriptor.CHECKPOINT_ACKNOWLEDGED_END_OFFSET);
        boolean clean = (flags & LogDescriptor.CHECKPOINT_FLAG_CLEAN_SHUTDOWN) != 0;
        return Optional.of(new RecoveryPoint(clean, durableEnd, acknowledgedEnd, ranges));
    }

    ByteBuffer encode() {
        List<CorruptRange> ranges = corruptRanges.size() > LogDescriptor.CHECKPOINT_MAX_RANGES
                ? corruptRanges.subList(0, LogDescriptor.CHECKPOINT_MAX_RANGES)
                : corruptRanges;
        ByteBuffer bytes = ByteBuffer.allocate(LogDescriptor.checkpointLength(ranges.size()));
        bytes.putInt(LogDescriptor.CHECKPOINT_MAGIC)
                .putInt(LogDescriptor.CHECKPOINT_VERSION)
                .putInt(cleanShutdown ? LogDescriptor.CHECKPOINT_FLAG_CLEAN_SHUTDOWN : 0)
                .putLong(durableEndOffset)
                .putLong(acknowledgedEndOffset)
                .putInt(ranges.size());
        for (CorruptRange range : ranges) {
            bytes.putLong(range.startOffset()).putLong(range.endOffset());
        }
        bytes.putInt(crcOf(bytes, bytes.position()));
        return bytes.flip();
    }

    /** Replaces the checkpoint of {@code dir} with this one, durably. */
    void write(StorageIo io, Path dir) throws IOException {
        Path temp = dir.resolve(LogDescriptor.RECOVERY_POINT_TEMP_FILE);
        if (io.exists(temp)) {
            io.delete(temp);
        }
        try (StorageFile file = io.create(temp)) {
            file.write(encode(), 0);
            file.force();
        }
        io.move(temp, dir.resolve(LogDescriptor.RECOVERY_POINT_FILE));
        io.syncDirectory(dir);
    }

    private static int crcOf(ByteBuffer bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes.duplicate().position(0).limit(length));
        return (int) crc.getValue();
    }
}
