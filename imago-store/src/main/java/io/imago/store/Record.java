package io.imago.store;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One message to append: its id, its flag and its encoded payload (spec section 2.2). The log builds
 * the 20-byte header and the checksum. The payload's remaining bytes are the payload; the log copies
 * them before {@code append} returns and never changes the buffer's position or limit. Immutable as
 * far as this record goes; the caller must not change the buffer's content until append returns.
 *
 * @param messageId the message id
 * @param flag      the flag, copied from the put
 * @param payload   the payload bytes between position and limit
 */
@SuppressWarnings("JavaLangClash") // the spec's name for it; this package never means java.lang.Record
public record Record(long messageId, int flag, ByteBuffer payload) {

    public Record {
        Objects.requireNonNull(payload, "payload");
    }
}
