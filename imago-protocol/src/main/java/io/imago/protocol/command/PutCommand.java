package io.imago.protocol.command;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import java.util.Objects;

/**
 * {@code put <topic> <partition> <bodyLen> <flag> <checksum> [<txKey>] <opaque>} followed by the body,
 * the encoded message payload (attribute section + data, spec section 2.2).
 *
 * <p>{@code partition} may be {@code -1} ("broker picks"); {@code checksum} is
 * {@link #NO_CHECKSUM} when the client supplied none (6-token and old transactional shapes);
 * {@code txKey} is {@code null} for a non-transactional put.
 *
 * <p>Ownership: the body is a reference-counted buffer (a retained slice of the connection's input
 * when decoded). The holder of a {@code PutCommand} owns exactly one reference and must
 * {@link #release()} it once done (for instance after the append copied or wrote the bytes); a
 * command handed to an encoder is released by the encoder. Not thread-safe for concurrent release.
 */
public final class PutCommand extends DefaultByteBufHolder implements RequestCommand {
    /** The checksum value meaning "not supplied; skip the check". */
    public static final int NO_CHECKSUM = -1;

    private final String topic;
    private final int partition;
    private final int flag;
    private final int checksum;
    private final TransactionId txKey;
    private final int opaque;

    /**
     * Creates a put that takes over one reference of {@code body}.
     *
     * @param txKey the transaction, or {@code null} for a non-transactional put
     */
    public PutCommand(
            String topic, int partition, int flag, int checksum, TransactionId txKey, int opaque, ByteBuf body) {
        super(body);
        this.topic = Objects.requireNonNull(topic, "topic");
        this.partition = partition;
        this.flag = flag;
        this.checksum = checksum;
        this.txKey = txKey;
        this.opaque = opaque;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    /** The message flag; bit 0 says the payload starts with an attribute section. */
    public int flag() {
        return flag;
    }

    /** {@code CRC32(body) & 0x7FFFFFFF}, or {@link #NO_CHECKSUM}. */
    public int checksum() {
        return checksum;
    }

    /** Whether the client supplied a checksum the broker must verify. */
    public boolean hasChecksum() {
        return checksum != NO_CHECKSUM;
    }

    /** The transaction this put belongs to, or {@code null} when it belongs to none. */
    public TransactionId txKey() {
        return txKey;
    }

    /** Whether the put carries a transaction key. */
    public boolean isTransactional() {
        return txKey != null;
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
    public PutCommand replace(ByteBuf newBody) {
        return new PutCommand(topic, partition, flag, checksum, txKey, opaque, newBody);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PutCommand other
                && partition == other.partition
                && flag == other.flag
                && checksum == other.checksum
                && opaque == other.opaque
                && topic.equals(other.topic)
                && Objects.equals(txKey, other.txKey)
                && content().equals(other.content());
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, flag, checksum, txKey, opaque, content());
    }

    @Override
    public String toString() {
        return "PutCommand[topic=" + topic + ", partition=" + partition + ", flag=" + flag + ", checksum=" + checksum
                + ", txKey=" + txKey + ", opaque=" + opaque + ", bodyLength=" + bodyLength() + "]";
    }
}
