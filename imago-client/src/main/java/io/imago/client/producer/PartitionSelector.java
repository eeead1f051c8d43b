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

    /**
     * Whether the producer may move a message this selector placed to a partition of another broker
     * when the chosen partition's broker cannot be reached before anything was sent (the producer then
     * asks this selector again, among the other brokers' partitions). False by default, so that a
     * selector that keeps a key on one partition ({@link HashPartitionSelector}, an ordered selector,
     * most custom ones) is never overruled: the send fails with
     * {@link io.imago.exception.MessageNotSentException} instead. {@link RoundRobinPartitionSelector}
     * and {@link RandomPartitionSelector} promise no particular partition and say true. Imago's
     * addition to MetaQ's API (MetaQ's producer never fails over).
     */
    default boolean allowsFailover() {
        return false;
    }
}
