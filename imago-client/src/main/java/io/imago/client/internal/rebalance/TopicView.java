package io.imago.client.internal.rebalance;

import java.util.List;

/**
 * What one rebalance round saw of a subscribed topic: the group's consumers of it and the topic's
 * partitions, both sorted as strings (so {@code 0-10} comes before {@code 0-2}), and the brokers'
 * registrations under {@code topics-sub} (e.g. {@code 0-m}, {@code 1-s1}), sorted. Immutable.
 *
 * @param consumers ids of the consumers of the group that subscribe to the topic
 * @param partitions distinct {@code <brokerId>-<p>} of every broker with a master or slave registration
 * @param registrations the children of {@code topics-sub/<topic>}
 */
record TopicView(List<String> consumers, List<String> partitions, List<String> registrations) {
    TopicView {
        consumers = List.copyOf(consumers);
        partitions = List.copyOf(partitions);
        registrations = List.copyOf(registrations);
    }

    /** Whether the strategy would share the topic the same way as in {@code other}. */
    boolean sharesLike(TopicView other) {
        return other != null && consumers.equals(other.consumers) && partitions.equals(other.partitions);
    }
}
