package io.imago.client.internal.cluster;

import io.imago.cluster.Partition;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a topic can be published at one moment: its partitions sorted by (broker id, partition) and
 * the URL of each broker holding some. A snapshot: immutable; a change in ZooKeeper produces a new one.
 *
 * @param partitions sorted, without duplicates; empty when no broker publishes the topic
 * @param brokerUrls broker id to {@code meta://host:port}
 */
public record TopicBrokers(String topic, List<Partition> partitions, Map<Integer, String> brokerUrls) {

    /** Copies the collections. */
    public TopicBrokers {
        partitions = List.copyOf(partitions);
        brokerUrls = Map.copyOf(brokerUrls);
    }

    /** A topic nobody publishes. */
    public static TopicBrokers none(String topic) {
        return new TopicBrokers(topic, List.of(), Map.of());
    }

    /** The URL of the broker holding {@code partition}, empty when it is not (or no longer) known. */
    public Optional<String> url(Partition partition) {
        return Optional.ofNullable(brokerUrls.get(partition.getBrokerId()));
    }

    /** The partitions held by other brokers than {@code brokerId}. */
    public List<Partition> partitionsNotOn(int brokerId) {
        return partitions.stream().filter(p -> p.getBrokerId() != brokerId).toList();
    }
}
