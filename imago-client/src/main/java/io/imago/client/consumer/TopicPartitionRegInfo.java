package io.imago.client.consumer;

import io.imago.cluster.Partition;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A consumer group's position in one partition of a topic: the next offset to fetch and the id of
 * the last message consumed (MetaQ stores both in ZooKeeper as {@code <msgId>-<offset>}). The offset
 * and id are updated by the fetch thread and read by the committer; thread-safe. {@link #advance}
 * holds this object's monitor, so an offset store that reads the offset, the id and the modified
 * flag while holding it sees a consistent pair.
 */
public final class TopicPartitionRegInfo {
    private final String topic;
    private final Partition partition;
    private final AtomicLong offset;
    private volatile long messageId;
    private volatile boolean modified;

    public TopicPartitionRegInfo(String topic, Partition partition, long offset) {
        this(topic, partition, offset, -1L);
    }

    public TopicPartitionRegInfo(String topic, Partition partition, long offset, long messageId) {
        this.topic = topic;
        this.partition = partition;
        this.offset = new AtomicLong(offset);
        this.messageId = messageId;
    }

    public String getTopic() {
        return topic;
    }

    public Partition getPartition() {
        return partition;
    }

    public long getOffset() {
        return offset.get();
    }

    public long getMessageId() {
        return messageId;
    }

    /** Moves the position (after consumption); marks it modified for the next commit. */
    public synchronized void advance(long newOffset, long lastMessageId) {
        offset.set(newOffset);
        messageId = lastMessageId;
        modified = true;
    }

    public boolean isModified() {
        return modified;
    }

    public void setModified(boolean modified) {
        this.modified = modified;
    }

    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset.get() + " (msgId " + messageId + ")";
    }
}
