package io.imago.client.extension.producer;

import io.imago.Message;
import io.imago.client.MetaClientConfig;
import io.imago.client.producer.AbstractPartitionSelector;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.util.List;

/**
 * The selector of an ordered producer (MetaQ's {@code OrderedMessagePartitionSelector}): it chooses
 * among every configured partition of the topic ({@link MetaClientConfig#getPartitionsInfo()}),
 * available or not, so that messages with the same key always go to the same partition; the choice
 * must be one of them.
 */
public abstract class OrderedMessagePartitionSelector extends AbstractPartitionSelector {

    @Override
    public final Partition getPartition0(String topic, List<Partition> partitions, Message message)
            throws MetaClientException {
        Partition chosen = choosePartition(topic, partitions, message);
        if (chosen == null || !partitions.contains(chosen)) {
            throw new MetaClientException("Partition " + chosen + " chosen for topic " + topic
                    + " is not one of its configured partitions " + partitions);
        }
        return chosen;
    }

    /** Chooses among {@code partitions} (the configured ones, not empty), typically by a key of the message. */
    protected abstract Partition choosePartition(String topic, List<Partition> partitions, Message message)
            throws MetaClientException;
}
