package io.imago.client.internal.remoting;

import io.imago.protocol.Capabilities;
import io.imago.protocol.codec.MalformedFrame;
import io.imago.protocol.command.RequestCommand;
import io.imago.protocol.command.ResponseCommand;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of one client channel: the table of its requests in flight keyed by opaque. A
 * reply completes the request with its opaque (a reply nobody waits for any more is released); an
 * idle event asks the connection for a heartbeat; the channel's end fails every request still in
 * the table at once. It also remembers whether the broker at the other end announced the
 * {@code putb} extension in a {@code version} reply (per channel: a reconnect may reach another
 * broker binary). Invariant: a request entered after the channel ended is failed by
 * {@link #send} itself, so none is left behind. Thread-safe (entries come from any thread).
 */
final class ChannelRequests extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelRequests.class);

    private final BrokerConnection connection;
    private final Map<Integer, PendingRequest> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger putBatch = new AtomicInteger(PUT_BATCH_UNKNOWN);
    private volatile int putBatchMaxBytes;
    private volatile boolean longPoll;
    private volatile Channel channel;
    private volatile boolean ended;

    ChannelRequests(BrokerConnection connection) {
        this.connection = connection;
    }

    /** The broker's answer to "does it serve {@code putb}" is not known yet. */
    static final int PUT_BATCH_UNKNOWN = 0;
    /** A {@code version} probe is on its way. */
    static final int PUT_BATCH_PROBING = 1;

    static final int PUT_BATCH_YES = 2;
    static final int PUT_BATCH_NO = 3;

    /** What this channel's broker said about {@code putb} (one of the {@code PUT_BATCH_*} states). */
    int putBatchState() {
        return putBatch.get();
    }

    /** Moves the {@code putb} state from {@code expected} to {@code next}; whether it did. */
    boolean putBatchTransition(int expected, int next) {
        return putBatch.compareAndSet(expected, next);
    }

    /** Records the capability a {@code version} reply announced: the most bytes of a batch, 0 for none. */
    void putBatchAnswered(int maxBytes) {
        putBatchMaxBytes = Math.max(0, maxBytes);
        putBatch.set(maxBytes > 0 ? PUT_BATCH_YES : PUT_BATCH_NO);
    }

    /** The most body bytes of a {@code putb} the broker announced (meaningful in state YES). */
    /** Records the extensions a successful {@code version} reply of this channel's broker announced. */
    void capabilitiesAnswered(String versionBody) {
        putBatchAnswered(Capabilities.putBatchMaxBytes(versionBody));
        longPollAnswered(Capabilities.supportsLongPoll(versionBody));
    }

    /** Records whether this channel's broker announced the long-polling {@code get}. */
    void longPollAnswered(boolean supported) {
        longPoll = supported;
    }

    /** Whether this channel's broker announced the long-polling {@code get} (false while unknown). */
    boolean longPoll() {
        return longPoll;
    }

    int putBatchMaxBytes() {
        return putBatchMaxBytes;
    }

    /** Whether the channel is still usable. */
    boolean isUsable() {
        Channel ch = channel;
        return !ended && ch != null && ch.isActive();
    }

    Channel channel() {
        return channel;
    }

    /** Binds this table to its channel once connected (before or after channelActive fired). */
    void attach(Channel ch) {
        this.channel = ch;
    }

    boolean hasEnded() {
        return ended;
    }

    /** Enters the request in the table and writes the command; a failed write fails the request. */
    void send(RequestCommand command, PendingRequest request) {
        request.enteredIn(inFlight);
        inFlight.put(request.opaque(), request);
        if (request.isFinished()) {
            inFlight.remove(request.opaque(), request); // timed out before it was entered
            ReferenceCountUtil.release(command);
            return;
        }
        if (ended) {
            request.fail(new ConnectionException(
                    "Connection to " + connection.url() + " lost before the request was" + " sent", null, false));
            ReferenceCountUtil.release(command);
            return;
        }
        request.writing();
        channel.writeAndFlush(command).addListener(f -> {
            if (!f.isSuccess()) {
                request.fail(new ConnectionException("Cannot write a request to " + connection.url(), f.cause()));
            }
        });
    }

    int inFlightCount() {
        return inFlight.size();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        super.channelActive(ctx);
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // the close ends the requests in flight (channelInactive)
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ResponseCommand reply) {
            PendingRequest request = inFlight.remove(reply.opaque());
            if (request == null) {
                reply.release(); // late (timed out) or unsolicited: dropped
            } else {
                request.succeed(reply);
            }
        } else if (msg instanceof MalformedFrame bad) {
            LOG.warn("Closing the connection to {}: malformed reply ({})", connection.url(), bad.reason());
            ctx.close();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            connection.heartbeat(this);
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ended = true;
        RemotingException error = connection.isClosed()
                ? new ClientClosedException("The connection to " + connection.url() + " was closed")
                : lost();
        for (PendingRequest request : inFlight.values()) {
            request.fail(error);
        }
        connection.channelEnded(this);
        super.channelInactive(ctx);
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // as in channelRead
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("Closing the connection to {}: {}", connection.url(), cause.toString());
        ctx.close();
    }

    private ConnectionException lost() {
        return new ConnectionException(
                "Connection to " + connection.url() + " lost with the request in flight", null, true);
    }
}
