package io.imago.cli;

import io.imago.protocol.zk.OffsetNodeData;
import io.imago.protocol.zk.ZnodeDescriptor;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The partitions of one topic as a consumer group sees them: those live brokers register and those
 * the group has a committed offset for (which outlive a stopped broker), with the committed offsets
 * parsed from MetaQ's offset node data ({@link OffsetNodeData}). Immutable; thread-safe.
 */
final class GroupPartitions {
    private final SortedSet<String> partitions;
    private final Map<String, String> committed;

    private GroupPartitions(SortedSet<String> partitions, Map<String, String> committed) {
        this.partitions = partitions;
        this.committed = committed;
    }

    static GroupPartitions read(ClusterZnodes cluster, String group, String topic) throws ToolException {
        Map<String, String> committed = cluster.committed(group, topic);
        SortedSet<String> partitions = new TreeSet<>(GroupPartitions::compare);
        cluster.registeredPartitions(topic).forEach((broker, count) -> {
            for (int p = 0; p < count; p++) {
                partitions.add(ZnodeDescriptor.partitionName(broker, p));
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
        return committed(partition).map(OffsetNodeData.Position::offset);
    }

    /** The message id of the committed node ({@link OffsetNodeData#NO_MESSAGE_ID} when there is none). */
    long committedMessageId(String partition) {
        return committed(partition).map(OffsetNodeData.Position::messageId).orElse(OffsetNodeData.NO_MESSAGE_ID);
    }

    private Optional<OffsetNodeData.Position> committed(String partition) {
        return Optional.ofNullable(committed.get(partition)).map(OffsetNodeData::decode);
    }

    private static int compare(String a, String b) {
        int byBroker = Integer.compare(BrokerOffsets.brokerOf(a), BrokerOffsets.brokerOf(b));
        return byBroker != 0 ? byBroker : Integer.compare(partitionOf(a), partitionOf(b));
    }

    private static int partitionOf(String partition) {
        return Integer.parseInt(partition.substring(partition.indexOf('-') + 1));
    }
}
