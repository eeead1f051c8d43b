package io.imago.broker.server;

import io.imago.broker.partition.PartitionEntry;
import io.imago.store.TopicPartition;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * The puts of one connection that wait for a partition being opened ({@link
 * io.imago.broker.partition.PartitionRegistry#getOrCreateAsync}), so that the event loop never waits
 * for a disk: each put waits in a queue per partition and goes on, on the connection's event loop, once
 * its partition is open. A put to a partition that already has puts waiting on this connection waits
 * behind them even if the partition is open by then, so the puts of one connection to one partition
 * reach the log in the order they arrived, as they do when the partition exists.
 *
 * <p>Not thread-safe: used only on the connection's event loop (one per channel, a channel attribute,
 * made only when a put first has to wait).
 */
final class WaitingPuts {
    private static final AttributeKey<WaitingPuts> KEY = AttributeKey.valueOf("imago.putsWaitingForPartition");

    private record Waiting(CompletableFuture<PartitionEntry> opened, long bytes, Runnable resume) {}

    private final Channel channel;
    private final Map<TopicPartition, ArrayDeque<Waiting>> queues = new HashMap<>();
    private long bytes;

    private WaitingPuts(Channel channel) {
        this.channel = channel;
    }

    /**
     * Whether a put of {@code channel} to {@code topic}-{@code partition} must wait: its partition's open
     * has not ended, or an earlier put of the connection to that partition still waits. Allocates
     * nothing unless puts of this connection wait.
     */
    static boolean mustWait(Channel channel, CompletableFuture<PartitionEntry> opened, String topic, int partition) {
        if (!opened.isDone()) {
            return true;
        }
        if (!channel.hasAttr(KEY)) {
            return false;
        }
        WaitingPuts w = channel.attr(KEY).get();
        return w != null && !w.queues.isEmpty() && w.queues.containsKey(new TopicPartition(topic, partition));
    }

    /**
     * Makes a put of {@code bodyBytes} to {@code topic}-{@code partition} wait for {@code opened} and for
     * the puts of this connection to that partition ahead of it; then {@code resume} runs on the event
     * loop (it must not throw; if it does, the connection is closed as by an error in its handler, and
     * the puts behind it still go on). While puts wait, they count as in
     * flight for the connection's backpressure ({@link PutProcessor.InFlight}), by their bytes.
     */
    static void add(
            Channel channel,
            String topic,
            int partition,
            CompletableFuture<PartitionEntry> opened,
            long bodyBytes,
            Runnable resume) {
        WaitingPuts w = channel.attr(KEY).get();
        if (w == null) {
            w = new WaitingPuts(channel);
            channel.attr(KEY).set(w);
        }
        w.add(new TopicPartition(topic, partition), new Waiting(opened, bodyBytes, resume));
    }

    private void add(TopicPartition tp, Waiting waiting) {
        bytes += waiting.bytes();
        PutProcessor.InFlight.of(channel).started(channel, bytes);
        ArrayDeque<Waiting> queue = queues.get(tp);
        if (queue == null) {
            queue = new ArrayDeque<>();
            queues.put(tp, queue);
            queue.add(waiting);
            resumeWhenOpened(tp, waiting.opened());
        } else {
            queue.add(waiting); // the queue's head has a resumption scheduled
        }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the callback handles success and failure alike
    private void resumeWhenOpened(TopicPartition tp, CompletableFuture<PartitionEntry> opened) {
        opened.whenComplete((entry, error) -> {
            try {
                channel.eventLoop().execute(() -> resume(tp));
            } catch (RejectedExecutionException e) {
                resume(tp); // the event loop has stopped: nothing else runs on this channel any more
            }
        });
    }

    /** Resumes the puts at the head of the queue whose partition is open (or failed), in order. */
    private void resume(TopicPartition tp) {
        ArrayDeque<Waiting> queue = queues.get(tp);
        while (!queue.isEmpty()) {
            Waiting next = queue.peek();
            if (!next.opened().isDone()) {
                // a later put got another open (the earlier one failed and this one retries it)
                resumeWhenOpened(tp, next.opened());
                return;
            }
            queue.poll();
            bytes -= next.bytes();
            PutProcessor.InFlight.of(channel).finished(channel, bytes);
            resume(next);
        }
        queues.remove(tp);
    }

    private void resume(Waiting waiting) {
        try {
            waiting.resume().run();
        } catch (RuntimeException e) {
            channel.pipeline().fireExceptionCaught(e); // as an exception of channelRead would: the channel closes
        }
    }

    /** The exception a future failed with, unwrapped from {@link CompletionException}. */
    static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
