package io.imago.client.internal.producer;

import io.imago.Message;
import io.imago.client.internal.remoting.OpaqueGenerator;
import io.imago.client.internal.remoting.RemotingClient;
import io.imago.client.internal.remoting.RequestTimeoutException;
import io.imago.client.producer.SendResult;
import io.imago.cluster.Partition;
import io.imago.exception.MessageNotSentException;
import io.imago.exception.MetaClientException;
import io.imago.protocol.command.PutBatchCommand;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * The batching half of a producer: one lane per (broker, topic, partition) that turns sends into
 * {@code putb} frames by "natural batching", without linger. A send goes out at once as a batch of
 * one when fewer than {@code maxInFlight} batches of its lane are in flight; otherwise it is encoded
 * into the lane's open batch (a pooled buffer), which leaves when a batch of the lane completes, and
 * is closed early (queued behind the in-flight ones) when it reaches {@code maxBatchBytes} or
 * {@link PutBatchCommand#MAX_COUNT} messages. Each message's listener is told its own
 * {@link SendResult} (id {@code firstId + i}, offset {@code firstOffset} plus the record sizes before
 * it) or its batch's outcome. The completing (I/O) thread reads the reply and sets each message's id,
 * partition and offset (a few field writes per message) and tells the {@link DirectListener}s (the
 * futures synchronous senders wait on); the other listeners of a batch run in one task on the callback
 * executor. So a synchronous send never waits for a callback thread, and a callback never runs on an
 * I/O thread.
 * What the producer does on a transport failure (fail over) is its {@link Outcome} handler's business.
 *
 * <p>Order under failures: a batch is only sent while its deadline (the latest of its messages') has
 * not passed; one whose deadline passed while it waited fails unsent ({@link MessageNotSentException}).
 * The first failure of a lane (no reply, an error reply, an expired batch) stops its pipeline: the
 * batches waiting behind it fail unsent, and so does every send to the lane until the batches already
 * in flight have completed. So nothing is sent to a partition behind a failed message before the
 * application has heard of the failure, and it can send the failed message and those behind it again,
 * in order. (Batches already in flight when one fails may still be stored: with more than one in
 * flight, a failure can leave a gap before later stored messages.)
 *
 * <p>Memory: the encoded bytes not yet acknowledged are bounded by the producer's {@link SendBuffer}
 * (shared with its single puts); a send beyond waits up to its timeout for room (an I/O or timer
 * thread never waits: it fails at once).
 *
 * <p>Thread-safe: a lane is guarded by its own monitor; nothing is sent while holding it.
 */
final class PutBatcher {
    private static final int INITIAL_BATCH_CAPACITY = 4096;
    private static final int INITIAL_BATCH_MESSAGES = 64;

    private final RemotingClient remoting;
    private final Executor callbacks;
    private final ByteBufAllocator alloc;
    private final int maxBatchBytes;
    private final int maxInFlight;
    private final SendBuffer buffer;
    private final Map<LaneKey, Lane> lanes = new ConcurrentHashMap<>();
    private final LongAdder batchesSent = new LongAdder();

    /** What becomes of a message whose batch failed in transport (the producer may fail it over). */
    @FunctionalInterface
    interface Outcome {
        /** The future of the message's retry, or of its failure with {@code error}. */
        CompletableFuture<SendResult> failed(Message message, Partition chosen, Throwable error, long timeoutMs);
    }

    private final Outcome onTransportFailure;

    /**
     * A listener that only completes what a sending thread waits on: cheap, never blocks, so it is told
     * on the completing thread instead of on the callback executor.
     */
    interface DirectListener extends BiConsumer<SendResult, Throwable> {}

    PutBatcher(
            RemotingClient remoting,
            Executor callbacks,
            ByteBufAllocator alloc,
            int maxBatchBytes,
            int maxInFlight,
            SendBuffer buffer,
            Outcome onTransportFailure) {
        this.remoting = remoting;
        this.callbacks = callbacks;
        this.alloc = alloc;
        this.maxBatchBytes = maxBatchBytes;
        this.maxInFlight = maxInFlight;
        this.buffer = buffer;
        this.onTransportFailure = onTransportFailure;
    }

    /** {@code putb} frames sent so far (for tests and diagnostics). */
    long batchesSent() {
        return batchesSent.sum();
    }

    /** Each lane's state, for diagnostics. */
    String describe() {
        StringBuilder out = new StringBuilder("room=" + buffer.availableBytes());
        lanes.values().forEach(l -> out.append("; ").append(l));
        return out.toString();
    }

    /**
     * Queues {@code message} for {@code partition} of the broker at {@code url}.
     *
     * @param brokerLimit the most body bytes of a {@code putb} that broker accepts (it announced it)
     * @param listener told the outcome once (the raw error on failure), on the callback executor or,
     *        when it is saturated, on the completing thread
     * @return false when the message is too big for a batch (send it with a single put; the listener
     *         is not called)
     */
    boolean send(
            String url,
            int brokerLimit,
            Message message,
            Partition partition,
            long timeoutMs,
            BiConsumer<SendResult, Throwable> listener) {
        String attribute = message.hasAttribute() ? message.getAttribute() : null;
        byte[] data = message.getData();
        int entryBytes = PutBatchCommand.entryBytes(attribute, data);
        int cap = Math.min(maxBatchBytes, brokerLimit);
        if (entryBytes > cap || entryBytes > buffer.capacityBytes()) {
            return false;
        }
        if (!buffer.reserve(entryBytes, timeoutMs)) {
            listener.accept(
                    null,
                    new RequestTimeoutException(
                            "No room to queue a message for " + url + " within " + timeoutMs + " ms ("
                                    + buffer.capacityBytes() + " bytes of sends unacknowledged); not sent",
                            false));
            return true;
        }
        Pending pending = new Pending(
                message, listener, entryBytes, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), timeoutMs);
        LaneKey key = new LaneKey(url, message.getTopic(), partition.getBrokerId(), partition.getPartition());
        Lane lane = lanes.get(key);
        if (lane == null) {
            lane = lanes.computeIfAbsent(key, k -> new Lane(k, partition));
        }
        Batch ready;
        try {
            if (!lane.add(pending, attribute, data, cap)) {
                buffer.release(entryBytes);
                listener.accept(
                        null,
                        new MessageNotSentException("Not sent: an earlier message to partition "
                                + partition + " of " + message.getTopic()
                                + " failed and the partition's sends stop until"
                                + " the ones in flight have completed (" + lane.stoppedBy() + ")"));
                return true;
            }
            ready = lane.next();
        } catch (RuntimeException e) {
            buffer.release(entryBytes);
            listener.accept(null, e);
            return true;
        }
        if (ready != null) {
            dispatch(lane, ready);
        }
        return true;
    }

    @SuppressWarnings("FutureReturnValueIgnored") // completed() handles the reply and the failure alike
    private void dispatch(Lane lane, Batch batch) {
        long remainingNanos = batch.deadlineNanos - System.nanoTime();
        if (remainingNanos <= 0) { // sent now it would fail anyway, and might be stored all the same
            batch.body.release();
            completed(
                    lane,
                    batch,
                    null,
                    new MessageNotSentException("Not sent: the timeout of the " + batch.messages.size()
                            + " message(s) of a batch to partition " + lane.chosen + " of " + lane.key.topic
                            + " passed while the batch waited for its turn"));
            return;
        }
        long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNanos));
        batchesSent.increment();
        CompletableFuture<ResponseCommand> reply;
        try {
            PutBatchCommand command = new PutBatchCommand(
                    lane.key.topic, lane.key.partition, batch.messages.size(), OpaqueGenerator.next(), batch.body);
            reply = remoting.invoke(lane.key.url, command, timeoutMs);
        } catch (RuntimeException e) { // a bug: still fail the batch's messages and free its slot
            batch.body.release();
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, error) -> completed(lane, batch, r, error));
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the listeners catch what the application's callbacks throw
    private void completed(Lane lane, Batch batch, ResponseCommand reply, Throwable error) {
        boolean ok = error == null && reply instanceof ResultCommand result && result.isSuccess();
        String failure = ok ? null : describe(reply, error);
        List<Batch> unsent = new ArrayList<>();
        Batch next = lane.finished(failure, unsent);
        if (next != null) {
            dispatch(lane, next);
        }
        buffer.release(batch.bytes);
        if (!unsent.isEmpty()) {
            failUnsent(lane, unsent, failure);
        }
        if (error != null) {
            Throwable cause = SimpleMessageProducer.unwrap(error);
            for (Pending p : batch.messages) {
                CompletableFuture<SendResult> retried;
                try {
                    retried = onTransportFailure.failed(p.message, lane.chosen, cause, p.timeoutMs);
                } catch (RuntimeException e) {
                    e.addSuppressed(cause);
                    retried = CompletableFuture.failedFuture(e);
                }
                if (p.listener instanceof DirectListener) {
                    retried.whenComplete(p.listener);
                } else {
                    retried.whenCompleteAsync(p.listener, callbacks);
                }
            }
            return;
        }
        deliver(lane, batch, reply);
    }

    /** Tells the direct listeners of {@code pendings} now, the others in one task on the callback executor. */
    private void tell(List<Pending> pendings, IntFunction<SendResult> result, Throwable error) {
        boolean others = false;
        for (int i = 0; i < pendings.size(); i++) {
            Pending p = pendings.get(i);
            if (p.listener instanceof DirectListener) {
                p.listener.accept(result.apply(i), error);
            } else {
                others = true;
            }
        }
        if (!others) {
            return;
        }
        Runnable rest = () -> {
            for (int i = 0; i < pendings.size(); i++) {
                Pending p = pendings.get(i);
                if (!(p.listener instanceof DirectListener)) {
                    p.listener.accept(result.apply(i), error);
                }
            }
        };
        try {
            callbacks.execute(rest);
        } catch (RejectedExecutionException e) {
            rest.run();
        }
    }

    private static String describe(ResponseCommand reply, Throwable error) {
        return error != null ? SimpleMessageProducer.unwrap(error).toString() : String.valueOf(reply);
    }

    /** Fails the messages of batches a failure of their lane kept from being sent; frees their room. */
    private void failUnsent(Lane lane, List<Batch> unsent, String failure) {
        MessageNotSentException error = new MessageNotSentException("Not sent: an earlier batch to partition "
                + lane.chosen + " of " + lane.key.topic + " failed (" + failure + "), so the partition's"
                + " later batches were not sent, to keep the order");
        for (Batch b : unsent) {
            b.body.release();
            buffer.release(b.bytes);
        }
        List<Pending> pendings = new ArrayList<>();
        unsent.forEach(b -> pendings.addAll(b.messages));
        tell(pendings, i -> null, error);
    }

    private void deliver(Lane lane, Batch batch, ResponseCommand reply) {
        SendResult[] results;
        try {
            results = PutReply.readBatch(
                    reply,
                    lane.chosen,
                    batch.messages.stream().map(Pending::message).toList(),
                    batch.messages.stream().mapToInt(Pending::entryBytes).toArray());
        } catch (MetaClientException e) {
            tell(batch.messages, i -> null, e);
            return;
        } finally {
            reply.release();
        }
        tell(batch.messages, i -> results[i], null);
    }

    /** Where a batch goes: broker URL, topic and partition (with its broker id). */
    private record LaneKey(String url, String topic, int brokerId, int partition) {}

    /** A message waiting for its batch's reply. */
    private record Pending(
            Message message,
            BiConsumer<SendResult, Throwable> listener,
            int entryBytes,
            long deadlineNanos,
            long timeoutMs) {}

    /** A closed batch: its encoded entries and their messages, in order. */
    private static final class Batch {
        final ByteBuf body;
        final List<Pending> messages = new ArrayList<>(INITIAL_BATCH_MESSAGES);
        int bytes;
        long deadlineNanos = Long.MIN_VALUE;

        Batch(ByteBuf body) {
            this.body = body;
        }
    }

    /**
     * One destination's open batch, closed batches waiting for a slot, and count in flight; stopped
     * (with the failure that stopped it) from a failed batch until nothing is in flight.
     */
    private final class Lane {
        final LaneKey key;
        final Partition chosen;
        private Batch open;
        private final ArrayDeque<Batch> waiting = new ArrayDeque<>();
        private int inFlight;
        private String stoppedBy;

        Lane(LaneKey key, Partition chosen) {
            this.key = key;
            this.chosen = chosen;
        }

        /** Adds a message to the open batch; false when the lane is stopped (the message was not added). */
        synchronized boolean add(Pending pending, String attribute, byte[] data, int cap) {
            if (stoppedBy != null) {
                return false;
            }
            if (open != null
                    && (open.bytes + pending.entryBytes > cap || open.messages.size() >= PutBatchCommand.MAX_COUNT)) {
                waiting.add(open);
                open = null;
            }
            if (open == null) {
                open = new Batch(
                        alloc.buffer(Math.min(cap, Math.max(INITIAL_BATCH_CAPACITY, pending.entryBytes)), cap));
            }
            PutBatchCommand.writeEntry(open.body, attribute, data); // writes all or nothing
            open.bytes += pending.entryBytes;
            open.messages.add(pending);
            open.deadlineNanos = Math.max(open.deadlineNanos, pending.deadlineNanos);
            return true;
        }

        /** The batch to send now, if a slot is free. */
        synchronized Batch next() {
            return inFlight < maxInFlight && stoppedBy == null ? take() : null;
        }

        /** The failure that stopped the lane, or null. */
        synchronized String stoppedBy() {
            return stoppedBy;
        }

        @Override
        public synchronized String toString() {
            return key + " inFlight=" + inFlight + " waiting=" + waiting.size() + " open="
                    + (open == null ? 0 : open.messages.size());
        }

        /**
         * A batch completed, or failed with {@code failure} (null on success). A failure stops the lane:
         * the batches not yet sent move to {@code unsent}. Returns the next batch to send, if any.
         */
        synchronized Batch finished(String failure, List<Batch> unsent) {
            inFlight--;
            if (failure != null) {
                stoppedBy = failure;
                unsent.addAll(waiting);
                waiting.clear();
                if (open != null) {
                    unsent.add(open);
                    open = null;
                }
            }
            if (stoppedBy != null) {
                if (inFlight == 0) {
                    stoppedBy = null; // everything sent before the failure has completed: the lane resumes
                }
                return null;
            }
            return take();
        }

        /** Under the lock: the oldest waiting batch (or the open one), counted in flight. */
        private Batch take() {
            Batch next = waiting.poll();
            if (next == null) {
                next = open;
                open = null;
            }
            if (next != null) {
                inFlight++;
            }
            return next;
        }
    }
}
