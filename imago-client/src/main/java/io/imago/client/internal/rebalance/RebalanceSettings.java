package io.imago.client.internal.rebalance;

import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.LoadBalanceStrategy;
import io.imago.protocol.zk.ZnodeDescriptor;
import io.imago.utils.ZkUtils.ZKConfig;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link GroupCoordinator} needs to know, fixed when the consumer completes its subscription.
 * Immutable; thread-safe.
 *
 * @param znodes the nodes under the ZooKeeper root
 * @param group the consumer group
 * @param consumerId this consumer's id, {@code <group>_<consumerIdOrUUID>}
 * @param topics the subscribed topics, in subscription order (written in that order in the ids node)
 * @param strategy how partitions are shared
 * @param zkSyncTimeMs the pause between attempts of a failed rebalance; a tenth of it coalesces events
 * @param commitOffsetPeriodMs how often positions are committed; 0 or less: only on rebalance and close
 * @param initialOffset where a partition without a stored position starts
 * @param alwaysFromMaxOffset ignore stored positions and start at their end the partitions claimed in the
 *     first round after start (later claims continue from the stored positions)
 * @param maxListenerTimeMs the longest a listener call may take before the consumer leaves its group
 *     until it returns; 0: no bound
 */
public record RebalanceSettings(
        ZnodeDescriptor znodes,
        String group,
        String consumerId,
        List<String> topics,
        LoadBalanceStrategy strategy,
        long zkSyncTimeMs,
        long commitOffsetPeriodMs,
        long initialOffset,
        boolean alwaysFromMaxOffset,
        long maxListenerTimeMs) {
    /** MetaQ's limit of attempts per rebalance round. */
    public static final int MAX_ATTEMPTS = 7;

    public RebalanceSettings {
        Objects.requireNonNull(znodes, "znodes");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(consumerId, "consumerId");
        Objects.requireNonNull(strategy, "strategy");
        topics = List.copyOf(topics);
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a consumer must subscribe to at least one topic");
        }
        if (zkSyncTimeMs < 0) {
            throw new IllegalArgumentException("zkSyncTimeMs must be >= 0, was " + zkSyncTimeMs);
        }
        if (maxListenerTimeMs < 0) {
            throw new IllegalArgumentException("maxListenerTimeMs must be >= 0, was " + maxListenerTimeMs);
        }
    }

    /** The settings of a consumer configured by {@code config}, its factory's {@code zkConfig} and its topics. */
    public static RebalanceSettings of(
            ConsumerConfig config, ZKConfig zkConfig, String consumerId, List<String> topics) {
        config.validate();
        return new RebalanceSettings(
                new ZnodeDescriptor(zkConfig.zkRoot),
                config.getGroup(),
                consumerId,
                topics,
                LoadBalanceStrategy.of(config.getLoadBalanceStrategyType()),
                zkConfig.zkSyncTimeMs,
                config.getCommitOffsetPeriodInMills(),
                config.getOffset(),
                config.isAlwaysConsumeFromMaxOffset(),
                config.getMaxListenerTimeInMills());
    }

    /** How long watch events are gathered before a rebalance round starts. */
    long coalesceDelayMs() {
        return zkSyncTimeMs / 10;
    }

    /** The data of the ids node: the topics, comma-separated. */
    String topicList() {
        return ZnodeDescriptor.topicList(topics);
    }

    /** This consumer's ephemeral node under the group's ids. */
    String idPath() {
        return znodes.consumerIdPath(group, consumerId);
    }

    /** The owner node of a partition ({@code <brokerId>-<p>}) of a topic in this group. */
    String ownerPath(String topic, String partition) {
        return znodes.ownerPath(group, topic, partition);
    }
}
