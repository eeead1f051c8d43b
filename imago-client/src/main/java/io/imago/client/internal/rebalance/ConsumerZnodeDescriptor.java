package io.imago.client.internal.rebalance;

import java.util.Objects;

/**
 * The ZooKeeper nodes a consumer group reads and writes (spec sections 4.1 and 4.2), in one place.
 * Under the root ({@code /meta} by default):
 *
 * <pre>
 * brokers/topics-sub/&lt;topic&gt;/&lt;brokerId&gt;-m | -s&lt;n&gt;   ephemeral, by brokers: {"numParts":N,"broker":"&lt;id&gt;-m"}
 * consumers/&lt;group&gt;/ids/&lt;consumerId&gt;                  ephemeral: subscribed topics, comma-separated
 * consumers/&lt;group&gt;/owners/&lt;topic&gt;/&lt;brokerId&gt;-&lt;p&gt;     ephemeral: the owning consumerId
 * </pre>
 *
 * <p>Consumer ids are {@code <group>_<consumerIdOrUUID>}. All node data are UTF-8 strings. Immutable;
 * thread-safe.
 */
public final class ConsumerZnodeDescriptor {
    /** Separates the group from the configured id or UUID in a consumer id. */
    public static final char CONSUMER_ID_SEPARATOR = '_';
    /** Separates the topics in the data of an ids node. */
    public static final String TOPIC_LIST_SEPARATOR = ",";
    /** Suffix of a master's registration under topics-sub ({@code <brokerId>-m}). */
    public static final String MASTER_SUFFIX = "-m";
    /** Infix of a slave's registration under topics-sub ({@code <brokerId>-s<slaveId>}). */
    public static final String SLAVE_INFIX = "-s";

    private final String root;
    private final String group;

    /**
     * @param root the ZooKeeper root, {@code /meta} by default (a trailing slash is dropped)
     * @param group the consumer group
     */
    public ConsumerZnodeDescriptor(String root, String group) {
        Objects.requireNonNull(root, "root");
        this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        this.group = Objects.requireNonNull(group, "group");
    }

    public String group() {
        return group;
    }

    /** {@code <root>/brokers/topics-sub/<topic>}: one child per broker (master or slave) serving the topic. */
    public String topicSubscribePath(String topic) {
        return root + "/brokers/topics-sub/" + topic;
    }

    /** {@code <root>/consumers/<group>/ids}: one ephemeral child per live consumer of the group. */
    public String idsPath() {
        return root + "/consumers/" + group + "/ids";
    }

    public String idPath(String consumerId) {
        return idsPath() + "/" + consumerId;
    }

    /** {@code <root>/consumers/<group>/owners/<topic>}. */
    public String ownersPath(String topic) {
        return root + "/consumers/" + group + "/owners/" + topic;
    }

    /** {@code <root>/consumers/<group>/owners/<topic>/<brokerId>-<partition>}. */
    public String ownerPath(String topic, String partition) {
        return ownersPath(topic) + "/" + partition;
    }

    /** The consumer id of the group: {@code <group>_<consumerIdOrUUID>}. */
    public String consumerId(String consumerIdOrUuid) {
        return group + CONSUMER_ID_SEPARATOR + consumerIdOrUuid;
    }

    /**
     * The broker id of a topics-sub child ({@code 3-m} or {@code 3-s1} gives 3), or -1 if the name
     * is neither form.
     */
    public static int brokerIdOfRegistration(String childName) {
        int dash = childName.indexOf('-');
        if (dash <= 0) {
            return -1;
        }
        String role = childName.substring(dash);
        boolean master = role.equals(MASTER_SUFFIX);
        boolean slave = role.startsWith(SLAVE_INFIX) && role.length() > SLAVE_INFIX.length()
                && role.substring(SLAVE_INFIX.length()).chars().allMatch(Character::isDigit);
        if (!master && !slave) {
            return -1;
        }
        try {
            return Integer.parseInt(childName.substring(0, dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
