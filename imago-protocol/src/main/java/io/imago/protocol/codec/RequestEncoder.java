package io.imago.protocol.codec;

import io.imago.protocol.command.PutBatchCommand;
import io.imago.protocol.command.PutCommand;
import io.imago.protocol.command.RequestCommand;
import io.imago.protocol.command.SyncCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Client side: writes {@link RequestCommand}s exactly as the 1.4.6.2 client does (see
 * {@link WireDescriptor}): put with 7 tokens, 8 with a txKey; {@code stats  <opaque>} for an empty
 * item; the transaction timeout only when positive and the qualifier only when not blank; sync
 * with 8 tokens. A body is not copied: the frame is a composite of the header line and a retained
 * duplicate of the body. The encoder releases the command it was given. Stateless and sharable.
 */
@ChannelHandler.Sharable
public final class RequestEncoder extends MessageToMessageEncoder<RequestCommand> {

    /** Creates the encoder. */
    public RequestEncoder() {
        super(RequestCommand.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RequestCommand command, List<Object> out) {
        out.add(encode(ctx.alloc(), command));
    }

    /**
     * The bytes of one request frame. The command keeps its own reference; the returned buffer holds
     * another one on the body and belongs to the caller.
     */
    public static ByteBuf encode(ByteBufAllocator alloc, RequestCommand command) {
        String line = WireDescriptor.headerLine(command);
        ByteBuf header = alloc.buffer(WireDescriptor.lineBytes(line));
        WireDescriptor.writeLine(header, line);
        ByteBuf body = null;
        if (command instanceof PutCommand put) {
            body = put.body();
        } else if (command instanceof SyncCommand sync) {
            body = sync.body();
        } else if (command instanceof PutBatchCommand batch) {
            body = batch.body();
        }
        if (body == null || !body.isReadable()) {
            return header;
        }
        return alloc.compositeBuffer(2).addComponents(true, header, body.retainedDuplicate());
    }
}
