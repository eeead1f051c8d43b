package io.imago.client.producer;

import io.imago.Message;
import io.imago.client.Shutdownable;
import io.imago.exception.MetaClientException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends messages to the partitions of published topics, as MetaQ's {@code MessageProducer}: publish a
 * topic first, then send. The partition of each message is chosen by the producer's
 * {@link PartitionSelector}. A broker's refusal (a non-200 reply) is a {@link SendResult} that is not
 * successful, with the broker's text as its error message ({@code "403"} for a closed partition);
 * a send that got no reply (timeout, no connection) fails with {@link MetaClientException}: the message
 * may have been stored, unless it is a {@link io.imago.exception.MessageNotSentException} (the message
 * never left the client; a retry cannot duplicate it). A send whose broker connection is down is
 * retried once on a partition of another broker, when there is one and the selector
 * {@linkplain PartitionSelector#allowsFailover() allows it}. Thread-safe: one producer may be shared by
 * any number of threads.
 *
 * <p>Local transactions, as MetaQ's: {@link #beginTransaction()} binds a transaction to the calling
 * thread; its sends are journalled by the broker and invisible to consumers until {@link #commit()}
 * (all of them) or {@link #rollback()} (none). The {@code BEGIN} goes out with the first send, whose
 * broker takes every send of the transaction (partitions are chosen among that broker's); sends in a
 * transaction are never batched nor failed over, and their {@link SendResult#getOffset()} is -1. A
 * transaction that sent nothing cannot be committed nor rolled back (MetaQ's "No transaction is
 * started"). The broker rolls a transaction back after its {@linkplain #setTransactionTimeout timeout}
 * and when the producer's connection closes.
 */
public interface MessageProducer extends Shutdownable {

    /** Default timeout of {@link #sendMessage(Message)} and the other sends without a timeout. */
    long DEFAULT_SEND_TIMEOUT_MS = 3_000;

    /**
     * Makes the producer follow the brokers of {@code topic}; must precede sends to it.
     *
     * @throws IllegalStateException when the brokers cannot be read from ZooKeeper, or after shutdown
     * @throws IllegalArgumentException if the topic name breaks the naming rule ({@code io.imago.protocol.Names})
     */
    void publish(String topic);

    /** Publishes {@code topic} and uses its brokers for messages of topics nobody publishes. */
    void setDefaultTopic(String topic);

    /** Sends with the default 3 s timeout; see {@link #sendMessage(Message, long, TimeUnit)}. */
    SendResult sendMessage(Message message) throws MetaClientException, InterruptedException;

    /**
     * Sends and waits for the broker's reply. On success the message gets its id, partition and
     * offset.
     *
     * @throws MetaClientException no partition, no reply in time, no connection, or a closed producer
     */
    SendResult sendMessage(Message message, long timeout, TimeUnit unit)
            throws MetaClientException, InterruptedException;

    /** Sends asynchronously with the default timeout; the callback is called exactly once. */
    void sendMessage(Message message, SendMessageCallback callback);

    /**
     * Sends asynchronously; {@code callback} is called exactly once, on a client callback thread:
     * {@code onMessageSent} with the result (successful or not), or {@code onException} when the send
     * failed without a reply.
     */
    void sendMessage(Message message, SendMessageCallback callback, long timeout, TimeUnit unit);

    /** Sends asynchronously with the default timeout. */
    CompletableFuture<SendResult> sendMessageAsync(Message message);

    /**
     * Sends asynchronously. The future completes on a client callback thread with the result, or
     * exceptionally with a {@link MetaClientException} when the send failed without a reply.
     */
    CompletableFuture<SendResult> sendMessageAsync(Message message, long timeout, TimeUnit unit);

    PartitionSelector getPartitionSelector();

    /**
     * Binds a new local transaction to the calling thread; nothing is sent until its first send.
     *
     * @throws io.imago.exception.TransactionInProgressException the thread has a transaction already
     *     (local, or an XA branch of an {@link XAMessageProducer})
     */
    void beginTransaction() throws MetaClientException;

    /**
     * Commits the calling thread's transaction ({@code COMMIT_ONE_PHASE}) and unbinds it, whatever the
     * outcome.
     *
     * @throws MetaClientException no transaction begun, nothing sent in it, the broker's refusal (its
     *     text), or no reply (then the outcome is unknown)
     */
    void commit() throws MetaClientException;

    /** Rolls the calling thread's transaction back and unbinds it; errors as {@link #commit()}. */
    void rollback() throws MetaClientException;

    /**
     * The timeout, in seconds, sent with the {@code BEGIN} of later transactions: the broker rolls
     * back one that is neither committed nor (XA) prepared by then (capped by its
     * {@code maxTxTimeoutInSeconds}). 0, the default, means none.
     *
     * @throws IllegalArgumentException when negative
     */
    void setTransactionTimeout(int seconds) throws MetaClientException;

    int getTransactionTimeout() throws MetaClientException;

    /** How long a {@code transaction} request waits for its reply (default 5 s). */
    void setTransactionRequestTimeout(long time, TimeUnit unit);

    /** Whether this producer keeps the order of messages per partition (the ordered factory's producers). */
    default boolean isOrdered() {
        return false;
    }

    /** Stops the producer: later sends fail; sends in flight complete. Idempotent. */
    @Override
    void shutdown() throws MetaClientException;
}
