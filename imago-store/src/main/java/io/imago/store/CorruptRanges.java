package io.imago.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The corrupt ranges one partition knows of (from recovery and from {@link PartitionLog#verify()}), in
 * offset order, and what they mean for a read: a read that starts inside one fails, a read that starts
 * before one stops at it. Ranges below the log's first offset are dropped once retention removed their
 * segment.
 *
 * <p>Thread-safe: copy-on-write; reads are lock-free, changes are serialized on this object.
 */
final class CorruptRanges {
    private final String partition;
    private volatile CorruptRange[] ranges;

    CorruptRanges(String partition, List<CorruptRange> initial) {
        this.partition = partition;
        this.ranges = sorted(initial);
    }

    /**
     * Where a read starting at {@code offset} must stop: the start of the first corrupt range after it,
     * or {@code Long.MAX_VALUE}.
     *
     * @throws CorruptRecordException if {@code offset} lies inside a corrupt range
     */
    long readLimit(long offset) {
        for (CorruptRange range : ranges) {
            if (range.contains(offset)) {
                throw new CorruptRecordException(partition, offset, range);
            }
            if (range.startOffset() > offset) {
                return range.startOffset();
            }
        }
        return Long.MAX_VALUE;
    }

    /** Adds the ranges not known yet; returns those, in offset order. */
    synchronized List<CorruptRange> add(List<CorruptRange> found) {
        List<CorruptRange> all = new ArrayList<>(Arrays.asList(ranges));
        List<CorruptRange> added = new ArrayList<>();
        for (CorruptRange range : found) {
            if (!all.contains(range)) {
                all.add(range);
                added.add(range);
            }
        }
        if (!added.isEmpty()) {
            ranges = sorted(all);
            added.sort(null);
        }
        return added;
    }

    /** Forgets the ranges that end at or below {@code minOffset} (their segment is gone). */
    synchronized void dropBelow(long minOffset) {
        ranges = Arrays.stream(ranges).filter(r -> r.endOffset() > minOffset).toArray(CorruptRange[]::new);
    }

    /** The ranges known now, in offset order. */
    List<CorruptRange> list() {
        return List.of(ranges);
    }

    private static CorruptRange[] sorted(List<CorruptRange> ranges) {
        CorruptRange[] array = ranges.toArray(new CorruptRange[0]);
        Arrays.sort(array);
        return array;
    }
}
