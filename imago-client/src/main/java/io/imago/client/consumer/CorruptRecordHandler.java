package io.imago.client.consumer;

import io.imago.cluster.Partition;

/**
 * Imago extension: the dead-letter hook for records a consumer had to skip. A record whose checksum
 * (or attribute section) is still wrong after the consumer resynchronised with the broker cannot be
 * turned into a {@link io.imago.Message}, so it cannot go to the recover store; the consumer skips
 * its bytes, logs the range once at WARN, counts it, and hands the range to this handler, on the
 * fetch thread, once per skipped range. Set it with
 * {@link ConsumerConfig#setCorruptRecordHandler(CorruptRecordHandler)}; without one the log line and
 * the counter are the only report. An exception thrown here is logged and does not stop consumption.
 */
@FunctionalInterface
public interface CorruptRecordHandler {
    /**
     * The bytes {@code [startOffset, endOffset)} of {@code topic}'s {@code partition} were skipped.
     *
     * @param reason what was wrong with the record (checksum mismatch, attribute section)
     */
    void skipped(String topic, Partition partition, long startOffset, long endOffset, String reason);
}
