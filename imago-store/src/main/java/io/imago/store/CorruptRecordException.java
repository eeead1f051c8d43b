package io.imago.store;

/**
 * A read started inside a range of the log whose records failed their checksum or length check
 * (found by recovery or {@link PartitionLog#verify()}). The range is never truncated; a consumer can
 * skip it by reading from {@link CorruptRange#endOffset()}.
 */
public final class CorruptRecordException extends StoreException {
    private final CorruptRange range;

    public CorruptRecordException(String partition, long requestedOffset, CorruptRange range) {
        super("partition " + partition + ": offset " + requestedOffset + " lies in corrupt range " + range, null);
        this.range = range;
    }

    public CorruptRange range() {
        return range;
    }
}
