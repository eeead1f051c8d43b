package io.imago.protocol.zk;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The ZooKeeper tree MetaQ 1.4.6.2 brokers and clients share (spec section 4, checked against the
 * tree the original leaves, {@code metaq-zk-tree.md}), under a root ({@code zk.zkRoot}, default
 * {@value #DEFAULT_ROOT}; a path prefix, not a chroot):
 *
 * <pre>
 * {root}/brokers/ids/{id}                              persistent "meta://host:port" ("" once the master
 *                                                                 leaves while slaves remain)
 * {root}/brokers/ids/{id}/master                       ephemeral  "meta://host:port"          {@link BrokerUrl}
 * {root}/brokers/ids/{id}/master_config_checksum       ephemeral  "3558773251" (decimal CRC32 of server.ini)
 * {root}/brokers/topics/{topic}/{id}-m                 ephemeral  "2" (numPartitions; pre-1.4.3 clients)
 * {root}/brokers/topics-pub/{topic}/{id}-m | {id}-s{n} ephemeral  {"numParts":2,"broker":"0-m"}  {@link TopicRegistrationJson}
 * {root}/brokers/topics-sub/{topic}/{id}-m | {id}-s{n} ephemeral  {"numParts":2,"broker":"0-m"}
 * {root}/consumers/{group}/ids/{consumerId}            ephemeral  "t1,t2" (the subscribed topics)
 * {root}/consumers/{group}/owners/{topic}/{id}-{p}     ephemeral  the owning consumerId
 * {root}/consumers/{group}/offsets/{topic}/{id}-{p}    persistent "-5468932056614424576-55"  {@link OffsetNodeData}
 * </pre>
 *
 * <ul>
 *   <li>{@code {id}} is a broker id in decimal (clients {@code Integer.parseInt} every child of
 *       {@code ids}); {@code {id}-m} names a master's registration under a topic, {@code {id}-s{n}}
 *       the registration of its slave {@code n}; {@code {id}-{p}} names partition {@code p} of broker
 *       {@code id}.</li>
 *   <li>{@code {consumerId}} is {@code {group}_{consumerIdOrUuid}}.</li>
 *   <li>All data are UTF-8 strings. Parents nobody writes data to are persistent with no data
 *       ({@code null}), as the original's zkclient leaves them.</li>
 * </ul>
 *
 * The root is normalised once: {@code null} or blank means {@value #DEFAULT_ROOT}, surrounding blanks
 * and trailing {@code /} are dropped, a missing leading {@code /} is added, and {@code /} alone means
 * no prefix. Paths only, no ZooKeeper client: immutable and thread-safe.
 */
public final class ZnodeDescriptor {
    /** MetaQ's default {@code zk.zkRoot}. */
    public static final String DEFAULT_ROOT = "/meta";
    /** The role node of a master under its id node. */
    public static final String MASTER_NODE = "master";
    /** The config checksum node of a master under its id node. */
    public static final String CONFIG_CHECKSUM_NODE = "master_config_checksum";
    /** Suffix of a master's registration under a topic: {@code <brokerId>-m}. */
    public static final String MASTER_SUFFIX = "-m";
    /** Infix of a slave's registration under a topic: {@code <brokerId>-s<slaveId>}. */
    public static final String SLAVE_INFIX = "-s";
    /** Separates the group from the configured id or UUID in a consumer id. */
    public static final char CONSUMER_ID_SEPARATOR = '_';
    /** Separates the topics in the data of a consumer's ids node. */
    public static final String TOPIC_LIST_SEPARATOR = ",";

    private final String root;

    /** @param root {@code zk.zkRoot}; normalised as the class comment says */
    public ZnodeDescriptor(String root) {
        this.root = normalize(root);
    }

    /** The prefix of every path: {@code /meta} by default, {@code ""} for the root {@code /}. */
    public String root() {
        return root;
    }

    // ---- brokers -------------------------------------------------------------------------------

    /** {@code {root}/brokers/ids}: one child per broker id. */
    public String brokerIdsPath() {
        return root + "/brokers/ids";
    }

    /** {@code {root}/brokers/ids/{id}}: persistent, the master's address for pre-1.4 clients. */
    public String brokerIdPath(int brokerId) {
        return brokerIdsPath() + "/" + brokerId;
    }

    /** {@code {root}/brokers/ids/{id}/master}: ephemeral, the master's address. */
    public String masterPath(int brokerId) {
        return brokerIdPath(brokerId) + "/" + MASTER_NODE;
    }

    /** {@code {root}/brokers/ids/{id}/master_config_checksum}: ephemeral, the decimal config checksum. */
    public String configChecksumPath(int brokerId) {
        return brokerIdPath(brokerId) + "/" + CONFIG_CHECKSUM_NODE;
    }

    /** {@code {root}/brokers/topics/{topic}/{registration}}: ephemeral, {@link #legacyTopicData}. */
    public String legacyTopicPath(String topic, String registration) {
        return root + "/brokers/topics/" + topic + "/" + registration;
    }

    /** {@code {root}/brokers/topics-pub}: one child per published topic. */
    public String publishedTopicsPath() {
        return root + "/brokers/topics-pub";
    }

    /** {@code {root}/brokers/topics-pub/{topic}}: one child per broker that accepts the topic's messages. */
    public String publishedTopicPath(String topic) {
        return publishedTopicsPath() + "/" + topic;
    }

    /** {@code {root}/brokers/topics-pub/{topic}/{registration}}: ephemeral, {@link TopicRegistrationJson}. */
    public String publishedTopicPath(String topic, String registration) {
        return publishedTopicPath(topic) + "/" + registration;
    }

    /** {@code {root}/brokers/topics-sub}: one child per topic offered to consumers. */
    public String subscribedTopicsPath() {
        return root + "/brokers/topics-sub";
    }

    /** {@code {root}/brokers/topics-sub/{topic}}: one child per broker (master or slave) serving the topic. */
    public String subscribedTopicPath(String topic) {
        return subscribedTopicsPath() + "/" + topic;
    }

    /** {@code {root}/brokers/topics-sub/{topic}/{registration}}: ephemeral, {@link TopicRegistrationJson}. */
    public String subscribedTopicPath(String topic, String registration) {
        return subscribedTopicPath(topic) + "/" + registration;
    }

    // ---- consumers -----------------------------------------------------------------------------

    /** {@code {root}/consumers}: one child per consumer group. */
    public String groupsPath() {
        return root + "/consumers";
    }

    /** {@code {root}/consumers/{group}/ids}: one ephemeral child per live consumer of the group. */
    public String consumerIdsPath(String group) {
        return groupPath(group) + "/ids";
    }

    /** {@code {root}/consumers/{group}/ids/{consumerId}}: ephemeral, {@link #topicList the subscribed topics}. */
    public String consumerIdPath(String group, String consumerId) {
        return consumerIdsPath(group) + "/" + consumerId;
    }

    /** {@code {root}/consumers/{group}/owners}: one child per topic the group owns partitions of. */
    public String ownersPath(String group) {
        return groupPath(group) + "/owners";
    }

    /** {@code {root}/consumers/{group}/owners/{topic}}: one child per owned partition. */
    public String ownersPath(String group, String topic) {
        return ownersPath(group) + "/" + topic;
    }

    /** {@code {root}/consumers/{group}/owners/{topic}/{id}-{p}}: ephemeral, the owner's consumer id. */
    public String ownerPath(String group, String topic, String partition) {
        return ownersPath(group, topic) + "/" + partition;
    }

    /** {@code {root}/consumers/{group}/offsets}: one child per topic the group committed positions of. */
    public String offsetsPath(String group) {
        return groupPath(group) + "/offsets";
    }

    /** {@code {root}/consumers/{group}/offsets/{topic}}: one child per committed partition. */
    public String offsetsPath(String group, String topic) {
        return offsetsPath(group) + "/" + topic;
    }

    /** {@code {root}/consumers/{group}/offsets/{topic}/{id}-{p}}: persistent, {@link OffsetNodeData}. */
    public String offsetPath(String group, String topic, String partition) {
        return offsetsPath(group, topic) + "/" + partition;
    }

    private String groupPath(String group) {
        return groupsPath() + "/" + group;
    }

    // ---- node names and small data -------------------------------------------------------------

    /** A master's registration under a topic: {@code <brokerId>-m}. */
    public static String masterRegistration(int brokerId) {
        return brokerId + MASTER_SUFFIX;
    }

    /** The broker id of a master's registration ({@code 3-m} gives 3); empty for any other name. */
    public static OptionalInt masterBrokerId(String registration) {
        return registration.endsWith(MASTER_SUFFIX) ? brokerId(registration) : OptionalInt.empty();
    }

    /**
     * The broker id of a master's or a slave's registration ({@code 3-m} or {@code 3-s1} give 3);
     * empty for any other name.
     */
    public static OptionalInt brokerId(String registration) {
        int dash = registration.indexOf('-');
        if (dash <= 0) {
            return OptionalInt.empty();
        }
        String role = registration.substring(dash);
        boolean master = role.equals(MASTER_SUFFIX);
        boolean slave = role.startsWith(SLAVE_INFIX)
                && role.length() > SLAVE_INFIX.length()
                && role.substring(SLAVE_INFIX.length()).chars().allMatch(Character::isDigit);
        if (!master && !slave) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(registration.substring(0, dash)));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** The data of a legacy {@code topics/} registration: the partition count in decimal. */
    public static String legacyTopicData(int numPartitions) {
        return Integer.toString(numPartitions);
    }

    /** The name of partition {@code partition} of broker {@code brokerId}: {@code <brokerId>-<partition>}. */
    public static String partitionName(int brokerId, int partition) {
        return brokerId + "-" + partition;
    }

    /** The consumer id a group member registers: {@code <group>_<consumerIdOrUuid>}. */
    public static String consumerId(String group, String consumerIdOrUuid) {
        return group + CONSUMER_ID_SEPARATOR + consumerIdOrUuid;
    }

    /** The data of a consumer's ids node: its topics, comma-separated, in the given order. */
    public static String topicList(List<String> topics) {
        return String.join(TOPIC_LIST_SEPARATOR, topics);
    }

    /** The topics of an ids node's data, split at every comma exactly as MetaQ does (nothing trimmed). */
    public static List<String> topics(String topicList) {
        return Arrays.asList(topicList.split(TOPIC_LIST_SEPARATOR));
    }

    private static String normalize(String root) {
        String r = root == null || root.isBlank() ? DEFAULT_ROOT : root.trim();
        if (!r.startsWith("/")) {
            r = "/" + r;
        }
        int end = r.length();
        while (end > 0 && r.charAt(end - 1) == '/') {
            end--;
        }
        return r.substring(0, end);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ZnodeDescriptor other && other.root.equals(root);
    }

    @Override
    public int hashCode() {
        return Objects.hash(root);
    }

    @Override
    public String toString() {
        return "ZnodeDescriptor[" + (root.isEmpty() ? "/" : root) + "]";
    }
}
