package io.imago.client.internal.producer;

import io.imago.Message;
import io.imago.client.internal.remoting.ConnectionException;
import io.imago.client.internal.storage.RecoverStore;
import io.imago.client.internal.storage.RecoverStoreDescriptor;
import io.imago.client.internal.storage.RecoverStoreException;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.PartitionSelector;
import io.imago.client.producer.SendMessageCallback;
import io.imago.client.producer.SendResult;
import io.imago.cluster.Partition;
import io.imago.exception.MessageNotSentException;
import io.imago.exception.MetaClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MetaQ's ordered producer (spec section 6.3): the selector chooses among every configured partition
 * ({@code partitionsInfo}), and the messages of one partition reach it in the order they were sent.
 * While a partition is unavailable (its broker is not registered, the connection fails, or it answers
 * 403), its messages are kept on disk in a local queue ({@code <dir>/<topic>@<brokerId>-<p>.recover},
 * the recover store's format) and the send reports success with offset -1; once the queue is not
 * empty, later messages of that partition join it, and the queue is sent, in order, before any new
 * message, by the next send or by a background task every {@code resendIntervalMs}. A kept message may
 * be delivered twice if the broker stored it but the reply was lost.
 *
 * <p>When the broker refuses the oldest kept message with anything but 403 (the partition no longer
 * exists, a failed write, ...), the queue is <em>blocked</em>: it is tried again in the background,
 * but a send to that partition fails with {@link MessageNotSentException} naming the refusal (it is
 * neither sent nor kept, so the application hears of it), and the refusal is logged once, at WARN.
 * A send to a partition whose queue is empty and that the broker refuses gets the failed
 * {@link SendResult}, as with any producer.
 *
 * <p>Without {@code partitionsInfo} for a topic the selector chooses among the partitions published
 * now <em>and</em> every partition of the topic published since this producer first sent to it: a
 * partition whose broker left stays a choice, so its keys do not move to another partition; its
 * messages wait locally until it returns (logged once at WARN per change). Keys still move when
 * partitions are added.
 *
 * <p>All sends to one partition are serialised by its queue's monitor; the asynchronous variants
 * therefore run synchronously on the calling thread. Lifecycle: the constructor assigns;
 * {@link #start()} opens the queues left by an earlier run and schedules the resends; {@link #shutdown()}
 * stops them (kept messages stay on disk for the next start), idempotent. Thread-safe.
 */
public final class OrderedMessageProducer implements MessageProducer {
    private static final Logger LOG = LoggerFactory.getLogger(OrderedMessageProducer.class);

    private final SimpleMessageProducer sender;
    private final PartitionSelector selector;
    private final OrderedPartitions partitions;
    private final Path directory;
    private final long resendIntervalMs;
    private final Map<String, LocalQueue> queues = new ConcurrentHashMap<>();
    private ScheduledThreadPoolExecutor resender;
    private volatile boolean shutdown;

    /**
     * @param sender puts to one partition ({@link SimpleMessageProducer#sendTo})
     * @param partitionsInfo {@code topic.num.<topic>=<brokerId>:<count>;...}; null to use the published partitions
     * @param publishedPartitions the partitions published now, for topics not in {@code partitionsInfo}
     * @param directory where the local queues are kept
     */
    public OrderedMessageProducer(
            SimpleMessageProducer sender,
            PartitionSelector selector,
            Properties partitionsInfo,
            Function<String, List<Partition>> publishedPartitions,
            Path directory,
            long resendIntervalMs) {
        this.sender = sender;
        this.selector = selector;
        this.partitions = new OrderedPartitions(partitionsInfo, publishedPartitions);
        this.directory = directory;
        this.resendIntervalMs = resendIntervalMs;
    }

    /** Opens the queues an earlier run left in the directory and starts the background resends. */
    @SuppressWarnings("FutureReturnValueIgnored") // resendAll logs the failure of each queue and goes on
    public synchronized void start() throws MetaClientException {
        try {
            Files.createDirectories(directory);
            try (Stream<Path> files = Files.list(directory)) {
                for (Path f : files.toList()) {
                    String name = f.getFileName().toString();
                    int at = name.lastIndexOf('@');
                    if (name.endsWith(RecoverStoreDescriptor.FILE_SUFFIX) && at > 0) {
                        queue(
                                name.substring(0, at),
                                new Partition(name.substring(
                                        at + 1, name.length() - RecoverStoreDescriptor.FILE_SUFFIX.length())));
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new MetaClientException("cannot open the ordered producer's queues in " + directory, e);
        }
        resender = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "imago-ordered-resend");
            t.setDaemon(true); // kept messages are on disk and go out at the next start
            return t;
        });
        resender.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        resender.scheduleWithFixedDelay(this::resendAll, resendIntervalMs, resendIntervalMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void publish(String topic) {
        sender.publish(topic);
    }

    @Override
    public void setDefaultTopic(String topic) {
        sender.setDefaultTopic(topic);
    }

    @Override
    public SendResult sendMessage(Message message) throws MetaClientException, InterruptedException {
        return sendMessage(message, DEFAULT_SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public SendResult sendMessage(Message message, long timeout, TimeUnit unit)
            throws MetaClientException, InterruptedException {
        if (shutdown) {
            throw new MetaClientException("The producer has been shut down");
        }
        String topic = message.getTopic();
        Partition partition = selector.getPartition(topic, partitions.of(topic), message);
        LocalQueue queue = queue(topic, partition);
        long timeoutMs = unit.toMillis(timeout);
        synchronized (queue) {
            if (queue.store.size() > 0) {
                Drain drained = drain(queue, timeoutMs);
                if (drained == Drain.REFUSED) {
                    throw blocked(queue);
                }
                if (drained == Drain.UNAVAILABLE) {
                    return keep(queue, message);
                }
            }
            SendResult sent = trySend(message, partition, timeoutMs);
            return sent != null ? sent : keep(queue, message);
        }
    }

    /** What a drain of a local queue came to. */
    private enum Drain {
        /** Every kept message was sent: the queue is empty. */
        EMPTIED,
        /** The partition is unavailable: the rest stays kept. */
        UNAVAILABLE,
        /** The broker refused the oldest kept message (not with 403): the queue is blocked. */
        REFUSED
    }

    private MessageNotSentException blocked(LocalQueue queue) {
        return new MessageNotSentException("Not sent (nor kept): partition " + queue.partition + " of topic "
                + queue.topic + " refused the oldest of the " + queue.store.size() + " messages kept for it in "
                + queue.store.file() + " with '" + queue.refusal + "'; the ordered producer sends nothing else to "
                + "it before that message. It tries it again every " + resendIntervalMs + " ms; if the refusal "
                + "lasts, shut the producer down and move the file away (its messages are not lost).");
    }

    private LocalQueue queue(String topic, Partition partition) throws MetaClientException {
        try {
            return queues.computeIfAbsent(topic + "@" + partition, k -> {
                RecoverStore store = new RecoverStore(
                        directory,
                        topic,
                        partition.toString(),
                        region -> LOG.warn(
                                "Ordered queue {} of {} skipped a corrupt entry at {} ({})",
                                partition,
                                topic,
                                region.position(),
                                region.reason()));
                try {
                    store.open();
                } catch (RecoverStoreException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
                return new LocalQueue(topic, partition, store);
            });
        } catch (IllegalStateException e) {
            throw new MetaClientException("cannot open the local queue of " + topic + "/" + partition, e);
        }
    }

    /** Sends the queued messages in order, until one is not taken. Holds the queue's monitor. */
    private Drain drain(LocalQueue queue, long timeoutMs) throws MetaClientException, InterruptedException {
        Partition partition = queue.partition;
        for (RecoverStore.Entry entry : queue.store) {
            SendResult sent = trySend(entry.message(), partition, timeoutMs);
            if (sent == null) {
                return Drain.UNAVAILABLE;
            }
            if (!sent.isSuccess()) {
                if (!sent.getErrorMessage().equals(queue.refusal)) {
                    LOG.warn(
                            "Ordered producer: partition {} of topic {} refuses the oldest of its {} kept messages "
                                    + "({}); later sends to it fail until it takes it",
                            partition,
                            queue.topic,
                            queue.store.size(),
                            sent.getErrorMessage());
                }
                queue.refusal = sent.getErrorMessage();
                return Drain.REFUSED;
            }
            if (queue.refusal != null) {
                LOG.info(
                        "Ordered producer: partition {} of topic {} took the kept message it refused",
                        partition,
                        queue.topic);
                queue.refusal = null;
            }
            try {
                queue.store.remove(entry);
            } catch (RecoverStoreException e) {
                throw new MetaClientException("cannot remove a sent message from the local queue of " + partition, e);
            }
        }
        LOG.info("Ordered producer sent every kept message of partition {}", partition);
        return Drain.EMPTIED;
    }

    /** The result of a put, or null when the partition is unavailable (no broker, connection failure). */
    private SendResult trySend(Message message, Partition partition, long timeoutMs)
            throws MetaClientException, InterruptedException {
        CompletableFuture<SendResult> f = sender.sendTo(message, partition, timeoutMs);
        try {
            SendResult result = f.get(timeoutMs + 1_000, TimeUnit.MILLISECONDS);
            // a closed partition (403) is unavailable, as a broker that is down: keep the message locally
            return !result.isSuccess() && "403".equals(result.getErrorMessage()) ? null : result;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof ConnectionException) {
                return null;
            }
            throw cause instanceof MetaClientException m
                    ? m
                    : new MetaClientException("send to " + partition + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new MetaClientException("send to " + partition + " timed out", e);
        }
    }

    private SendResult keep(LocalQueue queue, Message message) throws MetaClientException {
        Partition partition = queue.partition;
        try {
            queue.store.append(message);
        } catch (RecoverStoreException e) {
            throw new MetaClientException(
                    "partition " + partition + " is unavailable and the message could not be " + "kept locally", e);
        }
        message.setPartition(partition);
        return new SendResult(true, partition, -1, null);
    }

    private void resendAll() {
        for (LocalQueue queue : queues.values()) {
            if (shutdown) {
                return;
            }
            synchronized (queue) {
                if (queue.store.size() == 0) {
                    continue;
                }
                try {
                    drain(queue, DEFAULT_SEND_TIMEOUT_MS);
                } catch (MetaClientException | RuntimeException e) {
                    LOG.warn("Resending the kept messages of partition {} failed: {}", queue.partition, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Messages waiting in the local queue of {@code topic}/{@code partition}. */
    public int pending(String topic, Partition partition) {
        LocalQueue queue = queues.get(topic + "@" + partition);
        return queue == null ? 0 : queue.store.size();
    }

    /**
     * A partition's local queue; sends to the partition hold its monitor. {@code refusal} is the
     * broker's answer to the oldest kept message when it refused it (not with 403), else null.
     */
    private static final class LocalQueue {
        final String topic;
        final Partition partition;
        final RecoverStore store;
        String refusal;

        LocalQueue(String topic, Partition partition, RecoverStore store) {
            this.topic = topic;
            this.partition = partition;
            this.store = store;
        }
    }

    @Override
    public void sendMessage(Message message, SendMessageCallback callback) {
        sendMessage(message, callback, DEFAULT_SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void sendMessage(Message message, SendMessageCallback callback, long timeout, TimeUnit unit) {
        try {
            callback.onMessageSent(sendMessage(message, timeout, unit));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.onException(e);
        } catch (MetaClientException | RuntimeException e) {
            callback.onException(e);
        }
    }

    @Override
    public CompletableFuture<SendResult> sendMessageAsync(Message message) {
        return sendMessageAsync(message, DEFAULT_SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<SendResult> sendMessageAsync(Message message, long timeout, TimeUnit unit) {
        try {
            return CompletableFuture.completedFuture(sendMessage(message, timeout, unit));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        } catch (MetaClientException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Not supported: an ordered producer keeps unsendable messages locally and sends them later,
     * which no transaction can include.
     */
    @Override
    public void beginTransaction() throws MetaClientException {
        throw new MetaClientException("The ordered producer does not support transactions");
    }

    @Override
    public void commit() throws MetaClientException {
        throw new MetaClientException("There is no transaction begun");
    }

    @Override
    public void rollback() throws MetaClientException {
        throw new MetaClientException("There is no transaction begun");
    }

    @Override
    public void setTransactionTimeout(int seconds) throws MetaClientException {
        throw new MetaClientException("The ordered producer does not support transactions");
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    @Override
    public void setTransactionRequestTimeout(long time, TimeUnit unit) {
        // no transactions, nothing to time out
    }

    @Override
    public PartitionSelector getPartitionSelector() {
        return selector;
    }

    @Override
    public boolean isOrdered() {
        return true;
    }

    /** Stops the resends and closes the queues (kept messages stay on disk), then the sender. Idempotent. */
    @Override
    public synchronized void shutdown() {
        if (shutdown) {
            return;
        }
        shutdown = true;
        if (resender != null) {
            resender.shutdown();
            try {
                if (!resender.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("The ordered producer's resend thread still runs 10 s after shutdown");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        queues.values().forEach(q -> q.store.close());
        sender.shutdown();
    }
}
