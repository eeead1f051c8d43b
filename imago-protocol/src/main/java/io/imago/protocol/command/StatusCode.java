package io.imago.protocol.command;

import java.util.Optional;

/**
 * The HTTP-like status codes of MetaQ's {@code result} reply (spec section 1.3). The wire carries the
 * bare number; a peer may send a code outside this set, so decoded replies keep the raw int and map it
 * here with {@link #of(int)}. Immutable and thread-safe.
 */
public enum StatusCode {
    /** Success; the body carries the payload of the reply. */
    SUCCESS(200),
    /** {@code get}: the requested offset moved; the body is the offset to use instead. */
    MOVED(301),
    /** {@code get} with a max size of zero or less. */
    BAD_REQUEST(400),
    /** Defined by MetaQ, never used. */
    UNAUTHORIZED(401),
    /** The partition is closed (put and get). */
    FORBIDDEN(403),
    /** No such topic-partition, or no message at the requested offset. */
    NOT_FOUND(404),
    /** Any failure; the body is a human-readable message. */
    INTERNAL_SERVER_ERROR(500),
    /** Thread pool rejected the request, or no processor is registered for the command. */
    SERVICE_UNAVAILABLE(503),
    /** Processing timed out. */
    GATEWAY_TIMEOUT(504);

    private final int code;

    StatusCode(int code) {
        this.code = code;
    }

    /** The number written on the wire. */
    public int code() {
        return code;
    }

    /** The constant for a wire number, empty for a number MetaQ does not define. */
    public static Optional<StatusCode> of(int code) {
        for (StatusCode status : values()) {
            if (status.code == code) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
