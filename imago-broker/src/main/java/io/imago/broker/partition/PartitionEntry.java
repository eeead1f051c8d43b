package io.imago.broker.partition;

import io.imago.broker.config.TopicConfig;
import io.imago.store.PartitionLog;
import io.imago.store.TopicPartition;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * One partition served by this broker: its log, the topic configuration that accepted it (empty for
 * a partition found on disk that no section accepts any more: it is served but takes no puts), and
 * the count of messages appended since the broker started (for {@code stats}). Thread-safe.
 */
public final class PartitionEntry {
    private final TopicPartition topicPartition;
    private final PartitionLog log;
    private final Optional<TopicConfig> topicConfig;
    private final LongAdder appended = new LongAdder();

    PartitionEntry(TopicPartition topicPartition, PartitionLog log, Optional<TopicConfig> topicConfig) {
        this.topicPartition = topicPartition;
        this.log = log;
        this.topicConfig = topicConfig;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public PartitionLog log() {
        return log;
    }

    public Optional<TopicConfig> topicConfig() {
        return topicConfig;
    }

    /** Counts {@code n} messages acknowledged into this partition. */
    public void countAppended(int n) {
        appended.add(n);
    }

    /** Messages acknowledged into this partition since the broker started. */
    public long appendedSinceStart() {
        return appended.sum();
    }
}
