package io.imago.protocol.codec;

import io.imago.protocol.command.Replies;
import io.imago.protocol.command.ResultCommand;
import java.util.Objects;

/**
 * What a decoder emits, instead of throwing, when the input is not a valid frame: an over-long
 * header line, a body above the limit, a non-numeric number, a wrong token count or an unknown
 * command. It is always the last message the decoder emits on its channel: everything after it is
 * discarded, because the stream can no longer be framed. The receiver answers
 * {@link #toReply()} ({@code result 500 <reason>}) where that makes sense and closes the connection.
 *
 * <p>{@code opaque} is the frame's own opaque when its command is known and its last token is a
 * number, else {@link #UNKNOWN_OPAQUE} (a value the original client never uses). Immutable.
 */
public record MalformedFrame(int opaque, String reason) {

    /** The opaque reported when the frame's own cannot be read. */
    public static final int UNKNOWN_OPAQUE = Integer.MAX_VALUE;

    /** Checks that the reason is present. */
    public MalformedFrame {
        Objects.requireNonNull(reason, "reason");
    }

    /** The reply a broker sends before closing: {@code result 500 <len> <opaque>\r\n<reason>}. */
    public ResultCommand toReply() {
        return Replies.internalError(reason, opaque);
    }
}
