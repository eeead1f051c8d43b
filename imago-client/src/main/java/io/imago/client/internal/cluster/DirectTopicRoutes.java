package io.imago.client.internal.cluster;

import io.imago.cluster.Partition;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Direct mode: one broker given by URL, no ZooKeeper. Every topic has the one partition
 * {@link Partition#RANDOM} ({@code -1--1}), so a put carries partition {@code -1} and the broker
 * picks one. Immutable and thread-safe.
 */
public final class DirectTopicRoutes implements TopicRoutes {
    private final String serverUrl;

    public DirectTopicRoutes(String serverUrl) {
        this.serverUrl = serverUrl;
    }

    @Override
    public void publish(String topic) {
        // nothing to follow: the one broker serves every topic it accepts
    }

    @Override
    public void setDefaultTopic(String topic) {
        // every topic already routes to the one broker
    }

    @Override
    public TopicBrokers route(String topic) {
        return new TopicBrokers(topic, List.of(Partition.RANDOM), Map.of(Partition.RANDOM.getBrokerId(), serverUrl));
    }

    @Override
    public Set<String> brokerUrls() {
        return Set.of(serverUrl);
    }

    @Override
    public void close() {
        // holds no resources
    }
}
