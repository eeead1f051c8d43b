package io.imago.client.internal.producer;

import io.imago.client.Message;
import io.imago.client.MessageProducer;
import io.imago.client.MetaClientException;
import io.imago.client.Partition;
import io.imago.client.PartitionSelector;
import io.imago.client.SendMessageCallback;
import io.imago.client.SendResult;
import io.imago.client.internal.cluster.TopicBrokers;
import io.imago.client.internal.cluster.TopicRoutes;
import io.imago.client.internal.remoting.ConnectionException;
import io.imago.client.internal.storage.RecoverStore;
import io.imago.client.internal.storage.RecoverStoreException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MetaQ's ordered producer (spec section 6.3): the messages of one partition keep the order of the
 * {@code sendMessage} calls that return, whatever happens to the partition's broker. A message is
 * sent only to the partition its selector chooses — never failed over to another — and the
 * selector chooses among every partition the topic has been seen with, so a partition whose broker
 * is down is still a partition. While the partition is unavailable (its broker is not published,
 * the connection fails, or the broker answers 403), messages go to a local store on disk, one file
 * per partition, fsynced, and the send returns success with offset -1. Once the partition is back,
 * the stored messages go out first, in order, before any new one: a background task retries every
 * second, and every send to that partition drains the store before sending.
 *
 * <p>Sends to one partition are serialized (one at a time); different partitions proceed in
 * parallel. Thread-safe.
 */
public final class OrderedProducer implements MessageProducer {
    private static final Logger LOG = LoggerFactory.getLogger(OrderedProducer.class);
    private static final long DRAIN_PERIOD_MS = 1_000;

    private final SimpleMessageProducer sender;
    private final TopicRoutes routes;
    private final PartitionSelector selector;
    private final Path storeDirectory;
    private final Executor callbacks;
    private final Consumer<OrderedProducer> onShutdown;
    private final Map<String, Set<Partition>> seen = new ConcurrentHashMap<>();
    private final Map<String, PartitionQueue> queues = new ConcurrentHashMap<>();
    private final ScheduledExecutorService drainer;
    private volatile boolean shutdown;

    public OrderedProducer(SimpleMessageProducer sender, TopicRoutes routes, PartitionSelector selector,
            Path storeDirectory, Executor callbacks, Consumer<OrderedProducer> onShutdown) {
        this.sender = sender;
        this.routes = routes;
        this.selector = Objects.requireNonNull(selector, "partition selector");
        this.storeDirectory = storeDirectory;
        this.callbacks = callbacks;
        this.onShutdown = onShutdown;
        this.drainer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "imago-ordered-producer-drainer");
            t.setDaemon(true);
            return t;
        });
        drainer.scheduleWithFixedDelay(this::drainAll, DRAIN_PERIOD_MS, DRAIN_PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void publish(String topic) {
        sender.publish(topic);
        remember(routes.route(topic));
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
    public SendResult sendMessage(Message message, long timeout, TimeUnit unit) throws MetaClientException,
            InterruptedException {
        if (shutdown) {
            throw new MetaClientException("The producer has been shut down");
        }
        String topic = message.getTopic();
        List<Partition> partitions = new ArrayList<>(remember(routes.route(topic)));
        Partition chosen = selector.getPartition(topic, partitions, message);
        PartitionQueue queue = queue(topic, chosen);
        synchronized (queue) {
            long timeoutMs = unit.toMillis(timeout);
            if (!queue.drain(timeoutMs) || !isAvailable(topic, chosen)) {
                return queue.store(message);
            }
            SendResult result = queue.trySend(message, timeoutMs);
            return result != null ? result : queue.store(message);
        }
    }

    @Override
    public void sendMessage(Message message, SendMessageCallback callback) {
        sendMessage(message, callback, DEFAULT_SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void sendMessage(Message message, SendMessageCallback callback, long timeout, TimeUnit unit) {
        sendMessageAsync(message, timeout, unit).whenComplete((result, error) -> {
            if (error == null) {
                callback.onMessageSent(result);
            } else {
                callback.onException(error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error);
            }
        });
    }

    @Override
    public CompletableFuture<SendResult> sendMessageAsync(Message message) {
        return sendMessageAsync(message, DEFAULT_SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** Runs the (ordered, per-partition serialized) send on a client thread. */
    @Override
    public CompletableFuture<SendResult> sendMessageAsync(Message message, long timeout, TimeUnit unit) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return sendMessage(message, timeout, unit);
            } catch (MetaClientException e) {
                throw new CompletionException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        }, callbacks);
    }

    @Override
    public PartitionSelector getPartitionSelector() {
        return selector;
    }

    /** Stops the background drain and closes the local stores (their messages stay on disk). */
    @Override
    public void shutdown() {
        if (shutdown) {
            return;
        }
        shutdown = true;
        drainer.shutdownNow();
        try {
            drainer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queues.values().forEach(PartitionQueue::close);
        onShutdown.accept(this);
    }

    /** Messages waiting in the local store of a partition. */
    public int pending(String topic, Partition partition) {
        return queue(topic, partition).pending();
    }

    private Set<Partition> remember(TopicBrokers brokers) {
        Set<Partition> all = seen.computeIfAbsent(brokers.topic(), t -> ConcurrentHashMap.newKeySet());
        all.addAll(brokers.partitions());
        return new TreeSet<>(all);
    }

    private boolean isAvailable(String topic, Partition partition) {
        TopicBrokers brokers = routes.route(topic);
        return brokers.partitions().contains(partition) && brokers.url(partition).isPresent();
    }

    private PartitionQueue queue(String topic, Partition partition) {
        return queues.computeIfAbsent(topic + "@" + partition, k -> new PartitionQueue(topic, partition));
    }

    private void drainAll() {
        for (PartitionQueue q : queues.values()) {
            if (q.pending() > 0 && isAvailable(q.topic, q.partition)) {
                synchronized (q) {
                    q.drain(DEFAULT_SEND_TIMEOUT_MS);
                }
            }
        }
    }

    /** One partition's local store and the sends to it; callers hold its monitor. */
    private final class PartitionQueue {
        private final String topic;
        private final Partition partition;
        private RecoverStore store;

        PartitionQueue(String topic, Partition partition) {
            this.topic = topic;
            this.partition = partition;
        }

        private RecoverStore store() throws MetaClientException {
            if (store == null) {
                RecoverStore s = new RecoverStore(storeDirectory, topic, "ordered-" + partition,
                        region -> LOG.error("Skipped a corrupt region of the ordered producer's store: {}", region));
                s.open();
                store = s;
            }
            return store;
        }

        synchronized int pending() {
            try {
                return store().size();
            } catch (MetaClientException e) {
                LOG.warn("Local store of {}/{} unavailable: {}", topic, partition, e.getMessage());
                return 0;
            }
        }

        SendResult store(Message message) throws MetaClientException {
            message.setPartition(partition);
            store().append(message);
            LOG.debug("Partition {}/{} unavailable: message stored locally", topic, partition);
            return new SendResult(true, partition, -1, null);
        }

        /**
         * Sends the stored messages in order while the partition takes them.
         *
         * @return whether the store is now empty
         */
        boolean drain(long timeoutMs) {
            try {
                RecoverStore s = store();
                if (s.size() == 0) {
                    return true;
                }
                if (!isAvailable(topic, partition)) {
                    return false;
                }
                while (s.size() > 0) {
                    // a fresh iterator each time: removing may compact the file under an old one
                    Iterator<RecoverStore.Entry> it = s.iterator();
                    if (!it.hasNext()) {
                        break;
                    }
                    RecoverStore.Entry entry = it.next();
                    SendResult result = trySend(entry.message(), timeoutMs);
                    if (result == null || !result.isSuccess()) {
                        return false;
                    }
                    s.remove(entry);
                }
                return s.size() == 0;
            } catch (MetaClientException | RuntimeException e) {
                LOG.warn("Sending the stored messages of {}/{} failed: {}", topic, partition, e.toString());
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** The broker's answer, or null when the partition is unavailable (connection failure or 403). */
        SendResult trySend(Message message, long timeoutMs) throws MetaClientException, InterruptedException {
            SendResult result;
            try {
                result = sender.sendTo(message, partition, timeoutMs).get(timeoutMs + 1_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
                        ? c.getCause() : e.getCause();
                if (cause instanceof ConnectionException) {
                    return null;
                }
                throw cause instanceof MetaClientException m ? m : new MetaClientException("Send failed: " + cause, cause);
            } catch (TimeoutException e) {
                throw new MetaClientException("Send to " + topic + "/" + partition + " timed out", e);
            }
            return !result.isSuccess() && "403".equals(result.getErrorMessage()) ? null : result;
        }

        void close() {
            if (store != null) {
                store.close();
            }
        }
    }
}
