package io.imago;

import io.imago.cluster.Partition;
import io.imago.protocol.Names;
import java.util.Arrays;
import java.util.Objects;

/**
 * A message: topic, data and an optional attribute (MetaQ's filterable string), plus what the broker
 * fills in — the message id and the partition — after a send or on receipt. The topic must follow
 * {@link Names}' rule (the constructor throws {@link IllegalArgumentException} otherwise), so a
 * message that reaches a broker never names a topic the broker would refuse for its name. Not
 * thread-safe; a message handed to a listener belongs to it.
 */
public final class Message {
    private String topic;
    private byte[] data;
    private boolean readOnly;
    private String attribute;
    private long id;
    private Partition partition;
    private long offset = -1;
    private boolean rollbackOnly;

    public Message(String topic, byte[] data) {
        this(topic, data, null);
    }

    public Message(String topic, byte[] data, String attribute) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("blank topic");
        }
        this.topic = Names.checkTopic(topic);
        this.data = Objects.requireNonNull(data, "data");
        this.attribute = attribute;
    }

    public String getTopic() {
        return topic;
    }

    /** Changes the topic (checked as by the constructor); refused on a read-only message. */
    public void setTopic(String topic) {
        checkWritable();
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("blank topic");
        }
        this.topic = Names.checkTopic(topic);
    }

    public byte[] getData() {
        return data;
    }

    /** Replaces the data; refused on a read-only message. */
    public void setData(byte[] data) {
        checkWritable();
        this.data = Objects.requireNonNull(data, "data");
    }

    /** Whether topic, data and attribute can no longer be changed (MetaQ's flag; never set by Imago itself). */
    public boolean isReadOnly() {
        return readOnly;
    }

    public void setReadOnly(boolean readOnly) {
        this.readOnly = readOnly;
    }

    private void checkWritable() {
        if (readOnly) {
            throw new IllegalStateException("message is read-only");
        }
    }

    /** The attribute, or null when the message has none (an empty string is an attribute). */
    public String getAttribute() {
        return attribute;
    }

    public void setAttribute(String attribute) {
        checkWritable();
        this.attribute = attribute;
    }

    public boolean hasAttribute() {
        return attribute != null;
    }

    /** The broker-assigned id; 0 before the message was sent. */
    public long getId() {
        return id;
    }

    public void setId(long id) {
        this.id = id;
    }

    /** The partition it was sent to or received from; null before. */
    public Partition getPartition() {
        return partition;
    }

    public void setPartition(Partition partition) {
        this.partition = partition;
    }

    /** The byte offset of the message in its partition, or -1 when unknown. */
    public long getOffset() {
        return offset;
    }

    public void setOffset(long offset) {
        this.offset = offset;
    }

    /** Consumer side: asks for this message to be delivered again (its offset is not advanced past it). */
    public void setRollbackOnly() {
        this.rollbackOnly = true;
    }

    public boolean isRollbackOnly() {
        return rollbackOnly;
    }

    @Override
    public String toString() {
        return "Message[topic=" + topic + ", id=" + id + ", partition=" + partition + ", offset=" + offset
                + ", attribute=" + attribute + ", data=" + data.length + " bytes]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m
                && m.id == id
                && topic.equals(m.topic)
                && Arrays.equals(data, m.data)
                && Objects.equals(attribute, m.attribute);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, id, attribute, Arrays.hashCode(data));
    }
}
