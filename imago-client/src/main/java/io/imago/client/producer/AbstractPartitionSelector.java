package io.imago.client.producer;

import io.imago.Message;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.util.List;

/**
 * Base of the partition selectors, as MetaQ's: refuses an empty partition list with the original's
 * message, and lets subclasses choose among a non-empty one.
 */
public abstract class AbstractPartitionSelector implements PartitionSelector {

    @Override
    public final Partition getPartition(String topic, List<Partition> partitions, Message message)
            throws MetaClientException {
        if (partitions == null || partitions.isEmpty()) {
            throw new MetaClientException(
                    "There is no aviable partition for topic " + topic + ", maybe you don't publish it at first?");
        }
        return getPartition0(topic, partitions, message);
    }

    /** Chooses among {@code partitions}, which is not empty. */
    public abstract Partition getPartition0(String topic, List<Partition> partitions, Message message)
            throws MetaClientException;
}
