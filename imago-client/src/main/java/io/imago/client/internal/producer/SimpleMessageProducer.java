package io.imago.client.internal.producer;

import io.imago.Message;
import io.imago.client.MetaClientConfig;
import io.imago.client.internal.cluster.TopicBrokers;
import io.imago.client.internal.cluster.TopicRoutes;
import io.imago.client.internal.remoting.ConnectionException;
import io.imago.client.internal.remoting.OpaqueGenerator;
import io.imago.client.internal.remoting.RemotingClient;
import io.imago.client.internal.remoting.RemotingException;
import io.imago.client.internal.transaction.ProducerTransactions;
import io.imago.client.internal.transaction.TransactionRequests;
import io.imago.client.internal.transaction.TxSend;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.PartitionSelector;
import io.imago.client.producer.SendMessageCallback;
import io.imago.client.producer.SendResult;
import io.imago.cluster.Partition;
import io.imago.exception.MessageNotSentException;
import io.imago.exception.MetaClientException;
import io.imago.protocol.Names;
import io.imago.protocol.RecordDescriptor;
import io.imago.protocol.command.PutCommand;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.TransactionId;
import io.imago.protocol.message.MessagePayload;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer: encodes a message as a 7-token put (payload with its attribute section and flag bit 0,
 * CRC32 checksum), sends it to the partition the selector picks, and reads the reply into a
 * {@link SendResult}. A transport failure before anything was written ({@link ConnectionException}:
 * connection down or unwritable) is retried once on a partition of another broker when the topic has
 * one and the selector allows it ({@link PartitionSelector#allowsFailover()}); a broker's error reply,
 * a timeout and a connection lost in flight are not retried (the message may have been stored). A
 * failure that left the message unsent is reported as {@link MessageNotSentException}, any other as a
 * plain {@link MetaClientException} (it may have been stored). Asynchronous outcomes are delivered on
 * the factory's callback executor, never on an I/O thread.
 *
 * <p>To an Imago broker that announced the {@code putb} extension, sends to an explicit partition go
 * through a {@link PutBatcher} (natural batching, no linger); a message whose batch fails in transport
 * gets the same single fail-over. Until the capability is known, to the original MetaQ broker, with
 * partition {@code -1} (direct mode) and for the ordered producer's {@link #sendTo}, it sends single
 * puts. Thread-safe.
 */
public class SimpleMessageProducer implements MessageProducer {
    private static final Logger LOG = LoggerFactory.getLogger(SimpleMessageProducer.class);

    private final TopicRoutes routes;
    private final RemotingClient remoting;
    private final PartitionSelector selector;
    private final CallbackExecutor callbacks;
    private final Consumer<SimpleMessageProducer> onShutdown;
    private final PutBatcher batcher;
    private final SendBuffer buffer;
    /** Per-partition order of single puts: a failure stops the partition's lane ({@link SinglePutLanes}). */
    private final SinglePutLanes singleLanes = new SinglePutLanes();
    /** The local transactions of this producer's threads (and an XA producer's branches). */
    protected final ProducerTransactions transactions;

    private volatile boolean shutdown;

    /**
     * @param callbacks where callbacks and async futures complete
     * @param onShutdown told once when this producer shuts down (the factory forgets it)
     * @param batching the {@code putb} settings ({@link MetaClientConfig#isPutBatchEnabled()} and the
     *        {@code putBatch*} sizes), or null for single puts only
     * @param sessionId the producer's session id, in its transaction keys and requests
     */
    public SimpleMessageProducer(
            TopicRoutes routes,
            RemotingClient remoting,
            PartitionSelector selector,
            CallbackExecutor callbacks,
            Consumer<SimpleMessageProducer> onShutdown,
            MetaClientConfig batching,
            String sessionId) {
        this.transactions = new ProducerTransactions(new TransactionRequests(remoting, sessionId));
        this.routes = routes;
        this.remoting = remoting;
        this.selector = Objects.requireNonNull(selector, "partition selector");
        this.callbacks = callbacks;
        this.onShutdown = onShutdown;
        this.buffer = batching == null ? null : new SendBuffer(batching.getPutBatchBufferBytes());
        this.batcher = batching == null || !batching.isPutBatchEnabled()
                ? null
                : new PutBatcher(
                        remoting,
                        callbacks,
                        PooledByteBufAllocator.DEFAULT,
                        batching.getPutBatchMaxBytes(),
                        batching.getPutBatchMaxInFlight(),
                        buffer,
                        (message, chosen, error, timeoutMs) ->
                                failOver(message, Encoded.of(message), chosen, error, timeoutMs));
    }

    @Override
    public void publish(String topic) {
        checkOpen();
        routes.publish(Names.checkTopic(Objects.requireNonNull(topic, "topic")));
    }

    @Override
    public void setDefaultTopic(String topic) {
        checkOpen();
        routes.setDefaultTopic(Names.checkTopic(Objects.requireNonNull(topic, "topic")));
    }

    @Override
    public SendResult sendMessage(Message message) throws MetaClientException, InterruptedException {
        return sendMessage(message, DEFAULT_SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public SendResult sendMessage(Message message, long timeout, TimeUnit unit)
            throws MetaClientException, InterruptedException {
        try {
            return send(message, unit.toMillis(timeout)).get();
        } catch (ExecutionException e) {
            throw asClientException(e.getCause());
        }
    }

    @Override
    public void sendMessage(Message message, SendMessageCallback callback) {
        sendMessage(message, callback, DEFAULT_SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void sendMessage(Message message, SendMessageCallback callback, long timeout, TimeUnit unit) {
        Objects.requireNonNull(callback, "callback");
        onCallbackThread(message, unit.toMillis(timeout), (result, error) -> {
            try {
                if (error == null) {
                    callback.onMessageSent(result);
                } else {
                    callback.onException(asClientException(error));
                }
            } catch (RuntimeException e) {
                LOG.warn(
                        "A send callback threw; the send itself {}: {}",
                        error == null ? "completed" : "failed",
                        e.toString());
            }
        });
    }

    /**
     * Sends and runs {@code action} with the outcome on the callback executor: a batched send tells it
     * there directly (no future in between), a single put through its future. The send first takes one
     * of the executor's tickets (waiting up to its timeout), given back after {@code action} ran; without
     * one it is not sent and {@code action} is told so on this thread.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the actions catch what the application's callbacks throw
    private void onCallbackThread(Message message, long timeoutMs, BiConsumer<SendResult, Throwable> action) {
        if (!callbacks.admit(timeoutMs)) {
            action.accept(
                    null,
                    new MessageNotSentException("Not sent: " + callbacks.maxWaiting() + " asynchronous "
                            + "sends of this session factory were still waiting for their outcome after " + timeoutMs
                            + " ms"));
            return;
        }
        BiConsumer<SendResult, Throwable> thenRelease = (result, error) -> {
            try {
                action.accept(result, error);
            } finally {
                callbacks.release();
            }
        };
        CompletableFuture<SendResult> f = send(message, timeoutMs, thenRelease);
        if (f != null) {
            f.whenCompleteAsync(thenRelease, callbacks);
        }
    }

    @Override
    public CompletableFuture<SendResult> sendMessageAsync(Message message) {
        return sendMessageAsync(message, DEFAULT_SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<SendResult> sendMessageAsync(Message message, long timeout, TimeUnit unit) {
        CompletableFuture<SendResult> out = new CompletableFuture<>();
        onCallbackThread(message, unit.toMillis(timeout), (result, error) -> {
            if (error == null) {
                out.complete(result);
            } else {
                out.completeExceptionally(asClientException(error));
            }
        });
        return out;
    }

    @Override
    public void beginTransaction() throws MetaClientException {
        transactions.begin();
    }

    @Override
    public void commit() throws MetaClientException {
        transactions.commit();
    }

    @Override
    public void rollback() throws MetaClientException {
        transactions.rollback();
    }

    @Override
    public void setTransactionTimeout(int seconds) throws MetaClientException {
        transactions.setTimeoutSeconds(seconds);
    }

    @Override
    public int getTransactionTimeout() throws MetaClientException {
        return transactions.timeoutSeconds();
    }

    @Override
    public void setTransactionRequestTimeout(long time, TimeUnit unit) {
        transactions.setRequestTimeout(time, unit);
    }

    /** The producer's session id (in its transaction keys). */
    public String sessionId() {
        return transactions.requests().sessionId();
    }

    @Override
    public PartitionSelector getPartitionSelector() {
        return selector;
    }

    @Override
    public void shutdown() {
        if (!shutdown) {
            shutdown = true;
            onShutdown.accept(this);
        }
    }

    /** The send: choose, encode, put, read the reply; fail over once on a transport failure. */
    CompletableFuture<SendResult> send(Message message, long timeoutMs) {
        return send(message, timeoutMs, null);
    }

    /**
     * The send; when it goes through a batch and {@code listener} is not null, the listener is told
     * the outcome (on the callback executor) and this returns null.
     */
    private CompletableFuture<SendResult> send(
            Message message, long timeoutMs, BiConsumer<SendResult, Throwable> listener) {
        try {
            Objects.requireNonNull(message, "message");
            if (shutdown) {
                throw new MetaClientException("The producer has been shut down");
            }
            TxSend tx = transactions.current();
            if (tx != null) {
                return sendInTransaction(message, timeoutMs, tx);
            }
            TopicBrokers brokers = routes.route(message.getTopic());
            Partition chosen = selector.getPartition(message.getTopic(), brokers.partitions(), message);
            if (batcher != null && chosen.getPartition() >= 0) {
                String url = brokers.url(chosen).orElse(null);
                int limit = url == null ? 0 : remoting.putBatchLimit(url);
                if (limit > 0) {
                    ListenerFuture future = listener == null ? new ListenerFuture() : null;
                    if (batcher.send(url, limit, message, chosen, timeoutMs, listener == null ? future : listener)) {
                        return future;
                    }
                }
            }
            Encoded encoded = Encoded.of(message);
            int held = buffer == null ? 0 : Math.min(encoded.body().length, buffer.capacityBytes());
            if (held > 0 && !buffer.reserve(held, timeoutMs)) {
                throw new MessageNotSentException("Not sent: no room for a put of " + encoded.body().length
                        + " bytes within " + timeoutMs + " ms (" + buffer.capacityBytes()
                        + " bytes of sends unacknowledged)");
            }
            String lane = message.getTopic() + "/" + chosen;
            try {
                singleLanes.admit(lane);
            } catch (MessageNotSentException stopped) {
                if (held > 0) {
                    buffer.release(held);
                }
                throw stopped;
            }
            CompletableFuture<SendResult> sent = attempt(message, encoded, brokers, chosen, timeoutMs)
                    .exceptionallyCompose(error -> failOver(message, encoded, chosen, unwrap(error), timeoutMs))
                    .whenComplete((result, error) -> singleLanes.finished(
                            lane,
                            error != null || result == null || result.isSuccess()
                                    ? error
                                    : new MetaClientException("refused: " + result.getErrorMessage())));
            // the caller sees the outcome once the room is given back
            return held == 0 ? sent : sent.whenComplete((result, error) -> buffer.release(held));
        } catch (MetaClientException e) { // no partition, a shut down producer: nothing was sent
            return CompletableFuture.failedFuture(notSent(e));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A send inside the calling thread's transaction: a single put carrying the transaction's key, to
     * a partition the transaction allows, after the {@code BEGIN} its broker is owed (sent here, on the
     * calling thread); never batched, never failed over.
     */
    private CompletableFuture<SendResult> sendInTransaction(Message message, long timeoutMs, TxSend tx)
            throws MetaClientException {
        TopicBrokers brokers = routes.route(message.getTopic());
        Partition chosen = selector.getPartition(message.getTopic(), tx.partitions(brokers), message);
        String url = brokers.url(chosen)
                .orElseThrow(() -> new MetaClientException(
                        "No broker known for partition " + chosen + " of topic " + message.getTopic()));
        TransactionId key;
        try {
            key = tx.beforePut(url);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessageNotSentException("Interrupted before the transaction began at " + url, e);
        }
        Encoded encoded = Encoded.of(message);
        PutCommand put = new PutCommand(
                message.getTopic(),
                chosen.getPartition(),
                encoded.flag(),
                encoded.checksum(),
                key,
                OpaqueGenerator.next(),
                Unpooled.wrappedBuffer(encoded.body()));
        return remoting.invoke(url, put, timeoutMs).thenApply(reply -> read(reply, message, chosen));
    }

    private static MessageNotSentException notSent(MetaClientException e) {
        return e instanceof MessageNotSentException n ? n : new MessageNotSentException(e.getMessage(), e);
    }

    /** The batcher's lanes, for diagnostics. */
    String describeBatching() {
        return batcher == null ? "off" : batcher.describe();
    }

    /** {@code putb} frames this producer sent (0 when batching is off or never negotiated). */
    long batchesSent() {
        return batcher == null ? 0 : batcher.batchesSent();
    }

    /**
     * A put to exactly {@code partition}, without fail-over (for the ordered producer, which keeps the
     * message locally instead when the partition is unavailable).
     */
    CompletableFuture<SendResult> sendTo(Message message, Partition partition, long timeoutMs) {
        try {
            Objects.requireNonNull(message, "message");
            if (shutdown) {
                throw new MetaClientException("The producer has been shut down");
            }
            return attempt(message, Encoded.of(message), routes.route(message.getTopic()), partition, timeoutMs);
        } catch (MetaClientException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<SendResult> failOver(
            Message message, Encoded encoded, Partition failed, Throwable error, long timeoutMs) {
        // only a put that never reached the broker moves, and only when its selector allows it (a key stays
        // on its partition): one lost in flight may be stored already
        if (!(error instanceof ConnectionException ce)
                || ce.maybeDelivered()
                || shutdown
                || !selector.allowsFailover()) {
            return CompletableFuture.failedFuture(error);
        }
        TopicBrokers brokers = routes.route(message.getTopic());
        List<Partition> others = brokers.partitionsNotOn(failed.getBrokerId());
        if (others.isEmpty()) {
            return CompletableFuture.failedFuture(error);
        }
        try {
            Partition next = selector.getPartition(message.getTopic(), others, message);
            LOG.debug("Send to partition {} failed ({}); retrying on {}", failed, error, next);
            return attempt(message, encoded, brokers, next, timeoutMs);
        } catch (MetaClientException | RuntimeException e) {
            e.addSuppressed(error);
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<SendResult> attempt(
            Message message, Encoded encoded, TopicBrokers brokers, Partition partition, long timeoutMs) {
        String url = brokers.url(partition).orElse(null);
        if (url == null) {
            return CompletableFuture.failedFuture(new ConnectionException(
                    "No broker known for partition " + partition + " of topic " + message.getTopic(), null));
        }
        PutCommand put = new PutCommand(
                message.getTopic(),
                partition.getPartition(),
                encoded.flag(),
                encoded.checksum(),
                null,
                OpaqueGenerator.next(),
                Unpooled.wrappedBuffer(encoded.body()));
        return remoting.invoke(url, put, timeoutMs).thenApply(reply -> read(reply, message, partition));
    }

    private static SendResult read(ResponseCommand reply, Message message, Partition partition) {
        try {
            PutReply.Sent sent = PutReply.read(reply, partition);
            if (sent.result().isSuccess()) {
                message.setId(sent.messageId());
                message.setPartition(sent.result().getPartition());
                message.setOffset(sent.result().getOffset());
            }
            return sent.result();
        } catch (MetaClientException e) {
            throw new CompletionException(e);
        } finally {
            reply.release();
        }
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** The public form of a send's failure: {@link MessageNotSentException} when nothing was sent. */
    static MetaClientException asClientException(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof RemotingException r && !r.maybeDelivered()) {
            return new MessageNotSentException(r.getMessage(), r);
        }
        return e instanceof MetaClientException m ? m : new MetaClientException("Send failed: " + e, e);
    }

    private void checkOpen() {
        if (shutdown) {
            throw new IllegalStateException("The producer has been shut down");
        }
    }

    /**
     * The future of a batched send that nobody listens to otherwise (a synchronous send); completed on
     * the completing thread, so a synchronous send never waits for a callback thread.
     */
    private static final class ListenerFuture extends CompletableFuture<SendResult>
            implements PutBatcher.DirectListener {
        @Override
        public void accept(SendResult result, Throwable error) {
            if (error == null) {
                complete(result);
            } else {
                completeExceptionally(error);
            }
        }
    }

    /** A message's put body, flag and checksum, computed once for every attempt. */
    private record Encoded(byte[] body, int flag, int checksum) {
        static Encoded of(Message message) {
            MessagePayload payload = message.hasAttribute()
                    ? MessagePayload.of(message.getData(), message.getAttribute())
                    : MessagePayload.of(message.getData());
            byte[] body = payload.encode();
            return new Encoded(body, payload.flag(), RecordDescriptor.checksum(body, 0, body.length));
        }
    }
}
