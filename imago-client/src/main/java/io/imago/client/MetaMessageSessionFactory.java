package io.imago.client;

import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.storage.LocalOffsetStorage;
import io.imago.client.consumer.storage.OffsetStorage;
import io.imago.client.consumer.storage.ZkOffsetStorage;
import io.imago.client.extension.OrderedMetaMessageSessionFactory;
import io.imago.client.internal.browser.MetaTopicBrowser;
import io.imago.client.internal.cluster.DirectTopicRoutes;
import io.imago.client.internal.cluster.ProducerZooKeeper;
import io.imago.client.internal.cluster.TopicBrokers;
import io.imago.client.internal.cluster.TopicRoutes;
import io.imago.client.internal.consumer.BrokerLocator;
import io.imago.client.internal.consumer.SimpleMessageConsumer;
import io.imago.client.internal.producer.CallbackExecutor;
import io.imago.client.internal.producer.OrderedMessageProducer;
import io.imago.client.internal.producer.SimpleMessageProducer;
import io.imago.client.internal.producer.SimpleXAMessageProducer;
import io.imago.client.internal.rebalance.ConsumerIdGenerator;
import io.imago.client.internal.remoting.RemotingClient;
import io.imago.client.internal.remoting.RemotingConfig;
import io.imago.client.internal.stats.StatsRequests;
import io.imago.client.internal.transaction.SessionIdGenerator;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.PartitionSelector;
import io.imago.client.producer.RoundRobinPartitionSelector;
import io.imago.client.producer.XAMessageProducer;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import io.imago.protocol.Names;
import io.imago.protocol.zk.BrokerUrl;
import io.imago.utils.ZkUtils.ZKConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session factory, as MetaQ's {@code MetaMessageSessionFactory}: one {@link RemotingClient} (one
 * connection per broker), one view of the cluster (ZooKeeper through Curator, or direct mode when
 * {@link MetaClientConfig#getServerUrl()} is set) and one callback executor, shared by everything it
 * creates.
 *
 * <p>Lifecycle: the constructor checks the configuration and assigns; the first {@code create...},
 * {@code getStats} or {@code getPartitionsForTopic} call starts the shared parts ({@link #start()}
 * does it explicitly); {@link #shutdown()} stops everything and waits for the threads, idempotent.
 * Thread-safe.
 */
public class MetaMessageSessionFactory implements MessageSessionFactory {
    private static final Logger LOG = LoggerFactory.getLogger(MetaMessageSessionFactory.class);
    static final int DEFAULT_BROWSER_MAX_SIZE = 1024 * 1024;
    static final long DEFAULT_BROWSER_TIMEOUT_MS = 5_000;
    static final long STATS_TIMEOUT_MS = 5_000;
    private static final int CALLBACK_QUEUE_CAPACITY = 65_536;
    private static final int BASE_SLEEP_MS = 1_000;
    private static final int MAX_RETRIES = 3;

    private final MetaClientConfig config;
    private final RemotingConfig remotingConfig;
    private final Set<SimpleMessageProducer> producers = ConcurrentHashMap.newKeySet();
    private final Set<SimpleMessageConsumer> consumers = ConcurrentHashMap.newKeySet();
    private final Set<OrderedMessageProducer> orderedProducers = ConcurrentHashMap.newKeySet();
    /** Producer session ids, {@code <localIp>-<startMillis>-<seq>}, as MetaQ's factory makes them. */
    private final SessionIdGenerator sessionIds = new SessionIdGenerator();

    private RemotingClient remoting;
    private CuratorFramework curator;
    private TopicRoutes routes;
    private CallbackExecutor callbacks;
    private boolean started;
    private boolean shutdown;

    /**
     * @throws MetaClientException when the configuration has neither a {@code serverUrl} nor a
     *         ZooKeeper {@code zkConnect}, or an invalid {@code serverUrl}
     */
    public MetaMessageSessionFactory(MetaClientConfig config) throws MetaClientException {
        this(config, RemotingConfig.defaults());
    }

    MetaMessageSessionFactory(MetaClientConfig config, RemotingConfig remotingConfig) throws MetaClientException {
        this.config = config;
        this.remotingConfig = remotingConfig;
        if (config.getServerUrl() != null) {
            try {
                BrokerUrl.parse(config.getServerUrl());
            } catch (IllegalArgumentException e) {
                throw new MetaClientException("Invalid serverUrl: " + e.getMessage(), e);
            }
        } else if (config.getZkConfig() == null
                || config.getZkConfig().zkConnect == null
                || !config.getZkConfig().zkEnable) {
            throw new MetaClientException("No broker to talk to: set a serverUrl (direct mode) or a ZooKeeper "
                    + "zkConnect in the MetaClientConfig");
        }
    }

    /** Starts the connections, the cluster view and the callback threads. Idempotent. */
    public synchronized void start() {
        if (shutdown) {
            throw new IllegalStateException("The session factory has been shut down");
        }
        if (started) {
            return;
        }
        remoting = new RemotingClient(remotingConfig);
        remoting.start();
        callbacks =
                new CallbackExecutor(Math.max(2, Runtime.getRuntime().availableProcessors()), CALLBACK_QUEUE_CAPACITY);
        if (config.getServerUrl() != null) {
            routes = new DirectTopicRoutes(config.getServerUrl());
            LOG.info("Session factory started in direct mode on {}", config.getServerUrl());
        } else {
            ZKConfig zk = config.getZkConfig();
            curator = CuratorFrameworkFactory.newClient(
                    zk.zkConnect,
                    zk.zkSessionTimeoutMs,
                    zk.zkConnectionTimeoutMs,
                    new ExponentialBackoffRetry(BASE_SLEEP_MS, MAX_RETRIES));
            curator.start();
            ProducerZooKeeper pzk = new ProducerZooKeeper(curator, zk.zkRoot, this::brokersChanged);
            pzk.start();
            routes = pzk;
            LOG.info("Session factory started with ZooKeeper {}{}", zk.zkConnect, zk.zkRoot);
        }
        started = true;
    }

    /** New brokers of a published topic are connected to right away. */
    @SuppressWarnings("FutureReturnValueIgnored") // the callback logs a failed connect; sends wait for their own
    private void brokersChanged(TopicBrokers brokers) {
        RemotingClient r = remoting;
        if (r != null) {
            brokers.brokerUrls()
                    .values()
                    .forEach(url -> r.connect(url).whenComplete((v, e) -> {
                        if (e != null) {
                            LOG.debug("Connecting to {} failed: {}", url, e.toString());
                        }
                    }));
        }
    }

    @Override
    public MessageProducer createProducer() {
        return createProducer(new RoundRobinPartitionSelector());
    }

    @Override
    public MessageProducer createProducer(PartitionSelector partitionSelector) {
        return newSimpleProducer(partitionSelector);
    }

    private SimpleMessageProducer newSimpleProducer(PartitionSelector partitionSelector) {
        start();
        SimpleMessageProducer producer = new SimpleMessageProducer(
                routes, remoting, partitionSelector, callbacks, producers::remove, config, sessionIds.next());
        producers.add(producer);
        return producer;
    }

    /** An XA producer sharing this factory's connections and cluster view (see {@link XAMetaMessageSessionFactory}). */
    XAMessageProducer newXAProducer(PartitionSelector partitionSelector) {
        start();
        SimpleXAMessageProducer producer = new SimpleXAMessageProducer(
                routes, remoting, partitionSelector, callbacks, producers::remove, config, sessionIds.next());
        producers.add(producer);
        return producer;
    }

    /**
     * An ordered producer (see {@link OrderedMetaMessageSessionFactory}) keeping unsendable messages in
     * {@code localMessageDir}; for the ordered factory, which lives in the {@code extension} package as
     * MetaQ's does.
     */
    protected MessageProducer createOrderedProducer(
            PartitionSelector partitionSelector, java.nio.file.Path localMessageDir, long resendIntervalMs)
            throws MetaClientException {
        SimpleMessageProducer sender = newSimpleProducer(partitionSelector);
        OrderedMessageProducer ordered = new OrderedMessageProducer(
                sender,
                partitionSelector,
                config.getPartitionsInfo(),
                this::getPartitionsForTopic,
                localMessageDir,
                resendIntervalMs);
        try {
            ordered.start();
        } catch (MetaClientException e) {
            ordered.shutdown();
            throw e;
        }
        orderedProducers.add(ordered);
        return ordered;
    }

    /** The configuration this factory was created with. */
    public MetaClientConfig getMetaClientConfig() {
        return config;
    }

    @Override
    public MessageConsumer createConsumer(ConsumerConfig consumerConfig) {
        return newConsumer(consumerConfig, null);
    }

    @Override
    public MessageConsumer createConsumer(ConsumerConfig consumerConfig, OffsetStorage offsetStorage) {
        return newConsumer(consumerConfig, Objects.requireNonNull(offsetStorage, "offsetStorage"));
    }

    @Override
    public MessageConsumer createBroadcastConsumer(ConsumerConfig consumerConfig) {
        broadcastGroup(consumerConfig);
        return newConsumer(consumerConfig, new LocalOffsetStorage(), true);
    }

    @Override
    public MessageConsumer createBroadcastConsumer(ConsumerConfig consumerConfig, OffsetStorage offsetStorage) {
        broadcastGroup(consumerConfig);
        return newConsumer(consumerConfig, Objects.requireNonNull(offsetStorage, "offsetStorage"));
    }

    /**
     * Makes the group this host's own, as MetaQ's broadcast factory does: {@code <group>-<localIp>}, the
     * address's separators ({@code .}, {@code :}, an IPv6 scope's {@code %}) written as {@code -} so the
     * group stays a valid name.
     */
    static void broadcastGroup(ConsumerConfig consumerConfig) {
        String ip = ConsumerIdGenerator.localIp().replaceAll("[^A-Za-z0-9]", "-");
        consumerConfig.setGroup(consumerConfig.getGroup() + "-" + ip);
    }

    private MessageConsumer newConsumer(ConsumerConfig consumerConfig, OffsetStorage given) {
        start();
        if (given != null) {
            return newConsumer(consumerConfig, given, false);
        }
        if (config.getServerUrl() != null) {
            return newConsumer(consumerConfig, new LocalOffsetStorage(), true);
        }
        ZkOffsetStorage zkStorage = new ZkOffsetStorage(curator, config.getZkConfig().zkRoot);
        try {
            zkStorage.start();
        } catch (MetaClientException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return newConsumer(consumerConfig, zkStorage, true);
    }

    /**
     * Consumers share the connections, ZooKeeper client and broker view of this factory. As in MetaQ, an
     * invalid configuration is an {@link IllegalArgumentException}, not a checked exception.
     */
    private synchronized MessageConsumer newConsumer(
            ConsumerConfig consumerConfig, OffsetStorage storage, boolean ownsStorage) {
        start();
        consumerConfig.validate();
        boolean direct = config.getServerUrl() != null;
        BrokerLocator locator = direct
                ? BrokerLocator.fixed(config.getServerUrl())
                : BrokerLocator.zooKeeper(curator, config.getZkConfig().zkRoot);
        SimpleMessageConsumer consumer = new SimpleMessageConsumer(
                consumerConfig,
                config.getZkConfig(),
                direct ? null : curator,
                remoting,
                locator,
                storage,
                ownsStorage,
                ConsumerIdGenerator.forThisProcess().consumerId(consumerConfig),
                consumers::remove);
        consumers.add(consumer);
        return consumer;
    }

    @Override
    public TopicBrowser createTopicBrowser(String topic) {
        return createTopicBrowser(topic, DEFAULT_BROWSER_MAX_SIZE, DEFAULT_BROWSER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public TopicBrowser createTopicBrowser(String topic, int maxSize, long timeout, TimeUnit timeUnit) {
        Names.checkTopic(topic);
        start();
        TopicBrokers brokers = config.getServerUrl() != null
                ? StatsRequests.topicBrokers(remoting, config.getServerUrl(), topic, timeUnit.toMillis(timeout))
                : publishedBrokers(topic);
        return new MetaTopicBrowser(
                brokers, remoting, maxSize, remotingConfig.maxReplyBodyBytes(), timeUnit.toMillis(timeout));
    }

    private TopicBrokers publishedBrokers(String topic) {
        routes.publish(topic);
        return routes.route(topic);
    }

    @Override
    public Map<InetSocketAddress, StatsResult> getStats() throws InterruptedException {
        return getStats("");
    }

    @Override
    public Map<InetSocketAddress, StatsResult> getStats(String item) throws InterruptedException {
        start();
        return StatsRequests.ofConnected(remoting, item == null ? "" : item, STATS_TIMEOUT_MS);
    }

    private interface ShutdownStep {
        void run() throws Exception;
    }

    private static void step(List<Throwable> failures, ShutdownStep step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.warn("Shutting down part of the session factory failed: {}", e.toString());
            failures.add(e);
        }
    }

    @Override
    public StatsResult getStats(InetSocketAddress target) throws InterruptedException {
        return getStats(target, "");
    }

    /**
     * {@inheritDoc} A broker that cannot be asked (unreachable, timed out, refused) is an
     * {@link IllegalStateException} naming it: MetaQ's signature declares no checked exception here.
     */
    @Override
    public StatsResult getStats(InetSocketAddress target, String item) throws InterruptedException {
        start();
        String url = BrokerUrl.format(target.getHostString(), target.getPort());
        try {
            return StatsRequests.ask(remoting, url, item == null ? "" : item, STATS_TIMEOUT_MS);
        } catch (MetaClientException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public List<Partition> getPartitionsForTopic(String topic) {
        start();
        routes.publish(topic);
        return routes.route(topic).partitions();
    }

    /** Stops the producers and consumers, then the cluster view, ZooKeeper, the connections and the callback threads. */
    @Override
    public synchronized void shutdown() throws MetaClientException {
        if (shutdown) {
            return;
        }
        shutdown = true;
        if (!started) {
            return;
        }
        // every step runs whatever the previous ones did, so nothing is left running
        List<Throwable> failures = new ArrayList<>();
        for (OrderedMessageProducer p : new ArrayList<>(orderedProducers)) {
            step(failures, p::shutdown);
        }
        for (SimpleMessageProducer p : new ArrayList<>(producers)) {
            step(failures, p::shutdown);
        }
        for (SimpleMessageConsumer consumer : new ArrayList<>(consumers)) {
            step(failures, consumer::shutdown);
        }
        step(failures, routes::close);
        if (curator != null) {
            step(failures, curator::close);
        }
        step(failures, remoting::close);
        callbacks.shutdown();
        try {
            if (!callbacks.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new MetaClientException("Send callbacks still running 10 s after shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetaClientException("Interrupted while waiting for send callbacks", e);
        }
        if (!failures.isEmpty()) {
            MetaClientException e = new MetaClientException("The session factory shut down with " + failures.size()
                    + " failure(s); the first: " + failures.get(0));
            failures.forEach(e::addSuppressed);
            throw e;
        }
        LOG.info("Session factory shut down");
    }
}
