package io.imago.broker.partition;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The partitions of one topic on this broker, by partition number. Thread-safe: reads are
 * lock-free; {@link PartitionRegistry} adds partitions, each once, under its own lock.
 */
public final class TopicLogs {
    private final String topic;
    private final ConcurrentSkipListMap<Integer, PartitionEntry> partitions = new ConcurrentSkipListMap<>();

    TopicLogs(String topic) {
        this.topic = topic;
    }

    public String topic() {
        return topic;
    }

    public Optional<PartitionEntry> partition(int partition) {
        return Optional.ofNullable(partitions.get(partition));
    }

    /** The partition, or null when it is not open: for the put path, which must not allocate. */
    PartitionEntry partitionOrNull(int partition) {
        return partitions.get(partition);
    }

    void put(PartitionEntry entry) {
        partitions.put(entry.topicPartition().partition(), entry);
    }

    /** The partitions, in partition order. */
    public List<PartitionEntry> partitions() {
        return List.copyOf(partitions.values());
    }

    /** Messages appended to the topic since the broker started. */
    public long appendedSinceStart() {
        return partitions.values().stream()
                .mapToLong(PartitionEntry::appendedSinceStart)
                .sum();
    }

    /** Bytes of the topic's logs on disk. */
    public long sizeBytes() {
        return partitions.values().stream().mapToLong(p -> p.log().sizeBytes()).sum();
    }
}
