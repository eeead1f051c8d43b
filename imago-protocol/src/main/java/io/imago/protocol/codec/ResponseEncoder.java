package io.imago.protocol.codec;

import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.ValueHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Broker side: writes {@code result} ({@link ResultCommand}) and {@code value} replies. For a value
 * served from a segment file write a {@link ValueHeader} and then the {@code FileRegion}: this
 * encoder turns the header into its line and lets the region (and anything else it does not know)
 * pass through untouched. A {@code ValueCommand} with an in-memory body is written as header line +
 * body without copying. The encoder releases the reply it was given. Stateless and sharable.
 */
@ChannelHandler.Sharable
public final class ResponseEncoder extends MessageToMessageEncoder<Object> {

    /** Creates the encoder. */
    public ResponseEncoder() {
        super(Object.class);
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof ResponseCommand || msg instanceof ValueHeader;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        if (msg instanceof ValueHeader header) {
            out.add(encodeHeader(ctx.alloc(), header));
        } else {
            out.add(encode(ctx.alloc(), (ResponseCommand) msg));
        }
    }

    /** The line {@code value <length> <opaque>\r\n}; the caller owns the buffer. */
    public static ByteBuf encodeHeader(ByteBufAllocator alloc, ValueHeader header) {
        String line = WireDescriptor.valueLine(header.length(), header.opaque());
        ByteBuf out = alloc.buffer(WireDescriptor.lineBytes(line));
        WireDescriptor.writeLine(out, line);
        return out;
    }

    /**
     * The bytes of one reply. The reply keeps its own reference; the returned buffer holds another
     * one on the body and belongs to the caller.
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ResponseCommand reply) {
        ByteBuf body = reply.content();
        String line = reply instanceof ResultCommand result
                ? WireDescriptor.resultLine(result.code(), body.readableBytes(), result.opaque())
                : WireDescriptor.valueLine(body.readableBytes(), reply.opaque());
        ByteBuf header = alloc.buffer(WireDescriptor.lineBytes(line));
        WireDescriptor.writeLine(header, line);
        if (!body.isReadable()) {
            return header;
        }
        return alloc.compositeBuffer(2).addComponents(true, header, body.retainedDuplicate());
    }
}
