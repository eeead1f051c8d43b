package io.imago.client;

import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.storage.LocalOffsetStorage;
import io.imago.client.consumer.storage.OffsetStorage;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.PartitionSelector;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Creates producers, consumers and browsers that share one connection per broker and one view of the
 * cluster (ZooKeeper, or a fixed {@code serverUrl} in direct mode), as MetaQ's
 * {@code MessageSessionFactory}. Thread-safe. {@link #shutdown()} stops everything it created.
 */
public interface MessageSessionFactory extends Shutdownable {

    /** A producer with the round-robin selector. */
    MessageProducer createProducer();

    MessageProducer createProducer(PartitionSelector partitionSelector);

    /**
     * MetaQ's deprecated variant: the flag is accepted and ignored. Every Imago producer keeps the order of
     * one thread's sends to one partition; for order across partition outages use the ordered factory.
     */
    @Deprecated
    default MessageProducer createProducer(boolean ordered) {
        return createProducer();
    }

    /** MetaQ's deprecated variant; see {@link #createProducer(boolean)}. */
    @Deprecated
    default MessageProducer createProducer(PartitionSelector partitionSelector, boolean ordered) {
        return createProducer(partitionSelector);
    }

    /**
     * A consumer of {@code config}'s group whose positions are kept in ZooKeeper (in direct mode: in a
     * {@link LocalOffsetStorage} at its default place). The consumer closes that storage at shutdown.
     *
     * @throws IllegalArgumentException when the configuration is invalid (as MetaQ's
     *     {@code InvalidConsumerConfigException}), e.g. a group name against the naming rule
     */
    MessageConsumer createConsumer(ConsumerConfig config);

    /** A consumer whose positions are kept in {@code offsetStorage} (closed by the caller, not the consumer). */
    MessageConsumer createConsumer(ConsumerConfig config, OffsetStorage offsetStorage);

    /**
     * A broadcast consumer: its group becomes {@code <group>-<local IP with '.' and ':' replaced by '-'>},
     * so that every host gets every message; positions in a {@link LocalOffsetStorage} at its default place.
     */
    MessageConsumer createBroadcastConsumer(ConsumerConfig config);

    /** A broadcast consumer whose positions are kept in {@code offsetStorage} (closed by the caller). */
    MessageConsumer createBroadcastConsumer(ConsumerConfig config, OffsetStorage offsetStorage);

    /** A browser over the whole topic with 1 MiB fetches and a 5 s timeout. */
    TopicBrowser createTopicBrowser(String topic);

    TopicBrowser createTopicBrowser(String topic, int maxSize, long timeout, TimeUnit timeUnit);

    /** {@code stats} of every connected broker, by broker address (unreachable brokers are left out). */
    Map<InetSocketAddress, StatsResult> getStats() throws InterruptedException;

    /** {@code stats <item>} of every connected broker, by broker address. */
    Map<InetSocketAddress, StatsResult> getStats(String item) throws InterruptedException;

    /** The {@code stats} summary of one broker, asked over this factory's connection to it. */
    StatsResult getStats(InetSocketAddress target) throws InterruptedException;

    /** One {@code stats} item of one broker ({@code ""} for the summary, or a topic name). */
    StatsResult getStats(InetSocketAddress target, String item) throws InterruptedException;

    /** The partitions a producer would choose from for {@code topic} (publishing it if needed). */
    List<Partition> getPartitionsForTopic(String topic);

    /** Shuts down every producer and browser, closes the connections and ZooKeeper. Idempotent. */
    @Override
    void shutdown() throws MetaClientException;
}
