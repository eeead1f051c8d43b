package io.imago.cli;

import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The partitions of one topic as a consumer group sees them: those live brokers register and those
 * the group has a committed offset for (which outlive a stopped broker), with the committed offsets
 * parsed from MetaQ's {@code msgId-offset} node data. Immutable; thread-safe.
 */
final class GroupPartitions {
    private final SortedSet<String> partitions;
    private final Map<String, String> committed;

    private GroupPartitions(SortedSet<String> partitions, Map<String, String> committed) {
        this.partitions = partitions;
        this.committed = committed;
    }

    static GroupPartitions read(Cluster cluster, String group, String topic) throws ToolException {
        Map<String, String> committed = cluster.committed(group, topic);
        SortedSet<String> partitions = new TreeSet<>(GroupPartitions::compare);
        cluster.registeredPartitions(topic).forEach((broker, count) -> {
            for (int p = 0; p < count; p++) {
                partitions.add(broker + "-" + p);
            }
        });
        partitions.addAll(committed.keySet());
        return new GroupPartitions(partitions, committed);
    }

    /** {@code brokerId-p} names, by broker id then partition. */
    SortedSet<String> partitions() {
        return partitions;
    }

    /** The committed offset of a partition, if the group has one. */
    Optional<Long> committedOffset(String partition) {
        return Optional.ofNullable(committed.get(partition)).map(GroupPartitions::offsetOf);
    }

    /** The message id part of the committed node ({@code -1} when there is none). */
    String committedMessageId(String partition) {
        String data = committed.get(partition);
        int dash = data == null ? -1 : data.lastIndexOf('-');
        return dash > 0 ? data.substring(0, dash) : "-1";
    }

    /** {@code msgId-offset} (msgId may be negative) or, before MetaQ 1.4, {@code offset}. */
    static long offsetOf(String data) {
        int dash = data.lastIndexOf('-');
        return Long.parseLong(dash > 0 ? data.substring(dash + 1) : data.trim());
    }

    private static int compare(String a, String b) {
        int byBroker = Integer.compare(BrokerOffsets.brokerOf(a), BrokerOffsets.brokerOf(b));
        return byBroker != 0 ? byBroker : Integer.compare(partitionOf(a), partitionOf(b));
    }

    private static int partitionOf(String partition) {
        return Integer.parseInt(partition.substring(partition.indexOf('-') + 1));
    }
}
