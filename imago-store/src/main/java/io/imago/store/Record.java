package io.imago.store;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One message to append: its id, its flag, its encoded payload (spec section 2.2) and, if the caller
 * has verified it, the payload's checksum. The log builds the 20-byte header; it computes the checksum
 * only when none is given ({@link #NO_CHECKSUM}), so a put whose checksum the broker verified is
 * checksummed once. The payload's remaining bytes are the payload; the log copies them before
 * {@code append} returns and never changes the buffer's position or limit. Immutable as far as this
 * record goes; the caller must not change the buffer's content until append returns.
 *
 * @param messageId the message id
 * @param flag      the flag, copied from the put
 * @param payload   the payload bytes between position and limit
 * @param checksum  {@code CRC32(payload) & 0x7FFFFFFF} as verified by the caller
 *                  ({@code RecordDescriptor.checksum}), stored as given; or {@link #NO_CHECKSUM}
 */
@SuppressWarnings("JavaLangClash") // the spec's name for it; this package never means java.lang.Record
public record Record(long messageId, int flag, ByteBuffer payload, int checksum) {
    /** No checksum given: the log computes it. No real checksum is negative. */
    public static final int NO_CHECKSUM = -1;

    /**
     * @throws IllegalArgumentException for a negative checksum other than {@link #NO_CHECKSUM}
     */
    public Record {
        Objects.requireNonNull(payload, "payload");
        if (checksum < 0 && checksum != NO_CHECKSUM) {
            throw new IllegalArgumentException(
                    "checksum must be >= 0 (CRC32 & 0x7FFFFFFF) or NO_CHECKSUM: " + checksum);
        }
    }

    /** A record whose checksum the log computes. */
    public Record(long messageId, int flag, ByteBuffer payload) {
        this(messageId, flag, payload, NO_CHECKSUM);
    }
}
