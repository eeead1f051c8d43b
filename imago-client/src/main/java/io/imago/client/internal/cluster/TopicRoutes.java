package io.imago.client.internal.cluster;

import java.util.Set;

/**
 * The producer's view of the cluster: which brokers and partitions publish a topic. Implemented over
 * ZooKeeper ({@link ProducerZooKeeper}) and for direct mode ({@link DirectTopicRoutes}).
 * Implementations are thread-safe.
 */
public interface TopicRoutes extends AutoCloseable {

    /** Starts following {@code topic}; returns once its brokers are known. Publishing twice is a no-op. */
    void publish(String topic);

    /** The topic whose brokers are used for a topic nobody publishes (MetaQ's default topic). */
    void setDefaultTopic(String topic);

    /** The brokers of {@code topic} now, or of the default topic when none publishes it. */
    TopicBrokers route(String topic);

    /** Every broker URL known for the published topics. */
    Set<String> brokerUrls();

    @Override
    void close();
}
