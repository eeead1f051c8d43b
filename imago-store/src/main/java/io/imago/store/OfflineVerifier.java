package io.imago.store;

import io.imago.store.fs.StorageFile;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Checks every record of one partition directory with the broker stopped ({@code bin/imago verify}):
 * the same scanner as recovery and the scrub ({@link SegmentScanner}), over every segment, the active
 * one included. In the last segment, a failing record at or above the checkpoint's acknowledged end is
 * a torn tail (recovery truncates it at the next open), reported apart from corruption, and zeros
 * after it are the fill ahead of the writer left by a crash (reported apart again); with no
 * checkpoint the whole last segment counts as a possible torn tail, as for recovery. Reads only: no
 * file is created, changed or truncated. Stateless; thread-safe.
 */
public final class OfflineVerifier {
    /**
     * What one partition directory holds.
     *
     * @param segments      segment files checked
     * @param bytes         their total size, without the zero tail
     * @param records       valid records found
     * @param corruptRanges corrupt ranges, in offset order
     * @param tornTailBytes bytes at the end of the last segment that recovery would truncate as a torn
     *                      tail (garbage up to its last non-zero byte)
     * @param zeroTailBytes zeros after the last record (and torn tail) of the last segment: the fill
     *                      ahead of the writer left by a crash ({@link Preallocation}), which recovery
     *                      trims; never data
     */
    public record Result(
            int segments,
            long bytes,
            long records,
            List<CorruptRange> corruptRanges,
            long tornTailBytes,
            long zeroTailBytes) {
        public Result {
            corruptRanges = List.copyOf(corruptRanges);
        }

        public boolean isCorrupt() {
            return !corruptRanges.isEmpty();
        }
    }

    /** Told after each segment is checked, for progress output. */
    @FunctionalInterface
    public interface Progress {
        /**
         * Called once {@code segment} is checked.
         *
         * @param segment   the segment file just checked
         * @param doneBytes bytes of the partition checked so far
         * @param allBytes  bytes of the partition
         */
        void segmentChecked(Path segment, long doneBytes, long allBytes);
    }

    private final StorageIo io;
    private final int maxMessageBytes;

    /**
     * @param maxMessageBytes the broker's {@code maxMessageSize}: bounds the work of a resync, as in
     *                        recovery
     */
    public OfflineVerifier(StorageIo io, int maxMessageBytes) {
        this.io = io;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The segment files of {@code partitionDir} by start offset. */
    public NavigableMap<Long, Path> segmentFiles(Path partitionDir) throws IOException {
        TreeMap<Long, Path> files = new TreeMap<>();
        for (Path file : io.list(partitionDir)) {
            Optional<Long> start =
                    LogDescriptor.parseSegmentFileName(file.getFileName().toString());
            start.ifPresent(s -> files.put(s, file));
        }
        return files;
    }

    /** Checks every record of every segment of {@code partitionDir}. */
    public Result verify(Path partitionDir, Progress progress) throws IOException {
        NavigableMap<Long, Path> files = segmentFiles(partitionDir);
        if (files.isEmpty()) {
            return new Result(0, 0, 0, List.of(), 0, 0);
        }
        long all = 0;
        for (Path file : files.values()) {
            all += Files.size(file);
        }
        Optional<RecoveryPoint> point = RecoveryPoint.read(io, partitionDir);
        long lastStart = files.lastKey();
        long done = 0;
        long records = 0;
        long torn = 0;
        long zeros = 0;
        List<CorruptRange> corrupt = new ArrayList<>();
        for (Map.Entry<Long, Path> entry : files.entrySet()) {
            long start = entry.getKey();
            StorageFile file = io.open(entry.getValue());
            try {
                long size = file.size();
                if (start == lastStart) {
                    long acknowledged = point.map(p -> Math.min(p.acknowledgedEndOffset(), start + size) - start)
                            .orElse(0L);
                    long at = Math.max(0, acknowledged);
                    if (at > 0) {
                        SegmentScanner below = new SegmentScanner(file, at, maxMessageBytes);
                        corrupt.addAll(below.corruptRanges(0, start));
                        records += below.validRecords();
                    }
                    SegmentScanner tail = new SegmentScanner(file, size, maxMessageBytes);
                    long chainEnd = tail.validChainEnd(at);
                    records += tail.validRecords();
                    long garbageEnd = tail.nonZeroEnd(chainEnd);
                    torn = garbageEnd - chainEnd;
                    zeros = size - garbageEnd;
                } else {
                    SegmentScanner scanner = new SegmentScanner(file, size, maxMessageBytes);
                    corrupt.addAll(scanner.corruptRanges(0, start));
                    records += scanner.validRecords();
                }
                done += size;
            } finally {
                file.close();
            }
            progress.segmentChecked(entry.getValue(), done, all);
        }
        return new Result(files.size(), all - zeros, records, corrupt, torn, zeros);
    }
}
