package io.imago.broker.trace;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;

/**
 * The broker's hooks for JFR events at the stage boundaries of a put (the latency budget of a put,
 * {@code docs/performance.md}; the store's stages are in {@code io.imago.store.trace.StoreTrace}): the
 * put's handling on the event loop, and the reply's hand-off from the append's completion to the end
 * of its write on the event loop. Disabled by default ({@code @Enabled(false)}): only a recording that
 * enables them by name gets them.
 *
 * <p>Cost when off: a hook reads {@link FlightRecorder#isInitialized()} and returns null (or the
 * channel's void promise); no event class is loaded before JFR runs and nothing is allocated.
 * Thread-safe.
 */
public final class BrokerTrace {
    /** A put on the event loop: from the decoded command reaching the put processor to the append's return. */
    public static final String PUT_HANDLED = "io.imago.broker.PutHandled";
    /** From the append's completion (on the thread that completed it) to the reply written to the socket. */
    public static final String REPLY_WRITE = "io.imago.broker.ReplyWrite";
    /** Every event name above. */
    public static final List<String> EVENTS = List.of(PUT_HANDLED, REPLY_WRITE);

    private BrokerTrace() {}

    public static PutHandledEvent putBegin() {
        if (!FlightRecorder.isInitialized() || !Types.PUT_HANDLED.isEnabled()) {
            return null;
        }
        PutHandledEvent e = new PutHandledEvent();
        e.begin();
        return e;
    }

    public static void putEnd(PutHandledEvent e, String topic, int partition, int bytes) {
        if (e != null && e.shouldCommit()) {
            e.topic = topic;
            e.partition = partition;
            e.bytes = bytes;
            e.commit();
        }
    }

    /**
     * Writes a put's reply from the append's completion: with the channel's void promise when the event
     * is off (Netty moves the write to the event loop); else as a task on the event loop that notes
     * when it starts ({@code queued}) and writes with a promise whose completion (once the reply is
     * written) commits the event begun now.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // a failed write reaches exceptionCaught, as with the void promise
    public static void writeReply(Channel channel, Object reply, int partition) {
        if (!FlightRecorder.isInitialized() || !Types.REPLY_WRITE.isEnabled()) {
            channel.writeAndFlush(reply, channel.voidPromise());
            return;
        }
        ReplyWriteEvent e = new ReplyWriteEvent();
        e.begin();
        long handed = System.nanoTime();
        Runnable write = () -> {
            e.queued = System.nanoTime() - handed;
            channel.writeAndFlush(reply, promise(channel, e, partition));
        };
        if (channel.eventLoop().inEventLoop()) {
            write.run();
            return;
        }
        try {
            channel.eventLoop().execute(write);
        } catch (RejectedExecutionException closing) {
            ReferenceCountUtil.release(reply); // the event loop is shut down: the channel is gone
        }
    }

    private static ChannelPromise promise(Channel channel, ReplyWriteEvent e, int partition) {
        ChannelPromise promise = channel.newPromise();
        promise.addListener(f -> {
            if (!f.isSuccess()) {
                channel.pipeline().fireExceptionCaught(f.cause()); // where a void promise reports it
            }
            if (e.shouldCommit()) {
                e.partition = partition;
                e.written = f.isSuccess();
                e.commit();
            }
        });
        return promise;
    }

    /** Initialised at the first hook after JFR started: looking a type up registers the event class. */
    private static final class Types {
        static final EventType PUT_HANDLED = EventType.getEventType(PutHandledEvent.class);
        static final EventType REPLY_WRITE = EventType.getEventType(ReplyWriteEvent.class);
    }
}
