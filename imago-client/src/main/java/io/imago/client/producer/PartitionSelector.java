package io.imago.client.producer;

import io.imago.Message;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.util.List;

/**
 * Chooses the partition of a message among the topic's partitions (sorted by broker id, then
 * partition). Implementations must be thread-safe: producers call them from any sending thread.
 */
public interface PartitionSelector {
    /**
     * The partition {@code message} of {@code topic} goes to.
     *
     * @param partitions the topic's available partitions; empty when none is published
     * @throws MetaClientException when no partition can take the message
     */
    Partition getPartition(String topic, List<Partition> partitions, Message message) throws MetaClientException;
}
