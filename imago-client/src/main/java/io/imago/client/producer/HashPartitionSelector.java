package io.imago.client.producer;

import io.imago.Message;
import io.imago.cluster.Partition;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Chooses the partition by the hash of a key taken from the message (by default its attribute), so
 * messages with the same key go to the same partition as long as the topic's partitions do not
 * change. A message without key ({@code null}) counts as the empty key. The hash is
 * {@link String#hashCode()}, the same in every JVM. Thread-safe when the key function is.
 */
public class HashPartitionSelector extends AbstractPartitionSelector {
    private final Function<Message, String> key;

    /** Keys messages by their attribute. */
    public HashPartitionSelector() {
        this(Message::getAttribute);
    }

    public HashPartitionSelector(Function<Message, String> key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    @Override
    public Partition getPartition0(String topic, List<Partition> partitions, Message message) {
        String k = key.apply(message);
        return partitions.get(Math.floorMod(k == null ? 0 : k.hashCode(), partitions.size()));
    }
}
