package io.imago.store;

import io.imago.store.fs.StorageFile;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery of one partition directory at open, as one method that returns what it did:
 * <ol>
 *   <li>open every {@code %020d.meta} segment; sealed (non-last) ones must be contiguous, else
 *       {@link LogRecoveryException} naming the files;</li>
 *   <li>a checkpoint with the clean-shutdown bit whose end matches the files proves a clean stop:
 *       nothing is scanned;</li>
 *   <li>otherwise every record after the checkpoint's durable end (or, without a usable checkpoint,
 *       in the last segment, as MetaQ did) is checked; in a sealed segment a failing region is
 *       recorded as a {@link CorruptRange} and kept; in the last segment so is a failing region
 *       below the checkpoint's acknowledged end (those bytes were fsynced and acknowledged, so a
 *       failure there is corruption, not a torn write), and the tail from the first failing record
 *       at or above it is truncated (a torn write) and the count of bytes returned.</li>
 * </ol>
 * Runs on the opening thread before the writer starts; not thread-safe.
 */
final class LogRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(LogRecovery.class);

    /** The segments to serve and the report of how they were found. */
    /**
     * @param checkpointSaysClean the checkpoint on disk has the clean-shutdown bit (it must be rewritten
     *                            before anything is appended)
     * @param acknowledgedEnd     the acknowledged end recovery trusted (see {@link #acknowledgedEnd})
     */
    record Outcome(List<Segment> segments, RecoveryReport report, boolean checkpointSaysClean, long acknowledgedEnd) {}

    private final Path dir;
    private final StorageIo io;
    private final Clock clock;
    private final String partition;
    private final int maxMessageBytes;

    /** @param maxMessageBytes the largest payload a resynchronisation after corruption resumes at */
    LogRecovery(Path dir, StorageIo io, Clock clock, int maxMessageBytes) {
        this.dir = dir;
        this.io = io;
        this.clock = clock;
        this.partition = dir.getFileName().toString();
        this.maxMessageBytes = maxMessageBytes;
    }

    Outcome recover() throws IOException {
        long startedMs = clock.millis();
        List<Segment> segments = openSegments();
        try {
            checkContiguous(segments);
            Outcome outcome = scan(segments, startedMs);
            logOutcome(outcome.report());
            return outcome;
        } catch (IOException | RuntimeException e) {
            for (Segment segment : segments) {
                segment.release();
            }
            throw e;
        }
    }

    private List<Segment> openSegments() throws IOException {
        TreeMap<Long, Path> files = new TreeMap<>();
        for (Path file : io.list(dir)) {
            String name = file.getFileName().toString();
            Optional<Long> start = LogDescriptor.parseSegmentFileName(name);
            if (start.isPresent()) {
                files.put(start.get(), file);
            } else if (name.endsWith(LogDescriptor.SEGMENT_SUFFIX)) {
                throw new LogRecoveryException("partition " + partition + ": " + file
                        + " is not a segment name (" + LogDescriptor.SEGMENT_NAME_DIGITS + " digits + "
                        + LogDescriptor.SEGMENT_SUFFIX + ")");
            }
        }
        List<Segment> segments = new ArrayList<>();
        try {
            if (files.isEmpty()) {
                Path first = dir.resolve(LogDescriptor.segmentFileName(0));
                segments.add(new Segment(0, io.create(first), 0));
                io.syncDirectory(dir);
            }
            for (var entry : files.entrySet()) {
                StorageFile file = io.open(entry.getValue());
                segments.add(new Segment(entry.getKey(), file, file.size()));
            }
        } catch (IOException | RuntimeException e) {
            segments.forEach(Segment::release);
            throw e;
        }
        return segments;
    }

    private void checkContiguous(List<Segment> segments) {
        for (int i = 0; i + 1 < segments.size(); i++) {
            Segment s = segments.get(i);
            Segment next = segments.get(i + 1);
            if (s.startOffset() + s.writtenBytes() != next.startOffset()) {
                throw new LogRecoveryException("partition " + partition + ": segments are not contiguous: "
                        + s.path() + " starts at " + s.startOffset() + " and holds " + s.writtenBytes()
                        + " bytes, but the next segment " + next.path() + " starts at " + next.startOffset());
            }
        }
    }

    private Outcome scan(List<Segment> segments, long startedMs) throws IOException {
        Segment last = segments.get(segments.size() - 1);
        long min = segments.get(0).startOffset();
        long end = last.startOffset() + last.writtenBytes();
        Optional<RecoveryPoint> point = RecoveryPoint.read(io, dir);
        List<CorruptRange> kept = new ArrayList<>();
        point.ifPresent(p -> p.corruptRanges().stream()
                .filter(r -> r.startOffset() >= min && r.endOffset() <= end)
                .forEach(kept::add));
        if (point.isPresent() && point.get().cleanShutdown() && point.get().durableEndOffset() == end) {
            return new Outcome(
                    segments,
                    new RecoveryReport(true, end, 0, 0, kept, segments.size(), min, end, clock.millis() - startedMs),
                    true,
                    end);
        }
        long from = scanStart(point, segments, end);
        long acknowledged = acknowledgedEnd(point, from, end);
        kept.removeIf(r -> r.endOffset() > from);
        long scanned = 0;
        long truncated = 0;
        for (Segment segment : segments) {
            long segmentEnd = segment.startOffset() + segment.writtenBytes();
            if (segmentEnd <= from && segment != last) {
                continue;
            }
            long at = Math.max(from, segment.startOffset()) - segment.startOffset();
            scanned += segment.writtenBytes() - at;
            SegmentScanner scanner = new SegmentScanner(segment.file(), segment.writtenBytes(), maxMessageBytes);
            if (segment == last) {
                long acknowledgedAt = Math.max(at, acknowledged - segment.startOffset());
                if (acknowledgedAt > at) {
                    kept.addAll(new SegmentScanner(segment.file(), acknowledgedAt, maxMessageBytes)
                            .corruptRanges(at, segment.startOffset()));
                }
                truncated = truncateTornTail(segment, scanner.validChainEnd(acknowledgedAt));
            } else {
                kept.addAll(scanner.corruptRanges(at, segment.startOffset()));
            }
        }
        long newEnd = last.startOffset() + last.writtenBytes();
        kept.sort(null);
        return new Outcome(
                segments,
                new RecoveryReport(
                        false,
                        from,
                        scanned,
                        truncated,
                        kept,
                        segments.size(),
                        min,
                        newEnd,
                        clock.millis() - startedMs),
                point.isPresent() && point.get().cleanShutdown(),
                Math.min(acknowledged, newEnd));
    }

    /** Where the scan starts: the checkpoint's durable end if it lies in the log, else the last segment. */
    private long scanStart(Optional<RecoveryPoint> point, List<Segment> segments, long end) {
        long lastStart = segments.get(segments.size() - 1).startOffset();
        long min = segments.get(0).startOffset();
        if (point.isEmpty()) {
            LOG.debug("Partition {}: no recovery point, checking the last segment from {}", partition, lastStart);
            return lastStart;
        }
        long durable = point.get().durableEndOffset();
        if (durable > end) {
            LOG.warn(
                    "Partition {}: recovery point says bytes up to {} were fsynced but the log ends at {};"
                            + " checking the last segment from {}",
                    partition,
                    durable,
                    end,
                    lastStart);
            return lastStart;
        }
        return Math.max(durable, min);
    }

    /**
     * Below this offset a failing record of the last segment is corruption, kept and reported; from it
     * on, a torn tail. The checkpoint's acknowledged end when the checkpoint is trusted, else the scan
     * start (everything scanned may be a torn tail, as MetaQ had it).
     */
    private long acknowledgedEnd(Optional<RecoveryPoint> point, long from, long end) {
        if (point.isEmpty() || point.get().durableEndOffset() > end) {
            return from;
        }
        long acknowledged = point.get().acknowledgedEndOffset();
        if (acknowledged > end) {
            LOG.warn(
                    "Partition {}: recovery point says bytes up to {} were acknowledged but the log ends at {};"
                            + " acknowledged bytes are missing",
                    partition,
                    acknowledged,
                    end);
            return end;
        }
        return Math.max(acknowledged, from);
    }

    private long truncateTornTail(Segment last, long validBytes) throws IOException {
        long torn = last.writtenBytes() - validBytes;
        if (torn > 0) {
            last.file().truncate(validBytes);
            last.addWrittenBytes(-torn);
            last.publishWritten();
        }
        last.file().force();
        return torn;
    }

    private void logOutcome(RecoveryReport report) {
        if (report.cleanShutdown()) {
            LOG.debug( // the common case at a start with thousands of partitions; the broker logs one line each
                    "Partition {}: clean shutdown, no scan; offsets [{}, {}), {} segments",
                    partition,
                    report.minOffset(),
                    report.maxOffset(),
                    report.segmentCount());
            return;
        }
        if (report.truncatedBytes() > 0) {
            LOG.warn(
                    "Partition {}: truncated a torn tail of {} bytes at offset {}",
                    partition,
                    report.truncatedBytes(),
                    report.maxOffset());
        }
        for (CorruptRange range : report.corruptRanges()) {
            LOG.warn("Partition {}: corrupt records in {} are kept and will fail reads", partition, range);
        }
        LOG.debug( // the broker logs one INFO line per partition with these figures
                "Partition {}: recovered after an unclean stop in {} ms; scanned {} bytes from {},"
                        + " truncated {}; offsets [{}, {}), {} segments",
                partition,
                report.durationMs(),
                report.scannedBytes(),
                report.scanStartOffset(),
                report.truncatedBytes(),
                report.minOffset(),
                report.maxOffset(),
                report.segmentCount());
    }
}
