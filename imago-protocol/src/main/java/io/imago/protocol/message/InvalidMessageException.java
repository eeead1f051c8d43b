package io.imago.protocol.message;

/**
 * A record in a message set cannot be trusted: its checksum does not match its payload, its length
 * is impossible, or its attribute section does not fit. Carries the absolute offset of the record so
 * the client can resynchronise with an {@code offset} request (spec section 2.5).
 */
public final class InvalidMessageException extends RuntimeException {
    private final long offset;
    private final Reason reason;

    /** What is wrong with the record. */
    public enum Reason {
        /** The stored checksum differs from CRC32(payload) &amp; 0x7FFFFFFF. */
        CHECKSUM_MISMATCH,
        /** The payload length is negative or above the reader's maximum. */
        ILLEGAL_LENGTH,
        /** Flag bit 0 is set but the attribute section does not fit the payload. */
        ILLEGAL_ATTRIBUTE
    }

    /** Creates the exception for the record at {@code offset}. */
    public InvalidMessageException(long offset, Reason reason, String detail, Throwable cause) {
        super("Invalid message at offset " + offset + " (" + reason + "): " + detail, cause);
        this.offset = offset;
        this.reason = reason;
    }

    /** Absolute offset of the offending record. */
    public long offset() {
        return offset;
    }

    /** What is wrong with it. */
    public Reason reason() {
        return reason;
    }
}
