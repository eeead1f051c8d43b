package io.imago.store;

/**
 * A region of the partition whose records failed their length or checksum check:
 * {@code [startOffset, endOffset)} in partition offsets, inside one segment. {@code endOffset} is where
 * a valid record chain resumes, or the segment's end if none does. Immutable.
 *
 * @param startOffset first bad byte (the start of the first record that failed)
 * @param endOffset   first byte after the bad region (exclusive)
 */
public record CorruptRange(long startOffset, long endOffset) implements Comparable<CorruptRange> {

    public CorruptRange {
        if (startOffset < 0 || endOffset <= startOffset) {
            throw new IllegalArgumentException("bad corrupt range [" + startOffset + ", " + endOffset + ")");
        }
    }

    public long lengthBytes() {
        return endOffset - startOffset;
    }

    public boolean contains(long offset) {
        return offset >= startOffset && offset < endOffset;
    }

    @Override
    public int compareTo(CorruptRange other) {
        return Long.compare(startOffset, other.startOffset);
    }

    @Override
    public String toString() {
        return "[" + startOffset + ", " + endOffset + ")";
    }
}
