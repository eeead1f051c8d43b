package io.imago.client.consumer;

import io.imago.client.internal.rebalance.ConsistentHashStrategy;
import io.imago.client.internal.rebalance.DefaultLoadBalanceStrategy;
import java.util.List;

/**
 * Decides which partitions of a topic one consumer of a group takes (spec section 4.4, step 3).
 * Every consumer of the group runs the same strategy over the same sorted lists, so the group agrees
 * without talking; the result must therefore depend only on the arguments. Implementations are
 * stateless and thread-safe.
 */
public interface LoadBalanceStrategy {
    /** The strategies a {@link ConsumerConfig} can name (MetaQ's {@code LoadBalanceStrategy.Type}). */
    enum Type {
        /** Each consumer takes a contiguous, near-equal share of the sorted partitions. */
        DEFAULT,
        /** Consistent hashing of consumers and partitions: fewer moves when the group changes. */
        CONSIST
    }

    /**
     * The partitions of a topic that one consumer of the group owns.
     *
     * @param consumerId the consumer asking
     * @param consumers the group's consumers of the topic, sorted as strings, containing {@code consumerId}
     * @param partitions the topic's partitions ({@code <brokerId>-<p>}), distinct, sorted as strings
     * @return the partitions {@code consumerId} owns, in the order of {@code partitions}
     */
    List<String> partitionsFor(String consumerId, List<String> consumers, List<String> partitions);

    /** The strategy named by {@link ConsumerConfig#getLoadBalanceStrategyType()}. */
    static LoadBalanceStrategy of(Type type) {
        return switch (type) {
            case DEFAULT -> new DefaultLoadBalanceStrategy();
            case CONSIST -> new ConsistentHashStrategy();
        };
    }
}
