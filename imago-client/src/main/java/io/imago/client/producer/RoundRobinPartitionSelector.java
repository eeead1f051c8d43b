package io.imago.client.producer;

import io.imago.Message;
import io.imago.cluster.Partition;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The default selector: the topic's partitions in turn, whatever the message. Thread-safe. */
public class RoundRobinPartitionSelector extends AbstractPartitionSelector {
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Partition getPartition0(String topic, List<Partition> partitions, Message message) {
        return partitions.get(Math.floorMod(next.getAndIncrement(), partitions.size()));
    }

    /** Any partition will do: a message whose broker cannot be reached may go to another broker's. */
    @Override
    public boolean allowsFailover() {
        return true;
    }
}
