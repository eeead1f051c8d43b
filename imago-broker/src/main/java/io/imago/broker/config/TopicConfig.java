package io.imago.broker.config;

import io.imago.store.PartitionDirectories;
import io.imago.store.TopicPartition;
import io.imago.store.retention.RetentionPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The effective configuration of one topic: the values of the {@code [topic=...]} section that accepted
 * it, and the {@code [system]} value for every key that section leaves absent or blank (spec section
 * 5.3). Produced by {@link BrokerConfig#resolve(String)}. Immutable and thread-safe.
 *
 * @param topic the topic name asked for (for a wildcard section, the concrete name, not the pattern)
 * @param sectionName the name of the section that accepted it, e.g. {@code orders} or {@code t*};
 *     {@code *} for a standalone broker, which accepts any topic
 * @param numPartitions partitions of this topic on this broker, at least 1
 * @param unflushThreshold {@code <= 0}: group commit; {@code N > 0}: fsync after N unflushed messages
 * @param unflushIntervalMs with a positive threshold, the longest time between fsyncs
 * @param dataPath the directory holding this topic's {@code <topic>-<partition>} directories
 * @param deletePolicy retention of sealed segments
 * @param deleteWhen the Quartz cron expression of retention runs (validated)
 * @param acceptsPublish puts are accepted (false: 403) and the topic is listed under topics-pub
 * @param acceptsSubscribe the topic is listed under topics-sub
 * @param collectsStats realtime statistics are collected for this topic
 * @param consumerFilters consumer group to server-side filter class name, from {@code group.<g>=} keys
 */
public record TopicConfig(
        String topic,
        String sectionName,
        int numPartitions,
        int unflushThreshold,
        int unflushIntervalMs,
        Path dataPath,
        RetentionPolicy deletePolicy,
        String deleteWhen,
        boolean acceptsPublish,
        boolean acceptsSubscribe,
        boolean collectsStats,
        Map<String, String> consumerFilters) {

    public TopicConfig {
        Objects.requireNonNull(topic);
        Objects.requireNonNull(sectionName);
        Objects.requireNonNull(dataPath);
        Objects.requireNonNull(deletePolicy);
        Objects.requireNonNull(deleteWhen);
        consumerFilters = Collections.unmodifiableMap(new LinkedHashMap<>(consumerFilters));
    }

    /** A put is acknowledged only after its bytes are fsynced ({@code unflushThreshold <= 0}). */
    public boolean isGroupCommit() {
        return unflushThreshold <= 0;
    }

    /**
     * The directory of one partition: {@code <dataPath>/<topic>-<partition>}, checked to be inside the
     * data path ({@link PartitionDirectories}).
     */
    public Path partitionDirectory(int partition) throws IOException {
        return PartitionDirectories.resolve(dataPath, new TopicPartition(topic, partition));
    }
}
