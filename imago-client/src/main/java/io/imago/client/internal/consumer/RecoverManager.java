package io.imago.client.internal.consumer;

import io.imago.Message;
import io.imago.client.internal.storage.CorruptRegion;
import io.imago.client.internal.storage.RecoverStore;
import io.imago.client.internal.storage.RecoverStoreDescriptor;
import io.imago.client.internal.storage.RecoverStoreException;
import io.imago.exception.MetaClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages a group's listener kept failing on (MetaQ's {@code RecoverManager}): one
 * {@link RecoverStore} per subscribed topic ({@code <topic>@<group>} in the recover directory), and a
 * background task per topic that every {@code intervalMs} hands each stored message to the topic's
 * listener again and removes it once delivered. A message that fails again stays for the next round.
 * A corrupt entry is skipped by the store; here it is logged and counted.
 *
 * <p>Lifecycle: the constructor assigns; {@link #start()} opens the stores and schedules the rounds on
 * {@code threads} threads; {@link #close()} is idempotent, waits for a round in progress and closes
 * the stores. Thread-safe.
 */
public final class RecoverManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecoverManager.class);

    private final Path directory;
    private final String group;
    private final Map<String, Subscription> subscriptions;
    private final long intervalMs;
    private final int threads;
    private final Consumer<Throwable> errorHandler;
    private final Map<String, RecoverStore> stores = new LinkedHashMap<>();
    private final AtomicLong corruptEntries = new AtomicLong();
    private final AtomicLong redelivered = new AtomicLong();
    private volatile boolean closed;
    private ScheduledThreadPoolExecutor executor;

    /**
     * @param subscriptions topic to subscription; each topic gets a store
     * @param errorHandler receives failures of the background rounds
     */
    public RecoverManager(
            Path directory,
            String group,
            Map<String, Subscription> subscriptions,
            long intervalMs,
            int threads,
            Consumer<Throwable> errorHandler) {
        this.directory = directory;
        this.group = group;
        this.subscriptions = Map.copyOf(subscriptions);
        this.intervalMs = intervalMs;
        this.threads = Math.max(1, threads);
        this.errorHandler = errorHandler;
    }

    /** Opens (or recovers) every topic's store and schedules the redelivery rounds. */
    @SuppressWarnings("FutureReturnValueIgnored") // guardedRound hands every failure to the error handler
    public synchronized void start() throws MetaClientException {
        try {
            Files.createDirectories(directory);
            for (String topic : subscriptions.keySet()) {
                RecoverStore store = new RecoverStore(directory, topic, group, this::corrupt);
                store.open();
                stores.put(topic, store);
            }
        } catch (java.io.IOException | RecoverStoreException e) {
            close();
            throw new MetaClientException("cannot open the recover stores of group " + group + " in " + directory, e);
        }
        reportStranded();
        AtomicInteger n = new AtomicInteger();
        executor = new ScheduledThreadPoolExecutor(
                threads, r -> daemon(new Thread(r, "imago-recover-" + group + "-" + n.incrementAndGet())));
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        for (String topic : stores.keySet()) {
            executor.scheduleWithFixedDelay(() -> guardedRound(topic), intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Warns about each store of this group whose topic is not subscribed: its messages wait, untouched,
     * for a consumer of the group that subscribes the topic again.
     */
    private void reportStranded() {
        String suffix = "@" + group + RecoverStoreDescriptor.FILE_SUFFIX;
        try (java.util.stream.Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                String topic = name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : null;
                if (topic != null && !subscriptions.containsKey(topic)) {
                    LOG.warn(
                            "Recover store {} ({} bytes) keeps messages of topic {} for group {}, which this consumer"
                                    + " has not subscribed: they are not redelivered until a consumer of the group"
                                    + " subscribes {} again",
                            file,
                            sizeOf(file),
                            topic,
                            group,
                            topic);
                }
            }
        } catch (java.io.IOException e) {
            LOG.warn("Cannot list the recover stores in {}: {}", directory, e.toString());
        }
    }

    private static String sizeOf(Path file) {
        try {
            return Long.toString(Files.size(file));
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    /** Keeps {@code message} for redelivery (durably, before returning). */
    public void store(Message message) throws MetaClientException {
        RecoverStore store = stores.get(message.getTopic());
        if (store == null) {
            throw new MetaClientException("no recover store for topic " + message.getTopic() + " of group " + group);
        }
        try {
            store.append(message);
        } catch (RecoverStoreException e) {
            throw new MetaClientException("cannot store message " + message.getId() + " for recovery", e);
        }
    }

    /** Messages waiting in the store of {@code topic}. */
    public int pending(String topic) {
        RecoverStore store = stores.get(topic);
        return store == null ? 0 : store.size();
    }

    /** Corrupt entries skipped so far, over all topics. */
    public long corruptEntries() {
        return corruptEntries.get();
    }

    /** Stored messages delivered successfully so far. */
    public long redelivered() {
        return redelivered.get();
    }

    private void corrupt(CorruptRegion region) {
        corruptEntries.incrementAndGet();
        LOG.warn(
                "Recover store of group {} skipped a corrupt entry: {} bytes at {} of {} ({})",
                group,
                region.length(),
                region.position(),
                region.file(),
                region.reason());
    }

    private void guardedRound(String topic) {
        try {
            round(topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            errorHandler.accept(t);
        }
    }

    /** Hands every stored message of {@code topic} to its listener once, removing the delivered ones. */
    void round(String topic) throws InterruptedException, RecoverStoreException {
        RecoverStore store = stores.get(topic);
        Subscription subscription = subscriptions.get(topic);
        List<RecoverStore.Entry> entries = new ArrayList<>();
        store.forEach(entries::add);
        for (RecoverStore.Entry entry : entries) {
            if (closed) {
                return;
            }
            Throwable failure = ListenerCalls.deliver(subscription.listener(), entry.message());
            if (failure == null) {
                store.remove(entry);
                redelivered.incrementAndGet();
            } else {
                LOG.debug(
                        "Recovered message {} of {} failed again: {}",
                        entry.message().getId(),
                        topic,
                        failure.toString());
            }
        }
    }

    /** Stops the rounds, waits for one in progress, closes the stores. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (executor != null) {
            executor.shutdown();
            awaitTermination();
        }
        stores.values().forEach(RecoverStore::close);
    }

    private void awaitTermination() {
        try {
            while (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Recover threads of group {} still busy 10 s after shutdown", group);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    /** The client's threads never keep the JVM alive: the store is durable, redelivery resumes at the next start. */
    private static Thread daemon(Thread t) {
        t.setDaemon(true);
        return t;
    }
}
