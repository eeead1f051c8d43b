package io.imago.client.internal.producer;

import io.imago.Message;
import io.imago.exception.MetaClientException;
import io.imago.cluster.Partition;
import io.imago.client.producer.SendResult;
import io.imago.client.internal.remoting.OpaqueGenerator;
import io.imago.client.internal.remoting.RemotingClient;
import io.imago.client.internal.remoting.RequestTimeoutException;
import io.imago.protocol.RecordDescriptor;
import io.imago.protocol.command.PutBatchCommand;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatusCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.concurrent.atomic.LongAdder;

/**
 * The batching half of a producer: one lane per (broker, topic, partition) that turns sends into
 * {@code putb} frames by "natural batching", without linger. A send goes out at once as a batch of
 * one when fewer than {@code maxInFlight} batches of its lane are in flight; otherwise it is encoded
 * into the lane's open batch (a pooled buffer), which leaves when a batch of the lane completes, and
 * is closed early (queued behind the in-flight ones) when it reaches {@code maxBatchBytes} or
 * {@link PutBatchCommand#MAX_COUNT} messages. Each message's listener is told its own
 * {@link SendResult} (id {@code firstId + i}, offset {@code firstOffset} plus the record sizes before
 * it) or its batch's outcome; a whole batch's listeners run in one task on the callback executor, which also does
 * the per-message work of reading the reply (the I/O thread only sends the lane's next batch).
 * What the producer does on a transport failure (fail over) is its {@link Outcome} handler's business.
 *
 * <p>Memory: the encoded bytes not yet acknowledged are bounded by {@code bufferBytes}; a send
 * beyond waits up to its timeout for room (an I/O or timer thread never waits: it fails at once).
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
    private final int bufferBytes;
    private final Semaphore room;
    private final Map<LaneKey, Lane> lanes = new ConcurrentHashMap<>();
    private final LongAdder batchesSent = new LongAdder();

    /** What becomes of a message whose batch failed in transport (the producer may fail it over). */
    @FunctionalInterface
    interface Outcome {
        /** The future of the message's retry, or of its failure with {@code error}. */
        CompletableFuture<SendResult> failed(Message message, Partition chosen, Throwable error, long timeoutMs);
    }

    private final Outcome onTransportFailure;

    PutBatcher(RemotingClient remoting, Executor callbacks, ByteBufAllocator alloc, int maxBatchBytes,
            int maxInFlight, int bufferBytes, Outcome onTransportFailure) {
        this.remoting = remoting;
        this.callbacks = callbacks;
        this.alloc = alloc;
        this.maxBatchBytes = maxBatchBytes;
        this.maxInFlight = maxInFlight;
        this.bufferBytes = bufferBytes;
        this.room = new Semaphore(bufferBytes);
        this.onTransportFailure = onTransportFailure;
    }

    /** {@code putb} frames sent so far (for tests and diagnostics). */
    long batchesSent() {
        return batchesSent.sum();
    }

    /** Each lane's state, for diagnostics. */
    String describe() {
        StringBuilder out = new StringBuilder("room=" + room.availablePermits());
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
    boolean send(String url, int brokerLimit, Message message, Partition partition, long timeoutMs,
            BiConsumer<SendResult, Throwable> listener) {
        String attribute = message.hasAttribute() ? message.getAttribute() : null;
        byte[] data = message.getData();
        int entryBytes = PutBatchCommand.entryBytes(attribute, data);
        int cap = Math.min(maxBatchBytes, brokerLimit);
        if (entryBytes > cap || entryBytes > bufferBytes) {
            return false;
        }
        if (!reserve(entryBytes, timeoutMs)) {
            listener.accept(null, new RequestTimeoutException("No room to queue a message for " + url + " within "
                    + timeoutMs + " ms (" + bufferBytes + " bytes of batched messages unacknowledged)"));
            return true;
        }
        Pending pending = new Pending(message, listener, entryBytes,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), timeoutMs);
        LaneKey key = new LaneKey(url, message.getTopic(), partition.getBrokerId(), partition.getPartition());
        Lane lane = lanes.get(key);
        if (lane == null) {
            lane = lanes.computeIfAbsent(key, k -> new Lane(k, partition));
        }
        Batch ready;
        try {
            ready = lane.add(pending, attribute, data, cap);
        } catch (RuntimeException e) {
            room.release(entryBytes);
            listener.accept(null, e);
            return true;
        }
        if (ready != null) {
            dispatch(lane, ready);
        }
        return true;
    }

    private boolean reserve(int bytes, long timeoutMs) {
        if (room.tryAcquire(bytes)) {
            return true;
        }
        if (Thread.currentThread() instanceof FastThreadLocalThread) {
            return false; // an I/O or timer thread: waiting could block the completions that make room
        }
        try {
            return room.tryAcquire(bytes, timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // completed() handles the reply and the failure alike
    private void dispatch(Lane lane, Batch batch) {
        long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(batch.deadlineNanos - System.nanoTime()));
        batchesSent.increment();
        CompletableFuture<ResponseCommand> reply;
        try {
            PutBatchCommand command = new PutBatchCommand(lane.key.topic, lane.key.partition, batch.messages.size(),
                    OpaqueGenerator.next(), batch.body);
            reply = remoting.invoke(lane.key.url, command, timeoutMs);
        } catch (RuntimeException e) { // a bug: still fail the batch's messages and free its slot
            batch.body.release();
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, error) -> completed(lane, batch, r, error));
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the listeners catch what the application's callbacks throw
    private void completed(Lane lane, Batch batch, ResponseCommand reply, Throwable error) {
        Batch next = lane.finished();
        if (next != null) {
            dispatch(lane, next);
        }
        room.release(batch.bytes);
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
                retried.whenCompleteAsync(p.listener, callbacks);
            }
            return;
        }
        // the per-message work (ids, offsets, listeners) runs on a callback thread, not on this I/O thread
        Runnable deliver = () -> deliver(lane, batch, reply);
        try {
            callbacks.execute(deliver);
        } catch (RejectedExecutionException e) {
            deliver.run();
        }
    }

    private static void deliver(Lane lane, Batch batch, ResponseCommand reply) {
        try {
            deliverResults(lane, batch, reply);
        } catch (MetaClientException e) {
            for (Pending p : batch.messages) {
                p.listener.accept(null, e);
            }
        } finally {
            reply.release();
        }
    }

    /** Tells each message its result, from the reply; sets the id, partition and offset of stored ones. */
    private static void deliverResults(Lane lane, Batch batch, ResponseCommand reply) throws MetaClientException {
        int count = batch.messages.size();
        if (!(reply instanceof ResultCommand result)) {
            throw new MetaClientException("Unexpected reply to a batch put from partition " + lane.chosen + ": " + reply);
        }
        if (!result.isSuccess()) {
            String error = result.code() == StatusCode.FORBIDDEN.code() ? "403" : result.text();
            SendResult failed = new SendResult(false, lane.chosen, -1, error);
            for (Pending p : batch.messages) {
                p.listener.accept(failed, null);
            }
            return;
        }
        String text = result.text();
        long firstId;
        int partition;
        long offset;
        int replied;
        try {
            String[] tokens = text.split(" ");
            firstId = Long.parseLong(tokens[0]);
            partition = Integer.parseInt(tokens[1]);
            offset = Long.parseLong(tokens[2]);
            replied = Integer.parseInt(tokens[3]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new MetaClientException("Malformed batch put reply '" + text + "' from partition " + lane.chosen, e);
        }
        if (replied != count) {
            throw new MetaClientException("Batch put reply '" + text + "' from partition " + lane.chosen
                    + " acknowledges " + replied + " messages, " + count + " were sent");
        }
        Partition stored = new Partition(lane.chosen.getBrokerId(), partition);
        for (int i = 0; i < count; i++) {
            Pending p = batch.messages.get(i);
            p.message.setId(firstId + i);
            p.message.setPartition(stored);
            p.message.setOffset(offset);
            p.listener.accept(new SendResult(true, stored, offset, null), null);
            offset += RecordDescriptor.recordLength(p.entryBytes - PutBatchCommand.ENTRY_HEADER_BYTES);
        }
    }

    /** Where a batch goes: broker URL, topic and partition (with its broker id). */
    private record LaneKey(String url, String topic, int brokerId, int partition) {
    }

    /** A message waiting for its batch's reply. */
    private record Pending(Message message, BiConsumer<SendResult, Throwable> listener, int entryBytes,
            long deadlineNanos, long timeoutMs) {
    }

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

    /** One destination's open batch, closed batches waiting for a slot, and count in flight. */
    private final class Lane {
        final LaneKey key;
        final Partition chosen;
        private Batch open;
        private final ArrayDeque<Batch> waiting = new ArrayDeque<>();
        private int inFlight;

        Lane(LaneKey key, Partition chosen) {
            this.key = key;
            this.chosen = chosen;
        }

        /** Adds a message; returns the batch to send now, if a slot is free. */
        synchronized Batch add(Pending pending, String attribute, byte[] data, int cap) {
            if (open != null && (open.bytes + pending.entryBytes > cap
                    || open.messages.size() >= PutBatchCommand.MAX_COUNT)) {
                waiting.add(open);
                open = null;
            }
            if (open == null) {
                open = new Batch(alloc.buffer(Math.min(cap, Math.max(INITIAL_BATCH_CAPACITY, pending.entryBytes)),
                        cap));
            }
            PutBatchCommand.writeEntry(open.body, attribute, data); // writes all or nothing
            open.bytes += pending.entryBytes;
            open.messages.add(pending);
            open.deadlineNanos = Math.max(open.deadlineNanos, pending.deadlineNanos);
            return inFlight < maxInFlight ? take() : null;
        }

        @Override
        public synchronized String toString() {
            return key + " inFlight=" + inFlight + " waiting=" + waiting.size() + " open="
                    + (open == null ? 0 : open.messages.size());
        }

        /** A batch completed; returns the next one to send, if any. */
        synchronized Batch finished() {
            inFlight--;
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
