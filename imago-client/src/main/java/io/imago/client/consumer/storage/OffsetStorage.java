package io.imago.client.consumer.storage;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.util.Collection;

/**
 * Where a consumer group's positions are kept: ZooKeeper ({@code /meta/consumers/<group>/offsets},
 * readable by the original client), a local file, or a database (JDBC). Implementations must be
 * thread-safe: commits come from the committer thread, loads from rebalancing.
 */
public interface OffsetStorage extends AutoCloseable {

    /** Stores the positions of {@code infos} for {@code group}. */
    void commitOffset(String group, Collection<TopicPartitionRegInfo> infos) throws MetaClientException;

    /** The stored position of the group in the partition, or null when it has none. */
    TopicPartitionRegInfo load(String topic, String group, Partition partition) throws MetaClientException;

    /** Creates the position of a group that consumes the partition for the first time. */
    void initOffset(String topic, String group, Partition partition, long offset) throws MetaClientException;

    @Override
    void close();
}
