package io.imago.client;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Creates producers, consumers and browsers that share one connection per broker and one view of the
 * cluster (ZooKeeper, or a fixed {@code serverUrl} in direct mode), as MetaQ's
 * {@code MessageSessionFactory}. Thread-safe. {@link #shutdown()} stops everything it created.
 */
public interface MessageSessionFactory {

    /** A producer with the round-robin selector. */
    MessageProducer createProducer();

    MessageProducer createProducer(PartitionSelector partitionSelector);

    /**
     * A consumer of {@code config}'s group whose positions are kept in ZooKeeper (in direct mode: in a
     * {@link LocalOffsetStorage} at its default place). The consumer closes that storage at shutdown.
     */
    MessageConsumer createConsumer(ConsumerConfig config) throws MetaClientException;

    /** A consumer whose positions are kept in {@code offsetStorage} (closed by the caller, not the consumer). */
    MessageConsumer createConsumer(ConsumerConfig config, OffsetStorage offsetStorage) throws MetaClientException;

    /**
     * A broadcast consumer: its group becomes {@code <group>-<local IP with '.' and ':' replaced by '-'>},
     * so that every host gets every message; positions in a {@link LocalOffsetStorage} at its default place.
     */
    MessageConsumer createBroadcastConsumer(ConsumerConfig config) throws MetaClientException;

    /** A broadcast consumer whose positions are kept in {@code offsetStorage} (closed by the caller). */
    MessageConsumer createBroadcastConsumer(ConsumerConfig config, OffsetStorage offsetStorage)
            throws MetaClientException;

    /** A browser over the whole topic with 1 MiB fetches and a 5 s timeout. */
    TopicBrowser createTopicBrowser(String topic);

    TopicBrowser createTopicBrowser(String topic, int maxSize, long timeout, TimeUnit timeUnit);

    /** {@code stats} of every connected broker, by broker address (unreachable brokers are left out). */
    Map<InetSocketAddress, StatsResult> getStats() throws InterruptedException;

    /** {@code stats <item>} of every connected broker, by broker address. */
    Map<InetSocketAddress, StatsResult> getStats(String item) throws InterruptedException;

    /** The {@code stats} summary of one broker, asked over this factory's connection to it. */
    StatsResult getStats(InetSocketAddress target) throws MetaClientException, InterruptedException;

    /** One {@code stats} item of one broker ({@code ""} for the summary, or a topic name). */
    StatsResult getStats(InetSocketAddress target, String item) throws MetaClientException, InterruptedException;

    /** The partitions a producer would choose from for {@code topic} (publishing it if needed). */
    List<Partition> getPartitionsForTopic(String topic);

    /** Shuts down every producer and browser, closes the connections and ZooKeeper. Idempotent. */
    void shutdown() throws MetaClientException;
}
