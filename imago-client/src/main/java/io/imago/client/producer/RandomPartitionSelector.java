package io.imago.client.producer;

import io.imago.Message;
import io.imago.cluster.Partition;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Chooses a partition uniformly at random for each message. Thread-safe. */
public class RandomPartitionSelector extends AbstractPartitionSelector {

    @Override
    public Partition getPartition0(String topic, List<Partition> partitions, Message message) {
        return partitions.get(ThreadLocalRandom.current().nextInt(partitions.size()));
    }

    /** Any partition will do: a message whose broker cannot be reached may go to another broker's. */
    @Override
    public boolean allowsFailover() {
        return true;
    }
}
