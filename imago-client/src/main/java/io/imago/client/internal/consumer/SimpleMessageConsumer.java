package io.imago.client.internal.consumer;

import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.consumer.storage.OffsetStorage;
import io.imago.client.internal.rebalance.GroupCoordinator;
import io.imago.client.internal.rebalance.PartitionAssignment;
import io.imago.client.internal.rebalance.RebalanceSettings;
import io.imago.client.internal.remoting.OpaqueGenerator;
import io.imago.client.internal.remoting.RemotingClient;
import io.imago.cluster.Partition;
import io.imago.consumer.ConsumerMessageFilter;
import io.imago.consumer.MessageIterator;
import io.imago.exception.MetaClientException;
import io.imago.protocol.Names;
import io.imago.protocol.command.GetCommand;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatusCode;
import io.imago.protocol.command.ValueCommand;
import io.imago.protocol.message.MessageSetIterator;
import io.imago.utils.ZkUtils.ZKConfig;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MessageConsumer} of a session factory. Subscriptions are collected until
 * {@link #completeSubscribe()}, which opens the recover stores, starts the {@link FetchManager} and
 * either joins the group through a {@link GroupCoordinator} (ZooKeeper mode) or, in direct mode,
 * fetches the one configured partition ({@link ConsumerConfig#getPartition()}) of every subscribed
 * topic and commits its positions every {@code commitOffsetPeriodInMills}.
 *
 * <p>Lifecycle: the constructor assigns; {@code completeSubscribe} starts; {@link #shutdown()} leaves
 * the group (revoking and committing), stops the fetch and recover threads, and closes the offset
 * storage only if the consumer created it. Idempotent. Thread-safe.
 */
public final class SimpleMessageConsumer implements MessageConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(SimpleMessageConsumer.class);
    private static final long DEFAULT_GET_TIMEOUT_MS = 10_000;

    private enum State {
        NEW,
        STARTED,
        SHUTDOWN
    }

    private final ConsumerConfig config;
    private final ZKConfig zkConfig;
    private final CuratorFramework curator;
    private final RemotingClient remoting;
    private final BrokerLocator locator;
    private final OffsetStorage offsetStorage;
    private final boolean ownsStorage;
    private final String consumerId;
    private final Consumer<SimpleMessageConsumer> onShutdown;
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final Consumer<Throwable> errorHandler;
    private State state = State.NEW;
    private RecoverManager recover;
    private FetchManager fetch;
    private GroupCoordinator coordinator;
    private ScheduledThreadPoolExecutor committer;

    /**
     * @param curator the factory's started client; null in direct mode (then {@code locator} is fixed)
     * @param ownsStorage whether {@link #shutdown()} closes {@code offsetStorage}
     * @param onShutdown told once the consumer has shut down (the factory forgets it)
     */
    public SimpleMessageConsumer(
            ConsumerConfig config,
            ZKConfig zkConfig,
            CuratorFramework curator,
            RemotingClient remoting,
            BrokerLocator locator,
            OffsetStorage offsetStorage,
            boolean ownsStorage,
            String consumerId,
            Consumer<SimpleMessageConsumer> onShutdown) {
        this.config = config;
        this.zkConfig = zkConfig;
        this.curator = curator;
        this.remoting = remoting;
        this.locator = locator;
        this.offsetStorage = offsetStorage;
        this.ownsStorage = ownsStorage;
        this.consumerId = consumerId;
        this.onShutdown = onShutdown;
        this.errorHandler = t -> LOG.warn("Consumer {} background failure", consumerId, t);
    }

    @Override
    public MessageConsumer subscribe(String topic, int maxSize, MessageListener listener) throws MetaClientException {
        return subscribe(topic, maxSize, listener, null);
    }

    @Override
    public synchronized MessageConsumer subscribe(
            String topic, int maxSize, MessageListener listener, ConsumerMessageFilter filter)
            throws MetaClientException {
        Names.checkTopic(topic);
        if (listener != null) {
            ListenerCalls.checkImplemented(listener);
        }
        if (state != State.NEW) {
            throw new MetaClientException("subscribe after completeSubscribe or shutdown of consumer " + consumerId);
        }
        if (subscriptions.containsKey(topic)) {
            throw new MetaClientException("topic " + topic + " is already subscribed by consumer " + consumerId);
        }
        subscriptions.put(topic, new Subscription(topic, maxSize, listener, filter));
        return this;
    }

    @Override
    public synchronized void completeSubscribe() throws MetaClientException {
        if (state != State.NEW) {
            throw new IllegalStateException(
                    "completeSubscribe may be called once, before shutdown, on consumer " + consumerId);
        }
        if (subscriptions.isEmpty()) {
            throw new MetaClientException("consumer " + consumerId + " has no subscription");
        }
        state = State.STARTED;
        try {
            recover = new RecoverManager(
                    Path.of(config.getRecoverDirectory()),
                    config.getGroup(),
                    subscriptions,
                    config.getRecoverMessageIntervalInMills(),
                    config.getRecoverThreadCount(),
                    errorHandler);
            recover.start();
            fetch = new FetchManager(
                    FetchSettings.of(config, remoting.config().maxReplyBodyBytes()),
                    subscriptions,
                    remoting,
                    locator,
                    new MessageIdCache(MessageIdCache.DEFAULT_CAPACITY),
                    recover,
                    errorHandler);
            fetch.start();
            if (curator == null) {
                startDirect();
            } else {
                coordinator = new GroupCoordinator(
                        curator,
                        RebalanceSettings.of(config, zkConfig, consumerId, List.copyOf(subscriptions.keySet())),
                        offsetStorage,
                        fetch,
                        errorHandler);
                coordinator.start();
            }
        } catch (MetaClientException | RuntimeException e) {
            stopParts();
            throw e instanceof MetaClientException m
                    ? m
                    : new MetaClientException("consumer " + consumerId + " could not start: " + e.getMessage(), e);
        }
        LOG.info("Consumer {} of group {} started on topics {}", consumerId, config.getGroup(), subscriptions.keySet());
    }

    /** Direct mode: the configured partition of every topic, from its stored position. */
    @SuppressWarnings("FutureReturnValueIgnored") // commitGuarded hands its failures to the error handler
    private void startDirect() throws MetaClientException {
        if (config.getPartition() == null) {
            throw new MetaClientException("direct mode needs ConsumerConfig.partition (\"<brokerId>-<partition>\")");
        }
        Partition partition = new Partition(config.getPartition());
        List<PartitionAssignment> assignments = new ArrayList<>();
        for (String topic : subscriptions.keySet()) {
            assignments.add(new PartitionAssignment(topic, partition, loadPosition(topic, partition)));
        }
        fetch.assigned(assignments);
        long period = config.getCommitOffsetPeriodInMills();
        if (period > 0) {
            committer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "imago-commit-" + consumerId);
                t.setDaemon(true); // without shutdown(), positions stay as of the last commit (at least once)
                return t;
            });
            committer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            committer.scheduleWithFixedDelay(this::commitGuarded, period, period, TimeUnit.MILLISECONDS);
        }
    }

    private TopicPartitionRegInfo loadPosition(String topic, Partition partition) throws MetaClientException {
        TopicPartitionRegInfo stored =
                config.isAlwaysConsumeFromMaxOffset() ? null : offsetStorage.load(topic, config.getGroup(), partition);
        if (stored != null) {
            return new TopicPartitionRegInfo(topic, partition, stored.getOffset(), stored.getMessageId());
        }
        offsetStorage.initOffset(topic, config.getGroup(), partition, config.getOffset());
        return new TopicPartitionRegInfo(topic, partition, config.getOffset());
    }

    private void commitGuarded() {
        try {
            offsetStorage.commitOffset(config.getGroup(), fetch.positions());
        } catch (MetaClientException | RuntimeException e) {
            errorHandler.accept(e);
        }
    }

    @Override
    public MessageIterator get(String topic, Partition partition, long offset, int maxSize)
            throws MetaClientException, InterruptedException {
        return get(topic, partition, offset, maxSize, DEFAULT_GET_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public MessageIterator get(
            String topic, Partition partition, long offset, int maxSize, long timeout, TimeUnit timeUnit)
            throws MetaClientException, InterruptedException {
        long timeoutMs = timeUnit.toMillis(timeout);
        String url = locator.url(partition.getBrokerId());
        GetCommand get = new GetCommand(
                topic, config.getGroup(), partition.getPartition(), offset, maxSize, OpaqueGenerator.next());
        CompletableFuture<ResponseCommand> f = remoting.invoke(url, get, timeoutMs);
        ResponseCommand reply;
        try {
            reply = RemotingClient.await(f, timeoutMs + 1_000);
        } catch (ExecutionException e) {
            throw new MetaClientException(
                    "get of " + topic + "/" + partition + " from " + url + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new MetaClientException("get of " + topic + "/" + partition + " from " + url + " timed out", e);
        }
        try {
            return iteratorOf(reply, topic, partition, offset, maxSize);
        } finally {
            reply.release();
        }
    }

    private static MessageIterator iteratorOf(
            ResponseCommand reply, String topic, Partition partition, long offset, int maxSize)
            throws MetaClientException {
        if (reply instanceof ValueCommand value) {
            byte[] copy = ByteBufUtil.getBytes(value.body());
            return new FetchedMessageIterator(
                    topic,
                    partition,
                    Unpooled.wrappedBuffer(copy),
                    offset,
                    Math.max(maxSize, MessageSetIterator.DEFAULT_MAX_PAYLOAD_BYTES));
        }
        ResultCommand result = (ResultCommand) reply;
        int code = result.code();
        if (code == StatusCode.NOT_FOUND.code()
                || code == StatusCode.FORBIDDEN.code()
                || code == StatusCode.MOVED.code()) {
            return null;
        }
        throw new MetaClientException("get of " + topic + "/" + partition + " refused: " + code + " " + result.text());
    }

    @Override
    public OffsetStorage getOffsetStorage() {
        return offsetStorage;
    }

    @Override
    public ConsumerConfig getConsumerConfig() {
        return config;
    }

    /** This consumer's id in its group. */
    public String consumerId() {
        return consumerId;
    }

    /** The fetch loop, once subscribed (for monitoring: counts of delivered, duplicate, recovered messages). */
    public synchronized FetchManager fetchManager() {
        return fetch;
    }

    /** The recover stores, once subscribed. */
    public synchronized RecoverManager recoverManager() {
        return recover;
    }

    @Override
    public void shutdown() throws MetaClientException {
        synchronized (this) {
            if (state == State.SHUTDOWN) {
                return;
            }
            state = State.SHUTDOWN;
        }
        try {
            stopParts();
        } finally {
            if (ownsStorage) {
                offsetStorage.close();
            }
            onShutdown.accept(this);
        }
        LOG.info("Consumer {} of group {} shut down", consumerId, config.getGroup());
    }

    /** Leaves the group (or, in direct mode, revokes and commits), then stops the threads. */
    private void stopParts() throws MetaClientException {
        if (fetch != null) {
            fetch.beginClose(); // bounds every wait for a listener call from here on
        }
        if (coordinator != null) {
            coordinator.close();
        }
        if (committer != null) {
            committer.shutdown();
            awaitCommitter();
        }
        MetaClientException commitFailure = null;
        if (fetch != null && curator == null) {
            List<PartitionAssignment> held = fetch.assignments();
            if (!held.isEmpty()) {
                fetch.revoke(held);
                try {
                    offsetStorage.commitOffset(
                            config.getGroup(),
                            held.stream().map(PartitionAssignment::position).toList());
                } catch (MetaClientException e) {
                    commitFailure = e;
                }
            }
        }
        if (fetch != null) {
            fetch.close();
        }
        if (recover != null) {
            recover.close();
        }
        if (commitFailure != null) {
            throw commitFailure;
        }
    }

    private void awaitCommitter() {
        try {
            if (!committer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Commit thread of consumer {} still running 10 s after shutdown", consumerId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
