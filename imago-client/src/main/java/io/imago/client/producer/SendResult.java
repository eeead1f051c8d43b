package io.imago.client.producer;

import io.imago.cluster.Partition;

/**
 * The outcome of a send: success with the partition and the byte offset the message starts at (-1
 * inside a transaction), or failure with the broker's or the client's error message. Immutable.
 */
public final class SendResult {
    private final boolean success;
    private final Partition partition;
    private final long offset;
    private final String errorMessage;

    public SendResult(boolean success, Partition partition, long offset, String errorMessage) {
        this.success = success;
        this.partition = partition;
        this.offset = offset;
        this.errorMessage = errorMessage;
    }

    public boolean isSuccess() {
        return success;
    }

    public Partition getPartition() {
        return partition;
    }

    public long getOffset() {
        return offset;
    }

    /** The error text (the broker's reply body, or {@code "403"} for a closed partition), null on success. */
    public String getErrorMessage() {
        return errorMessage;
    }

    @Override
    public String toString() {
        return success
                ? "SendResult[ok, partition=" + partition + ", offset=" + offset + "]"
                : "SendResult[failed, partition=" + partition + ", error=" + errorMessage + "]";
    }
}
