package io.imago.broker.server;

import io.imago.broker.BrokerVersion;
import io.imago.broker.stats.StatsReport;
import io.imago.protocol.Capabilities;
import io.imago.protocol.codec.MalformedFrame;
import io.imago.protocol.command.GetCommand;
import io.imago.protocol.command.OffsetCommand;
import io.imago.protocol.command.PutBatchCommand;
import io.imago.protocol.command.PutCommand;
import io.imago.protocol.command.QuitCommand;
import io.imago.protocol.command.Replies;
import io.imago.protocol.command.StatsCommand;
import io.imago.protocol.command.SyncCommand;
import io.imago.protocol.command.TransactionCommand;
import io.imago.protocol.command.TransactionType;
import io.imago.protocol.command.TxAdminCommand;
import io.imago.protocol.command.VersionCommand;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches each decoded request of a connection to its processor. Requests are pipelined: each
 * is answered when it is done, matched by its opaque, so a {@code version} heartbeat or a
 * {@code get} may overtake a {@code put} waiting for its fsync. A {@link MalformedFrame} is answered
 * with {@code result 500 <reason>} and closes that connection only. Sharable: it holds no
 * per-connection state.
 */
@ChannelHandler.Sharable
final class BrokerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerHandler.class);

    private final BrokerContext ctx;
    private final PutProcessor puts;
    private final GetProcessor gets;
    private final TransactionProcessor transactions;
    private final StatsReport statsReport;
    private final BooleanSupplier stopping;
    private final String versionBody;

    BrokerHandler(BrokerContext ctx, StatsReport statsReport, BooleanSupplier stopping) {
        this.ctx = ctx;
        this.puts = new PutProcessor(ctx);
        this.gets = new GetProcessor(ctx);
        this.transactions = new TransactionProcessor(ctx.transactions());
        this.statsReport = statsReport;
        this.stopping = stopping;
        this.versionBody =
                Capabilities.versionBody(BrokerVersion.VERSION, ctx.config().maxMessageBytes());
    }

    @Override
    public void channelActive(ChannelHandlerContext c) throws Exception {
        ctx.stats().connectionOpened();
        super.channelActive(c);
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) throws Exception {
        ctx.stats().connectionClosed();
        // an Imago difference from MetaQ: a closed connection's open local transactions are rolled back
        ctx.transactions().connectionClosed(c.channel());
        super.channelInactive(c);
    }

    @Override
    // replies go with the void promise: a failed write reaches exceptionCaught, which closes the channel
    @SuppressWarnings("FutureReturnValueIgnored")
    public void channelRead(ChannelHandlerContext c, Object msg) {
        Channel ch = c.channel();
        if (msg instanceof PutCommand put) {
            if (stopping.getAsBoolean()) {
                int opaque = put.opaque();
                put.release();
                ch.writeAndFlush(Replies.busy("Broker is shutting down", opaque), ch.voidPromise());
            } else {
                puts.process(ch, put);
            }
        } else if (msg instanceof PutBatchCommand batch) {
            if (stopping.getAsBoolean()) {
                int opaque = batch.opaque();
                batch.release();
                ch.writeAndFlush(Replies.busy("Broker is shutting down", opaque), ch.voidPromise());
            } else {
                puts.processBatch(ch, batch);
            }
        } else if (msg instanceof GetCommand get) {
            gets.get(ch, get);
        } else if (msg instanceof OffsetCommand offset) {
            gets.offset(ch, offset);
        } else if (msg instanceof VersionCommand version) {
            // the extensions this broker serves ride after the version; MetaQ clients only check the status
            ch.writeAndFlush(Replies.ok(versionBody, version.opaque()), ch.voidPromise());
        } else if (msg instanceof StatsCommand stats) {
            stats(ch, stats);
        } else if (msg instanceof QuitCommand) {
            ch.close();
        } else if (msg instanceof TransactionCommand tx) {
            if (stopping.getAsBoolean() && tx.type() != TransactionType.END) {
                ch.writeAndFlush(Replies.busy("Broker is shutting down", tx.opaque()), ch.voidPromise());
            } else if (!stopping.getAsBoolean()) {
                transactions.process(ch, tx);
            }
        } else if (msg instanceof TxAdminCommand admin) {
            if (stopping.getAsBoolean()) {
                ch.writeAndFlush(Replies.busy("Broker is shutting down", admin.opaque()), ch.voidPromise());
            } else {
                transactions.admin(ch, admin);
            }
        } else if (msg instanceof SyncCommand sync) {
            int opaque = sync.opaque();
            sync.release();
            ch.writeAndFlush(Replies.notSupported("sync", opaque), ch.voidPromise());
        } else if (msg instanceof MalformedFrame bad) {
            LOG.debug("Closing {}: {}", ch.remoteAddress(), bad.reason());
            ch.writeAndFlush(bad.toReply()).addListener(ChannelFutureListener.CLOSE);
        } else {
            ReferenceCountUtil.release(msg);
            throw new IllegalStateException(
                    "unexpected message " + msg.getClass().getName());
        }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // void promise, as in channelRead
    private void stats(Channel ch, StatsCommand stats) {
        if (StatsReport.ITEM_CONFIG.equals(stats.item())) {
            ch.writeAndFlush(
                    Replies.ok(Unpooled.wrappedBuffer(ctx.config().rawBytes()), stats.opaque()), ch.voidPromise());
        } else {
            ch.writeAndFlush(Replies.stats(statsReport.lines(stats.item()), stats.opaque()), ch.voidPromise());
        }
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // the close is the last step: a failure of it has no one to tell
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("Connection {} failed: {}", c.channel().remoteAddress(), cause.toString());
        } else {
            LOG.warn(
                    "Closing connection {} after an unexpected error",
                    c.channel().remoteAddress(),
                    cause);
        }
        c.close();
    }
}
