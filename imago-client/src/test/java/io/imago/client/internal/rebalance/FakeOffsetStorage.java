package io.imago.client.internal.rebalance;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.consumer.storage.OffsetStorage;
import io.imago.cluster.Partition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An in-memory offset storage shared by the consumers of a test (the map plays the database). Each
 * consumer gets its own view ({@link #forConsumer}) so that a commit can be checked against the
 * committer's ownership at that moment. Thread-safe.
 */
final class FakeOffsetStorage {
    private final Map<String, Long> offsets = new ConcurrentHashMap<>();
    private final List<String> initialized = new CopyOnWriteArrayList<>();
    private final List<String> commits = new CopyOnWriteArrayList<>();

    static String key(String topic, Partition partition) {
        return topic + "/" + partition;
    }

    void put(String topic, Partition partition, long offset) {
        offsets.put(key(topic, partition), offset);
    }

    Long offset(String topic, Partition partition) {
        return offsets.get(key(topic, partition));
    }

    List<String> initialized() {
        return List.copyOf(initialized);
    }

    /** Every committed position, as {@code <consumerId> topic/partition@offset}, in commit order. */
    List<String> commits() {
        return List.copyOf(commits);
    }

    /**
     * The storage as consumer {@code consumerId} uses it; {@code beforeCommit} sees each committed
     * position before it is stored (the ownership check of the tests).
     */
    OffsetStorage forConsumer(String consumerId, Consumer<TopicPartitionRegInfo> beforeCommit) {
        return new OffsetStorage() {
            @Override
            public void commitOffset(String group, Collection<TopicPartitionRegInfo> infos) {
                for (TopicPartitionRegInfo info : new ArrayList<>(infos)) {
                    beforeCommit.accept(info);
                    offsets.put(key(info.getTopic(), info.getPartition()), info.getOffset());
                    commits.add(consumerId + " " + key(info.getTopic(), info.getPartition()) + "@" + info.getOffset());
                }
            }

            @Override
            public TopicPartitionRegInfo load(String topic, String group, Partition partition) {
                Long offset = offsets.get(key(topic, partition));
                return offset == null ? null : new TopicPartitionRegInfo(topic, partition, offset);
            }

            @Override
            public void initOffset(String topic, String group, Partition partition, long offset) {
                initialized.add(key(topic, partition) + "@" + offset);
                offsets.putIfAbsent(key(topic, partition), offset);
            }

            @Override
            public void close() {}
        };
    }
}
