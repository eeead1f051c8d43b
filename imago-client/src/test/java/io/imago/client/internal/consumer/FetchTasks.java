package io.imago.client.internal.consumer;

import io.imago.Message;
import io.imago.client.consumer.MessageListener;
import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.internal.rebalance.PartitionAssignment;
import io.imago.cluster.Partition;
import java.util.concurrent.Executor;

/** Fetch tasks for the unit tests of this package: partition {@code t/0-0}, 64 KiB fetches, a listener that ignores. */
final class FetchTasks {
    private FetchTasks() {}

    /** A task of {@code t/0-0} whose position and fetch offset are {@code offset}. */
    static FetchTask at(long offset) {
        Partition p = new Partition(0, 0);
        TopicPartitionRegInfo position = new TopicPartitionRegInfo("t", p, offset);
        MessageListener listener = new MessageListener() {
            @Override
            public void receiveMessages(Message message) {}

            @Override
            public Executor getExecutor() {
                return null;
            }
        };
        return new FetchTask(
                new PartitionAssignment("t", p, position),
                new Subscription("t", 64 * 1024, listener, null),
                new FetchState(position, 64 * 1024, 1 << 20, 5, 100),
                MessageIdCache.DEFAULT_CAPACITY);
    }
}
