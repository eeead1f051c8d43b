package io.imago.protocol.message;

import io.imago.protocol.RecordDescriptor;
import java.util.Objects;

/**
 * One complete, checksum-verified record read from a message set: where it starts in the
 * partition's log, its id and flag, and its decoded payload. Immutable.
 *
 * @param offset absolute byte offset of the record's first header byte
 * @param payloadLength the header's payload length; the record spans {@link #recordLength()} bytes
 */
public record StoredMessage(long offset, long id, int flag, int payloadLength, MessagePayload payload) {

    /** Checks that the payload is present. */
    public StoredMessage {
        Objects.requireNonNull(payload, "payload");
    }

    /** Header plus payload bytes. */
    public int recordLength() {
        return RecordDescriptor.recordLength(payloadLength);
    }

    /** The offset of the record that follows this one. */
    public long nextOffset() {
        return offset + recordLength();
    }
}
