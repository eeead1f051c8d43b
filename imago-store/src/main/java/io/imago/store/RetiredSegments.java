package io.imago.store;

import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segments that retention took out of the log but whose files are not disposed of yet (deleted or
 * archived), oldest first, each marked on disk by an empty file {@code <segment>.retired}
 * ({@link LogDescriptor#RETIRED_SUFFIX}).
 *
 * <p>Invariants: a segment leaves the log only after its marker is durable (created, directory
 * fsynced), so a restart never serves a retired segment again and {@code minOffset} never moves back;
 * segments are disposed of oldest first and disposal stops at the first failure, so the segment files
 * on disk are always a run of marked (retired) ones followed by the live log, contiguous as recovery
 * requires. A failed disposal is kept and retried by the next {@link #disposeAll} (the next retention
 * pass, also after a restart: {@link #adopt} takes the marked segments back at open). A marker whose
 * segment is gone is only a leftover and is deleted at open.
 *
 * <p>Not thread-safe: the log calls it under its retention lock (and at open, before any pass).
 */
final class RetiredSegments {
    private static final Logger LOG = LoggerFactory.getLogger(RetiredSegments.class);

    private final Path dir;
    private final String partition;
    private final StorageIo io;
    private final ArrayDeque<Segment> pending = new ArrayDeque<>();

    RetiredSegments(Path dir, StorageIo io) {
        this.dir = dir;
        this.partition = dir.getFileName().toString();
        this.io = io;
    }

    /**
     * At open: takes the marked segments at the front of {@code recovered} out of it (never the last
     * one), keeps them for disposal and deletes markers of segments that are gone.
     *
     * @return how many leading segments were retired
     */
    int adopt(List<Segment> recovered) throws IOException {
        Set<Path> markers = new HashSet<>();
        for (Path file : io.list(dir)) {
            if (file.getFileName().toString().endsWith(LogDescriptor.RETIRED_SUFFIX)) {
                markers.add(file);
            }
        }
        int retired = 0;
        while (retired + 1 < recovered.size() && markers.remove(markerOf(recovered.get(retired)))) {
            pending.add(recovered.get(retired));
            retired++;
        }
        for (Path marker : markers) {
            deleteMarker(marker);
        }
        if (retired > 0) {
            LOG.warn(
                    "Partition {}: {} segments from {} were retired before the last stop but not yet disposed of;"
                            + " they are not served and the next retention pass disposes of them",
                    partition,
                    retired,
                    pending.peekFirst());
        }
        return retired;
    }

    /**
     * Marks {@code segments} retired on disk, durably. On failure nothing may leave the log (markers
     * already written only make a restart drop expired segments a little earlier).
     */
    void mark(List<Segment> segments) throws IOException {
        for (Segment segment : segments) {
            Path marker = markerOf(segment);
            if (!io.exists(marker)) {
                io.create(marker).close();
            }
        }
        io.syncDirectory(dir);
    }

    /** Takes segments that have left the log; their markers are durable ({@link #mark}). */
    void addAll(List<Segment> segments) {
        pending.addAll(segments);
    }

    /**
     * Disposes of the retired segments, oldest first, and stops at the first failure, which stays
     * retired for the next call.
     *
     * @param disposed receives the paths of the segments disposed of
     * @return the failure that stopped it, or null when none is left
     */
    IOException disposeAll(SegmentRetention retention, List<Path> disposed) {
        while (!pending.isEmpty()) {
            Segment segment = pending.peekFirst();
            try {
                if (io.exists(segment.path())) {
                    retention.dispose(io, segment.path(), segment.file());
                } else {
                    io.syncDirectory(dir); // an earlier try removed it but failed to make that durable
                }
            } catch (IOException e) {
                LOG.warn(
                        "Partition {}: disposing of segment {} failed; it and the {} retired after it stay out of"
                                + " the log (marked {}) and the next retention pass tries again",
                        partition,
                        segment.path(),
                        pending.size() - 1,
                        LogDescriptor.RETIRED_SUFFIX,
                        e);
                return e;
            }
            pending.removeFirst();
            segment.release();
            disposed.add(segment.path());
            deleteMarker(markerOf(segment));
        }
        return null;
    }

    /** Segments waiting to be disposed of. */
    int size() {
        return pending.size();
    }

    /** Drops the hold on the files of the waiting segments (the log closes); they stay marked. */
    void release() {
        List<Segment> left = new ArrayList<>(pending);
        pending.clear();
        left.forEach(Segment::release);
    }

    private static Path markerOf(Segment segment) {
        return segment.path().resolveSibling(segment.path().getFileName() + LogDescriptor.RETIRED_SUFFIX);
    }

    /** A marker left behind only costs a line at the next open, where it is deleted again. */
    private void deleteMarker(Path marker) {
        try {
            if (io.exists(marker)) {
                io.delete(marker);
            }
        } catch (IOException e) {
            LOG.warn("Partition {}: deleting the leftover marker {} failed", partition, marker, e);
        }
    }
}
