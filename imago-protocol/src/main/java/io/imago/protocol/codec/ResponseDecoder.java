package io.imago.protocol.codec;

import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.ValueCommand;

/**
 * Client side: decodes the broker's {@code result} and {@code value} replies (spec section 1.3) into
 * {@link ResultCommand} and {@link ValueCommand}, bodies as retained slices of the input that the
 * receiver owns and must release. Same limits and failure mode as {@link RequestDecoder}: invalid
 * input yields one {@link MalformedFrame}, then everything is discarded. One instance per channel;
 * not thread-safe.
 */
public final class ResponseDecoder extends FrameDecoder {

    /** A decoder with the default limits (4096-byte header line, 4 MiB body). */
    public ResponseDecoder() {
        this(WireDescriptor.DEFAULT_MAX_HEADER_LINE_BYTES, WireDescriptor.DEFAULT_MAX_BODY_BYTES);
    }

    /** A decoder with the default header limit and the given body limit. */
    public ResponseDecoder(int maxBodyBytes) {
        this(WireDescriptor.DEFAULT_MAX_HEADER_LINE_BYTES, maxBodyBytes);
    }

    /** A decoder with explicit limits. */
    public ResponseDecoder(int maxHeaderLineBytes, int maxBodyBytes) {
        super(maxHeaderLineBytes, maxBodyBytes);
    }

    @Override
    ParsedLine parse(String[] t, int maxBodyBytes) throws MalformedFrameException {
        String command = t.length == 0 ? "" : t[0];
        try {
            if (WireDescriptor.RESULT.equals(command)) {
                Tokens.requireArity(t, 4, 4);
                int code = Tokens.int32(t, WireDescriptor.RESULT_CODE, "code");
                int length = Tokens.bodyLength(t, WireDescriptor.RESULT_BODY_LENGTH, maxBodyBytes);
                int opaque = Tokens.int32(t, 3, "opaque");
                return new ParsedLine.AwaitingBody(length, body -> new ResultCommand(code, body, opaque));
            }
            if (WireDescriptor.VALUE.equals(command)) {
                Tokens.requireArity(t, 3, 3);
                int length = Tokens.bodyLength(t, WireDescriptor.VALUE_LENGTH, maxBodyBytes);
                int opaque = Tokens.int32(t, 2, "opaque");
                return new ParsedLine.AwaitingBody(length, body -> new ValueCommand(body, opaque));
            }
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException(Tokens.opaqueOf(t), "Invalid " + command + " reply: " + e.getMessage());
        }
        throw new MalformedFrameException(
                MalformedFrame.UNKNOWN_OPAQUE,
                command.isEmpty() ? "Blank reply line" : "Unknown reply '" + Tokens.echo(command) + "'");
    }
}
