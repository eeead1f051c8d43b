package io.imago.store.txlog;

import java.util.Objects;

/**
 * Where a committing transaction's batch for one partition will land: at or after {@code startOffset}
 * (a lower bound; the broker takes the partition's end before it appends). Immutable.
 */
public record PartitionStart(String topic, int partition, long startOffset) {

    public PartitionStart {
        Objects.requireNonNull(topic, "topic");
    }
}
