package io.imago.store;

import java.util.Locale;
import java.util.Optional;

/**
 * Every name, magic number and limit of a partition directory on disk, in one place.
 *
 * <pre>
 *   &lt;dataPath&gt;/&lt;topic&gt;-&lt;partition&gt;/          one directory per partition ({@link TopicPartition})
 *       00000000000000000000.meta             segment: records (RecordDescriptor) back to back,
 *       00000000000000001048.meta             named by the partition offset of its first byte
 *       00000000000000000000.meta.arc         archived segment (retention "archive")
 *       00000000000000000000.meta.zip         archived and zipped segment (retention "archive,N,true")
 *       00000000000000000000.meta.retired     empty marker: the segment left the log (retention) and is
 *                                             never served again; deleted once the segment is disposed of
 *       recovery-point                        the checkpoint below (ours, not MetaQ's)
 *       recovery-point.tmp                    the next checkpoint while it is being written
 * </pre>
 *
 * The recovery-point file, version 2 (big-endian, rewritten whole through a temporary file and a
 * rename). Version 1, written before the acknowledged end existed, lacks the field at 20 (its count
 * is at 20, its ranges at 24) and is still read: its durable end serves as the acknowledged end.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    magic 0x494D5250 ("IMRP")                  |  0
 *  +---------------------------------------------------------------+
 *  |                         version (2)                           |  4
 *  +---------------------------------------------------------------+
 *  |              flags (bit 0 = clean shutdown)                   |  8
 *  +---------------------------------------------------------------+
 *  |          durable end offset (int64): every byte below it      | 12
 *  +          is fsynced and was CRC-checked or written by us      +
 *  |          (recovery scans from here)                           |
 *  +---------------------------------------------------------------+
 *  |          acknowledged end offset (int64): every byte below it | 20
 *  +          was fsynced and acknowledged (a CRC failure below it +
 *  |          is corruption, kept; above it, a torn tail)          |
 *  +---------------------------------------------------------------+
 *  |                 corrupt range count n (int32)                 | 28
 *  +---------------------------------------------------------------+
 *  |   n times: range start offset (int64), range end offset       | 32
 *  |   (int64, exclusive)                                          |
 *  +---------------------------------------------------------------+
 *  |      CRC32 of every byte before this field (int32)            | 32 + 16n
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * This class is stateless and thread-safe.
 */
public final class LogDescriptor {
    /** Suffix of a segment file. */
    public static final String SEGMENT_SUFFIX = ".meta";
    /** Digits of the zero-padded start offset in a segment name. */
    public static final int SEGMENT_NAME_DIGITS = 20;
    /** Suffix appended to a segment archived by renaming. */
    public static final String ARCHIVE_SUFFIX = ".arc";
    /** Suffix appended to a segment archived by zipping. */
    public static final String ZIP_SUFFIX = ".zip";
    /**
     * Suffix appended to a segment's name for the empty marker of a retired segment: one retention took
     * out of the log whose file is not disposed of yet (see {@code RetiredSegments}).
     */
    public static final String RETIRED_SUFFIX = ".retired";
    /** Name of the per-partition checkpoint file. */
    public static final String RECOVERY_POINT_FILE = "recovery-point";
    /** Name of the checkpoint while it is written, before the rename. */
    public static final String RECOVERY_POINT_TEMP_FILE = "recovery-point.tmp";
    /** Separator between topic and partition in a directory name; parsing uses the last one. */
    public static final char PARTITION_SEPARATOR = '-';

    public static final int CHECKPOINT_MAGIC = 0x494D5250;
    public static final int CHECKPOINT_VERSION = 2;
    /** The version written before the acknowledged end existed; still read. */
    public static final int CHECKPOINT_VERSION_1 = 1;

    public static final int CHECKPOINT_FLAG_CLEAN_SHUTDOWN = 1;
    public static final int CHECKPOINT_MAGIC_OFFSET = 0;
    public static final int CHECKPOINT_VERSION_OFFSET = 4;
    public static final int CHECKPOINT_FLAGS_OFFSET = 8;
    public static final int CHECKPOINT_DURABLE_END_OFFSET = 12;
    public static final int CHECKPOINT_ACKNOWLEDGED_END_OFFSET = 20;
    public static final int CHECKPOINT_RANGE_COUNT_OFFSET = 28;
    public static final int CHECKPOINT_RANGES_OFFSET = 32;
    public static final int CHECKPOINT_V1_RANGE_COUNT_OFFSET = 20;
    public static final int CHECKPOINT_V1_RANGES_OFFSET = 24;
    public static final int CHECKPOINT_RANGE_LENGTH = 16;
    public static final int CHECKPOINT_CRC_LENGTH = 4;
    /** Most corrupt ranges a checkpoint keeps (a partition with more is beyond saving by ranges). */
    public static final int CHECKPOINT_MAX_RANGES = 4096;

    /**
     * Records a resynchronisation must find valid back to back before a scan trusts the record chain
     * again after a corrupt region (one CRC match at a random position is too weak a proof).
     */
    public static final int RESYNC_CONFIRM_RECORDS = 2;

    private LogDescriptor() {}

    /** {@code 00000000000000001048.meta} for start offset 1048. */
    public static String segmentFileName(long startOffset) {
        if (startOffset < 0) {
            throw new IllegalArgumentException("segment start offset must be >= 0: " + startOffset);
        }
        return String.format(Locale.ROOT, "%020d", startOffset) + SEGMENT_SUFFIX;
    }

    /** The start offset named by a segment file name, or empty if the name is not a segment's. */
    public static Optional<Long> parseSegmentFileName(String fileName) {
        if (!fileName.endsWith(SEGMENT_SUFFIX) || fileName.length() != SEGMENT_NAME_DIGITS + SEGMENT_SUFFIX.length()) {
            return Optional.empty();
        }
        long value = 0;
        for (int i = 0; i < SEGMENT_NAME_DIGITS; i++) {
            char c = fileName.charAt(i);
            if (c < '0' || c > '9') {
                return Optional.empty();
            }
            value = value * 10 + (c - '0');
            if (value < 0) {
                return Optional.empty();
            }
        }
        return Optional.of(value);
    }

    /** Size of a checkpoint (the current version) holding {@code rangeCount} corrupt ranges. */
    public static int checkpointLength(int rangeCount) {
        return checkpointRangesOffset(CHECKPOINT_VERSION)
                + rangeCount * CHECKPOINT_RANGE_LENGTH
                + CHECKPOINT_CRC_LENGTH;
    }

    /** Where the corrupt range count lies in a checkpoint of {@code version} (1 or 2). */
    public static int checkpointRangeCountOffset(int version) {
        return version == CHECKPOINT_VERSION_1 ? CHECKPOINT_V1_RANGE_COUNT_OFFSET : CHECKPOINT_RANGE_COUNT_OFFSET;
    }

    /** Where the corrupt ranges start in a checkpoint of {@code version} (1 or 2). */
    public static int checkpointRangesOffset(int version) {
        return version == CHECKPOINT_VERSION_1 ? CHECKPOINT_V1_RANGES_OFFSET : CHECKPOINT_RANGES_OFFSET;
    }
}
