package io.imago.store.txlog;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One message of a transaction, as journalled. Immutable: the payload is a read-only copy of the
 * remaining bytes of the buffer given, so the caller may reuse its buffer. Thread-safe.
 *
 * @param checksum the message's checksum as the client sent it (journalled as is, never checked here)
 */
public record TxMessage(String topic, int partition, long messageId, int flag, ByteBuffer payload, int checksum) {

    public TxMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
        copy.put(payload.duplicate()).flip();
        payload = copy.asReadOnlyBuffer();
    }

    /** The payload as a fresh read-only view (its position is independent of other readers). */
    @Override
    public ByteBuffer payload() {
        return payload.duplicate();
    }
}
