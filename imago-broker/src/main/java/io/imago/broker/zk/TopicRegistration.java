package io.imago.broker.zk;

import java.util.Objects;

/**
 * One topic as a broker announces it in ZooKeeper (spec section 4.1): its partition count and
 * whether producers ({@code topics-pub}) and consumers ({@code topics-sub}) are told about it.
 * The legacy {@code topics/} node is written whatever the flags say. Immutable and thread-safe.
 *
 * @param topic the topic name, a single znode name (no {@code /}); wildcard section names such as
 *     {@code t*} are legal, as in the original
 * @param numPartitions the topic's partition count on this broker, at least 1
 * @param acceptPublish whether the topic is published under {@code topics-pub}
 * @param acceptSubscribe whether the topic is published under {@code topics-sub}
 */
public record TopicRegistration(String topic, int numPartitions, boolean acceptPublish, boolean acceptSubscribe) {

    public TopicRegistration {
        Objects.requireNonNull(topic, "topic");
        if (topic.isEmpty() || topic.contains("/") || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("topic must be a single ZooKeeper node name, was '" + topic + "'");
        }
        if (numPartitions < 1) {
            throw new IllegalArgumentException(
                    "numPartitions of topic " + topic + " must be >= 1, was " + numPartitions);
        }
    }
}
