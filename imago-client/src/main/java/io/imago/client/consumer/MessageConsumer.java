package io.imago.client.consumer;

import io.imago.client.Shutdownable;
import io.imago.client.consumer.storage.OffsetStorage;
import io.imago.cluster.Partition;
import io.imago.consumer.ConsumerMessageFilter;
import io.imago.consumer.MessageIterator;
import io.imago.exception.MetaClientException;
import java.util.concurrent.TimeUnit;

/**
 * A consumer of a group, as MetaQ's {@code MessageConsumer}: subscribe to any number of topics, then
 * {@link #completeSubscribe()} once to join the group (ZooKeeper) or, in direct mode, to start reading
 * the configured partition. Messages reach each topic's {@link MessageListener} one at a time; the
 * group's positions advance by the bytes consumed and are committed to the {@link OffsetStorage}
 * periodically, when partitions move to another consumer and at {@link #shutdown()}. Pull
 * consumption with {@link #get} needs no subscription. Thread-safe.
 */
public interface MessageConsumer extends Shutdownable {

    /**
     * Subscribes to {@code topic}, fetching up to {@code maxSize} bytes at a time. Before
     * {@link #completeSubscribe()} only.
     *
     * @throws IllegalArgumentException if the topic name breaks the naming rule ({@code io.imago.protocol.Names})
     */
    MessageConsumer subscribe(String topic, int maxSize, MessageListener listener) throws MetaClientException;

    /** As {@link #subscribe(String, int, MessageListener)}, delivering only the messages {@code filter} accepts. */
    MessageConsumer subscribe(String topic, int maxSize, MessageListener listener, ConsumerMessageFilter filter)
            throws MetaClientException;

    /**
     * Joins the group and starts fetching the subscribed topics.
     *
     * @throws IllegalStateException when called a second time, or after {@link #shutdown()}
     * @throws MetaClientException when nothing was subscribed or the group cannot be joined
     */
    void completeSubscribe() throws MetaClientException;

    /** Pull: the messages from {@code offset} of the partition (10 s timeout), or null when there are none. */
    MessageIterator get(String topic, Partition partition, long offset, int maxSize)
            throws MetaClientException, InterruptedException;

    /**
     * Pull: the messages of one {@code get} from {@code offset}, or null when the broker has none there
     * (404, 403, or a 301 moving the reader elsewhere).
     */
    MessageIterator get(String topic, Partition partition, long offset, int maxSize, long timeout, TimeUnit timeUnit)
            throws MetaClientException, InterruptedException;

    /** Where this consumer's group positions are kept. */
    OffsetStorage getOffsetStorage();

    ConsumerConfig getConsumerConfig();

    /** Stops fetching, waits for the listeners in progress, commits the positions and leaves the group. Idempotent. */
    @Override
    void shutdown() throws MetaClientException;
}
