package io.imago.broker.zk;

import java.nio.charset.StandardCharsets;

/**
 * The znodes one MetaQ master broker writes, their paths and their data (spec section 4.1, checked
 * against the tree the original broker leaves, {@code metaq-zk-tree.md}):
 *
 * <pre>
 * {root}/brokers/ids/{id}                          persistent "meta://host:port" ("" once the master
 *                                                             leaves while slaves remain)
 * {root}/brokers/ids/{id}/master                   ephemeral  "meta://host:port"
 * {root}/brokers/ids/{id}/master_config_checksum   ephemeral  "3558773251" (decimal CRC32 of server.ini)
 * {root}/brokers/topics/{topic}/{id}-m             ephemeral  "2" (numPartitions; for pre-1.4.3 clients)
 * {root}/brokers/topics-pub/{topic}/{id}-m         ephemeral  {"numParts":2,"broker":"0-m"}  if acceptPublish
 * {root}/brokers/topics-sub/{topic}/{id}-m         ephemeral  {"numParts":2,"broker":"0-m"}  if acceptSubscribe
 * </pre>
 *
 * All data are UTF-8 strings. Parents that the broker creates are persistent with no data
 * ({@code null}), as the original's zkclient leaves them. The topic JSON holds exactly the two fields
 * above: the original client's Jackson 1.x mapper rejects any other field. Slaves ({@code slave<N>},
 * {@code <id>-s<N>}) come with a later issue and change only {@link #roleNode()} and
 * {@link #registrationName()}. Immutable and thread-safe.
 */
final class BrokerZnodeDescriptor {
    static final String MASTER_NODE = "master";
    static final String CONFIG_CHECKSUM_NODE = "master_config_checksum";
    static final String MASTER_SUFFIX = "-m";

    private final String brokersPath;
    private final BrokerIdentity identity;

    BrokerZnodeDescriptor(String root, BrokerIdentity identity) {
        this.brokersPath = ("/".equals(root) ? "" : root) + "/brokers";
        this.identity = identity;
    }

    /** {@code {root}/brokers/ids}: every child is a broker id. */
    String idsPath() {
        return brokersPath + "/ids";
    }

    /** {@code {root}/brokers/ids/{id}}: persistent, the address for pre-1.4 clients. */
    String idPath() {
        return idsPath() + "/" + identity.brokerId();
    }

    /** The name of this broker's role node under its id node. */
    String roleNode() {
        return MASTER_NODE;
    }

    /** {@code {root}/brokers/ids/{id}/master}: ephemeral, the address; the lock on the broker id. */
    String rolePath() {
        return idPath() + "/" + roleNode();
    }

    /** {@code {root}/brokers/ids/{id}/master_config_checksum}: ephemeral, the config checksum. */
    String checksumPath() {
        return idPath() + "/" + CONFIG_CHECKSUM_NODE;
    }

    /** This broker's node name under each topic: {@code <id>-m}. */
    String registrationName() {
        return identity.brokerId() + MASTER_SUFFIX;
    }

    /** {@code {root}/brokers/topics/{topic}/{id}-m}: ephemeral, numPartitions in decimal. */
    String legacyTopicPath(String topic) {
        return brokersPath + "/topics/" + topic + "/" + registrationName();
    }

    /** {@code {root}/brokers/topics-pub/{topic}/{id}-m}: ephemeral, the topic JSON. */
    String publishTopicPath(String topic) {
        return brokersPath + "/topics-pub/" + topic + "/" + registrationName();
    }

    /** {@code {root}/brokers/topics-sub/{topic}/{id}-m}: ephemeral, the topic JSON. */
    String subscribeTopicPath(String topic) {
        return brokersPath + "/topics-sub/" + topic + "/" + registrationName();
    }

    /** The data of the id node and the role node: {@code meta://host:port}. */
    byte[] addressData() {
        return utf8(identity.uri());
    }

    /** The data of the legacy topic node: the partition count in decimal. */
    byte[] legacyTopicData(TopicRegistration topic) {
        return utf8(Integer.toString(topic.numPartitions()));
    }

    /** The data of the topics-pub and topics-sub nodes: {@code {"numParts":N,"broker":"<id>-m"}}. */
    byte[] topicJson(TopicRegistration topic) {
        return utf8("{\"numParts\":" + topic.numPartitions() + ",\"broker\":\"" + registrationName() + "\"}");
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
