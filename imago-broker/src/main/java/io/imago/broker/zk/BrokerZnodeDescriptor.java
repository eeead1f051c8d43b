package io.imago.broker.zk;

import io.imago.protocol.zk.TopicRegistrationJson;
import io.imago.protocol.zk.ZnodeDescriptor;
import java.nio.charset.StandardCharsets;

/**
 * The znodes one MetaQ master broker writes and their data: the broker's id, role and registration
 * name applied to the layout of {@link ZnodeDescriptor} (spec section 4.1), which draws the tree.
 * A master writes its id node, its role node {@code master}, the config checksum node and, per topic,
 * its registration {@code <id>-m} under {@code topics}, {@code topics-pub} and {@code topics-sub}.
 * Slaves ({@code slave<N>}, {@code <id>-s<N>}) come with a later issue and change only
 * {@link #rolePath()} and {@link #registrationName()}. Immutable and thread-safe.
 */
final class BrokerZnodeDescriptor {
    private final ZnodeDescriptor znodes;
    private final BrokerIdentity identity;

    BrokerZnodeDescriptor(String root, BrokerIdentity identity) {
        this.znodes = new ZnodeDescriptor(root);
        this.identity = identity;
    }

    /** Every child of the ids node is a broker id. */
    String idsPath() {
        return znodes.brokerIdsPath();
    }

    /** The persistent id node: the address for pre-1.4 clients. */
    String idPath() {
        return znodes.brokerIdPath(identity.brokerId());
    }

    /** The ephemeral role node, holding the address: the lock on the broker id. */
    String rolePath() {
        return znodes.masterPath(identity.brokerId());
    }

    /** The ephemeral config checksum node. */
    String checksumPath() {
        return znodes.configChecksumPath(identity.brokerId());
    }

    /** This broker's node name under each topic: {@code <id>-m}. */
    String registrationName() {
        return ZnodeDescriptor.masterRegistration(identity.brokerId());
    }

    /** The ephemeral legacy registration of a topic, holding {@link #legacyTopicData}. */
    String legacyTopicPath(String topic) {
        return znodes.legacyTopicPath(topic, registrationName());
    }

    /** The ephemeral registration of a topic under {@code topics-pub}, holding {@link #publishedTopicJson}. */
    String publishTopicPath(String topic) {
        return znodes.publishedTopicPath(topic, registrationName());
    }

    /** The ephemeral registration of a topic under {@code topics-sub}, holding {@link #topicJson}. */
    String subscribeTopicPath(String topic) {
        return znodes.subscribedTopicPath(topic, registrationName());
    }

    /** The data of the id node and the role node: {@code meta://host:port}. */
    byte[] addressData() {
        return utf8(identity.uri());
    }

    /** The data of the legacy topic node: the partition count in decimal. */
    byte[] legacyTopicData(TopicRegistration topic) {
        return utf8(ZnodeDescriptor.legacyTopicData(topic.numPartitions()));
    }

    /** The data of the topics-sub node: {@code {"numParts":N,"broker":"<id>-m"}}. */
    byte[] topicJson(TopicRegistration topic) {
        return utf8(TopicRegistrationJson.encode(topic.numPartitions(), registrationName()));
    }

    /** The data of the topics-pub node: as {@link #topicJson}, with the partitions producers are told. */
    byte[] publishedTopicJson(TopicRegistration topic) {
        return utf8(TopicRegistrationJson.encode(topic.publishedPartitions(), registrationName()));
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
