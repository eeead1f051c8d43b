package io.imago.broker.zk;

import java.util.Objects;

/**
 * One topic as a broker announces it in ZooKeeper (spec section 4.1): its partition count and
 * whether producers ({@code topics-pub}) and consumers ({@code topics-sub}) are told about it.
 * The legacy {@code topics/} node is written whatever the flags say. Immutable and thread-safe.
 *
 * <p>MetaQ's registration is a count, {@code numParts}, so a partition that went offline (a failed
 * write or fsync) can be hidden from producers only with every partition above it:
 * {@code publishedPartitions} is the count written under {@code topics-pub}, the partitions below the
 * lowest offline one; at 0 the {@code topics-pub} node is removed. {@code topics-sub} and the legacy
 * node keep {@code numPartitions}, so consumers keep their assignment.
 *
 * @param topic the topic name, a single znode name (no {@code /}); wildcard section names such as
 *     {@code t*} are legal, as in the original
 * @param numPartitions the topic's partition count on this broker, at least 1
 * @param acceptPublish whether the topic is published under {@code topics-pub}
 * @param acceptSubscribe whether the topic is published under {@code topics-sub}
 * @param publishedPartitions the partition count producers are told, 0 to {@code numPartitions}
 */
public record TopicRegistration(
        String topic, int numPartitions, boolean acceptPublish, boolean acceptSubscribe, int publishedPartitions) {

    public TopicRegistration {
        Objects.requireNonNull(topic, "topic");
        if (topic.isEmpty() || topic.contains("/") || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("topic must be a single ZooKeeper node name, was '" + topic + "'");
        }
        if (numPartitions < 1) {
            throw new IllegalArgumentException(
                    "numPartitions of topic " + topic + " must be >= 1, was " + numPartitions);
        }
        if (publishedPartitions < 0 || publishedPartitions > numPartitions) {
            throw new IllegalArgumentException("publishedPartitions of topic " + topic + " must be in [0, "
                    + numPartitions + "], was " + publishedPartitions);
        }
    }

    /** A topic whose partitions are all online: producers are told all of them. */
    public TopicRegistration(String topic, int numPartitions, boolean acceptPublish, boolean acceptSubscribe) {
        this(topic, numPartitions, acceptPublish, acceptSubscribe, numPartitions);
    }

    /** Whether a {@code topics-pub} node is written: publishing is accepted and some partition is online. */
    public boolean publishes() {
        return acceptPublish && publishedPartitions > 0;
    }
}
