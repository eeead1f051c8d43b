package io.imago.protocol.command;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import java.util.Objects;

/**
 * {@code value <totalLen> <opaque>} followed by {@code totalLen} raw message-set bytes: the reply to
 * a successful {@code get} (spec section 1.3), as decoded by a client or built in memory by a broker
 * (for instance after server-side filtering). A broker serving bytes from a segment file writes a
 * {@link ValueHeader} and then the file region instead.
 *
 * <p>Ownership: the holder owns one reference of the body and releases it once. Not thread-safe for
 * concurrent release.
 */
public final class ValueCommand extends DefaultByteBufHolder implements ResponseCommand {
    private final int opaque;

    /** Creates a value reply that takes over one reference of {@code body}. */
    public ValueCommand(ByteBuf body, int opaque) {
        super(body);
        this.opaque = opaque;
    }

    @Override
    public int opaque() {
        return opaque;
    }

    /** The message-set bytes; same as {@link #content()}. */
    public ByteBuf body() {
        return content();
    }

    /** The header line's fields for this body. */
    public ValueHeader header() {
        return new ValueHeader(content().readableBytes(), opaque);
    }

    @Override
    public ValueCommand replace(ByteBuf newBody) {
        return new ValueCommand(newBody, opaque);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueCommand other
                && opaque == other.opaque
                && content().equals(other.content());
    }

    @Override
    public int hashCode() {
        return Objects.hash(opaque, content());
    }

    @Override
    public String toString() {
        return "ValueCommand[opaque=" + opaque + ", bodyLength=" + content().readableBytes() + "]";
    }
}
