package io.imago.protocol.codec;

import io.netty.buffer.ByteBuf;
import java.util.function.Function;

/**
 * The outcome of parsing one valid header line: either the whole frame ({@link Complete}) or a
 * frame whose body of known, already validated length is still to be read ({@link AwaitingBody}).
 * Immutable.
 */
sealed interface ParsedLine permits ParsedLine.Complete, ParsedLine.AwaitingBody {

    /** A frame without body, ready to emit. */
    record Complete(Object message) implements ParsedLine {}

    /** A frame that completes once {@code bodyLength} bytes are read; {@code withBody} owns the body. */
    record AwaitingBody(int bodyLength, Function<ByteBuf, Object> withBody) implements ParsedLine {}
}
