package io.imago.protocol.command;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import java.util.Objects;

/**
 * {@code sync <topic> <partition> <bodyLen> <flag> <messageId> [<checksum>] <opaque>} followed by the
 * body: a master's replicated put, to be appended with the given message id (spec section 7.2).
 * {@code checksum} is {@link PutCommand#NO_CHECKSUM} for the 7-token (pre-1.4.4) shape.
 *
 * <p>Ownership as for {@link PutCommand}: the holder owns one reference of the body and releases it
 * once. Not thread-safe for concurrent release.
 */
public final class SyncCommand extends DefaultByteBufHolder implements RequestCommand {
    private final String topic;
    private final int partition;
    private final int flag;
    private final long messageId;
    private final int checksum;
    private final int opaque;

    /** Creates a sync that takes over one reference of {@code body}. */
    public SyncCommand(String topic, int partition, int flag, long messageId, int checksum, int opaque, ByteBuf body) {
        super(body);
        this.topic = Objects.requireNonNull(topic, "topic");
        this.partition = partition;
        this.flag = flag;
        this.messageId = messageId;
        this.checksum = checksum;
        this.opaque = opaque;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    /** The message flag, stored verbatim. */
    public int flag() {
        return flag;
    }

    /** The id the master assigned; the slave stores the message under it. */
    public long messageId() {
        return messageId;
    }

    /** {@code CRC32(body) & 0x7FFFFFFF}, or {@link PutCommand#NO_CHECKSUM}. */
    public int checksum() {
        return checksum;
    }

    @Override
    public int opaque() {
        return opaque;
    }

    /** The body (the encoded payload); same as {@link #content()}. */
    public ByteBuf body() {
        return content();
    }

    /** The number of body bytes. */
    public int bodyLength() {
        return content().readableBytes();
    }

    @Override
    public SyncCommand replace(ByteBuf newBody) {
        return new SyncCommand(topic, partition, flag, messageId, checksum, opaque, newBody);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SyncCommand other
                && partition == other.partition
                && flag == other.flag
                && messageId == other.messageId
                && checksum == other.checksum
                && opaque == other.opaque
                && topic.equals(other.topic)
                && content().equals(other.content());
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, flag, messageId, checksum, opaque, content());
    }

    @Override
    public String toString() {
        return "SyncCommand[topic=" + topic + ", partition=" + partition + ", flag=" + flag + ", messageId=" + messageId
                + ", checksum=" + checksum + ", opaque=" + opaque + ", bodyLength=" + bodyLength() + "]";
    }
}
