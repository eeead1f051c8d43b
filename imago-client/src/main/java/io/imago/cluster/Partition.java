package io.imago.cluster;

import io.imago.protocol.zk.ZnodeDescriptor;
import java.util.Objects;

/**
 * A partition of a topic on one broker, written {@code <brokerId>-<partition>} as in MetaQ's
 * ZooKeeper nodes. Ordered by broker id, then partition. Immutable apart from the consumer-side
 * acknowledgement state of transactional consumption ({@link #setAutoAck}, {@link #ack},
 * {@link #rollback}), which the consumer's fetch thread reads.
 */
public final class Partition implements Comparable<Partition> {
    /** Direct mode's "any partition": the broker picks one ({@code -1-1}... written {@code -1--1}). */
    public static final Partition RANDOM = new Partition(-1, -1);
    /** {@link #RANDOM} under MetaQ's (misspelled) name. */
    public static final Partition RandomPartiton = RANDOM;

    private final int brokerId;
    private final int partition;
    private volatile boolean autoAck = true;
    private volatile boolean acked;
    private volatile boolean rolledBack;

    public Partition(int brokerId, int partition) {
        this.brokerId = brokerId;
        this.partition = partition;
    }

    /** Parses {@code <brokerId>-<partition>} (the last {@code -} separates them, so {@code -1--1} works). */
    public Partition(String text) {
        int dash = text.lastIndexOf('-');
        if (dash <= 0) {
            throw new IllegalArgumentException("invalid partition '" + text + "', expected <brokerId>-<partition>");
        }
        try {
            this.brokerId = Integer.parseInt(text.substring(0, dash));
            this.partition = Integer.parseInt(text.substring(dash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid partition '" + text + "', expected <brokerId>-<partition>", e);
        }
    }

    public int getBrokerId() {
        return brokerId;
    }

    public int getPartition() {
        return partition;
    }

    /** Transactional consumption: with auto-ack off, consumed offsets advance only on {@link #ack()}. */
    public void setAutoAck(boolean autoAck) {
        this.autoAck = autoAck;
    }

    public boolean isAutoAck() {
        return autoAck;
    }

    /** Commits everything consumed from this partition since the last ack. */
    public void ack() {
        acked = true;
        rolledBack = false;
    }

    /** Rewinds this partition to the last acknowledged offset. */
    public void rollback() {
        rolledBack = true;
        acked = false;
    }

    public boolean isAcked() {
        return acked;
    }

    public boolean isRolledBack() {
        return rolledBack;
    }

    /** {@link #isRolledBack()} under MetaQ's name. */
    public boolean isRollback() {
        return isRolledBack();
    }

    /** Clears the ack/rollback marks once the consumer has applied them. */
    public void resetAckState() {
        acked = false;
        rolledBack = false;
    }

    @Override
    public int compareTo(Partition o) {
        int c = Integer.compare(brokerId, o.brokerId);
        return c != 0 ? c : Integer.compare(partition, o.partition);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Partition p && p.brokerId == brokerId && p.partition == partition;
    }

    @Override
    public int hashCode() {
        return Objects.hash(brokerId, partition);
    }

    @Override
    public String toString() {
        return ZnodeDescriptor.partitionName(brokerId, partition);
    }
}
