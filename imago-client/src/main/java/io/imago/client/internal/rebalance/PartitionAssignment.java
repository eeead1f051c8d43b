package io.imago.client.internal.rebalance;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.cluster.Partition;
import java.util.Objects;

/**
 * One partition this consumer owns, as handed to {@link FetchControl}: the topic, the partition and
 * its position. The position object is shared: the fetch loop advances it (only by what may be
 * committed), the coordinator commits it. The same instance is passed to
 * {@link FetchControl#assigned} and later to {@link FetchControl#revoke}. Immutable record (the
 * position itself is thread-safe).
 *
 * @param topic the topic
 * @param partition the partition ({@code <brokerId>-<p>})
 * @param position where to fetch from; loaded from the offset storage when the partition was claimed
 */
public record PartitionAssignment(String topic, Partition partition, TopicPartitionRegInfo position) {
    public PartitionAssignment {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(position, "position");
    }

    @Override
    public String toString() {
        return topic + "/" + partition + "@" + position.getOffset();
    }
}
