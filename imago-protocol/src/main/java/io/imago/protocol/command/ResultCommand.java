package io.imago.protocol.command;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code result <code> <bodyLen> <opaque>} followed by the body: MetaQ's BooleanCommand, the reply
 * to everything except a successful {@code get} (spec section 1.3). The body is usually UTF-8 text
 * ({@link #text()}), but {@code stats config} sends the raw bytes of the configuration file, so the
 * body is kept as bytes. {@code code} is the raw wire number (see {@link StatusCode#of(int)}).
 *
 * <p>Build replies through {@link Replies}, the catalogue of status codes and messages. Ownership:
 * the holder owns one reference of the body and releases it once; the encoder releases what it
 * writes. Not thread-safe for concurrent release.
 */
public final class ResultCommand extends DefaultByteBufHolder implements ResponseCommand {
    private final int code;
    private final int opaque;

    /** Creates a result that takes over one reference of {@code body}. */
    public ResultCommand(int code, ByteBuf body, int opaque) {
        super(body);
        this.code = code;
        this.opaque = opaque;
    }

    /** A result whose body is {@code text} in UTF-8 ({@code ""} gives an empty body). */
    public static ResultCommand of(StatusCode status, String text, int opaque) {
        return of(status.code(), text, opaque);
    }

    /** A result with a raw code whose body is {@code text} in UTF-8. */
    public static ResultCommand of(int code, String text, int opaque) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new ResultCommand(
                code, bytes.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes), opaque);
    }

    /** The wire status number. */
    public int code() {
        return code;
    }

    /** The status constant, empty for a number MetaQ does not define. */
    public Optional<StatusCode> status() {
        return StatusCode.of(code);
    }

    /** Whether the client treats this reply as success (code 200). */
    public boolean isSuccess() {
        return code == StatusCode.SUCCESS.code();
    }

    @Override
    public int opaque() {
        return opaque;
    }

    /** The body decoded as UTF-8 (the original client's view of it). */
    public String text() {
        return content().toString(StandardCharsets.UTF_8);
    }

    /** The number of body bytes. */
    public int bodyLength() {
        return content().readableBytes();
    }

    @Override
    public ResultCommand replace(ByteBuf newBody) {
        return new ResultCommand(code, newBody, opaque);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResultCommand other
                && code == other.code
                && opaque == other.opaque
                && content().equals(other.content());
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, opaque, content());
    }

    @Override
    public String toString() {
        return "ResultCommand[code=" + code + ", opaque=" + opaque + ", bodyLength=" + bodyLength() + "]";
    }
}
