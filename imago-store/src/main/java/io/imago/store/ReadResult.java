package io.imago.store;

/**
 * The answer of {@link PartitionLog#read(long, int)}: a {@link LogRegion} of bytes, or one of two
 * ordinary "no bytes here" answers, so the broker can reply without catching exceptions:
 * <ul>
 *   <li>{@link OffsetBelowMin}: the offset is below the first segment (deleted by retention), answer
 *       {@code 301} with {@link OffsetBelowMin#minOffset()}.</li>
 *   <li>{@link OffsetAtOrAfterMax}: nothing acknowledged at or after the offset yet, answer
 *       {@code 404} (or {@code 301} with {@link OffsetAtOrAfterMax#maxOffset()} when the offset is past
 *       it and the broker's rules say so, spec section 1.4 {@code get} step 5).</li>
 * </ul>
 * Only a {@link LogRegion} holds a resource and must be released.
 */
public sealed interface ReadResult permits LogRegion, ReadResult.OffsetBelowMin, ReadResult.OffsetAtOrAfterMax {

    /** The requested offset is below {@code minOffset}. */
    record OffsetBelowMin(long requestedOffset, long minOffset) implements ReadResult {}

    /** The requested offset is at or after {@code maxOffset} (the end of acknowledged records). */
    record OffsetAtOrAfterMax(long requestedOffset, long maxOffset) implements ReadResult {}
}
