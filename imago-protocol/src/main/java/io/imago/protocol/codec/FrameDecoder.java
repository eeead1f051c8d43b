package io.imago.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The framing shared by both decoders: find a CRLF-terminated header line of at most
 * {@code maxHeaderLineBytes}, let the subclass parse its tokens, then wait for the body and emit it
 * as a retained slice of the input (never copied). Nothing is allocated for a claimed length: a body
 * length is validated as soon as its line is read, before any body byte is needed.
 *
 * <p>On any invalid input it emits one {@link MalformedFrame} and from then on discards every byte
 * the channel delivers; no exception leaves {@link #decode}. State: the header of the frame whose
 * body is awaited and the failed flag; one instance per channel, used by its event loop only (not
 * thread-safe, never sharable).
 */
abstract class FrameDecoder extends ByteToMessageDecoder {
    private static final int CRLF_BYTES = 2;

    private final int maxHeaderLineBytes;
    private final int maxBodyBytes;
    private ParsedLine.AwaitingBody awaiting;
    private boolean failed;

    FrameDecoder(int maxHeaderLineBytes, int maxBodyBytes) {
        if (maxHeaderLineBytes <= 0 || maxBodyBytes < 0) {
            throw new IllegalArgumentException(
                    "maxHeaderLineBytes=" + maxHeaderLineBytes + ", maxBodyBytes=" + maxBodyBytes);
        }
        this.maxHeaderLineBytes = maxHeaderLineBytes;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Parses the tokens of one header line. */
    abstract ParsedLine parse(String[] tokens, int maxBodyBytes) throws MalformedFrameException;

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (awaiting == null && !readHeader(in, out)) {
            return;
        }
        if (in.readableBytes() >= awaiting.bodyLength()) {
            ParsedLine.AwaitingBody frame = awaiting;
            awaiting = null;
            Object message = frame.withBody().apply(in.readRetainedSlice(frame.bodyLength()));
            if (message instanceof MalformedFrame bad) {
                fail(in, out, bad); // a body whose inner structure is invalid (putb)
            } else {
                out.add(message);
            }
        }
    }

    /** Whether a frame that needs a body was started ({@link #awaiting} set). */
    private boolean readHeader(ByteBuf in, List<Object> out) {
        int lineLength = lineLength(in);
        if (lineLength < 0) {
            if (in.readableBytes() >= maxHeaderLineBytes + CRLF_BYTES) {
                fail(
                        in,
                        out,
                        new MalformedFrame(
                                MalformedFrame.UNKNOWN_OPAQUE,
                                "header line longer than " + maxHeaderLineBytes + " bytes"));
            }
            return false;
        }
        String line = in.toString(in.readerIndex(), lineLength, StandardCharsets.UTF_8);
        in.skipBytes(lineLength + CRLF_BYTES);
        ParsedLine parsed;
        try {
            parsed = parse(Tokens.split(line), maxBodyBytes);
        } catch (MalformedFrameException e) {
            fail(in, out, e.frame());
            return false;
        }
        if (parsed instanceof ParsedLine.Complete complete) {
            out.add(complete.message());
            return false;
        }
        awaiting = (ParsedLine.AwaitingBody) parsed;
        return true;
    }

    /** Length of the line before the first CRLF within the allowed window, or -1 if there is none. */
    private int lineLength(ByteBuf in) {
        int start = in.readerIndex();
        int end = start + Math.min(in.readableBytes(), maxHeaderLineBytes + CRLF_BYTES);
        int from = start;
        while (from < end) {
            int lf = in.indexOf(from, end, (byte) '\n');
            if (lf < 0) {
                return -1;
            }
            if (lf > start && in.getByte(lf - 1) == '\r') {
                return lf - 1 - start;
            }
            from = lf + 1;
        }
        return -1;
    }

    private void fail(ByteBuf in, List<Object> out, MalformedFrame frame) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(frame);
    }

    /** Whether a {@link MalformedFrame} was emitted and input is being discarded. */
    public final boolean hasFailed() {
        return failed;
    }

    /** Capacity of the bytes buffered but not yet decoded (visible for tests of the no-allocation rule). */
    final int bufferedCapacity() {
        return internalBuffer().capacity();
    }
}
