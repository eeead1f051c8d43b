package io.imago.broker.zk;

import io.imago.broker.config.ZooKeeperConfig;
import io.imago.coordination.BackOff;
import io.imago.coordination.ClosePolicy;
import io.imago.coordination.ZooKeeperAgent;
import io.imago.coordination.ZooKeeperAgentRunner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registration of one master broker in ZooKeeper, exactly as MetaQ 1.4.6.2 writes it (spec
 * section 4.1; the nodes are drawn in {@link BrokerZnodeDescriptor}). It holds a Curator client of
 * its own, the topics to announce and the config checksum.
 *
 * <p><b>Lifecycle.</b> The constructor only assigns. {@link #start()} connects (failing with
 * {@link ZooKeeperUnreachableException} after {@code connectionTimeoutMs}) and writes, in this order:
 * the role node {@code ids/<id>/master} (the lock on the broker id), the id node {@code ids/<id>},
 * the checksum node, then every topic. Writing the role node before the id node is the original's
 * order too, and keeps a broker that loses the id from overwriting the winner's address.
 * {@link #close()} deletes the nodes its session owns (topics, checksum, role, then the id node, or
 * sets the id node to {@code ""} if slave children remain) and closes the client.
 *
 * <p><b>Taking over after a crash.</b> A broker restarted at once finds the ephemeral nodes of its
 * dead session until ZooKeeper expires it. If the role node holds our own address, the old owner is
 * this broker's previous process (the caller must hold the broker port before {@link #start()}, so
 * no other live process can publish that address): the node is replaced at once, in one ZooKeeper
 * multi, and so are the checksum and topic nodes, which hold no address and are ours once the role
 * node is. If the role node holds a different address, another broker claims our id: we wait up to
 * {@code sessionTimeoutMs} for that node to go (a crashed broker that moved address) and then fail
 * with {@link BrokerIdConflictException} naming the id and the other address.
 *
 * <p><b>Session loss.</b> When Curator reports a connection in a session other than the one
 * registered (after {@code LOST}, Curator 5's next {@code RECONNECTED} is a new session), everything
 * is registered again, with the takeover rules above. A failed attempt goes to the error handler
 * and is retried after 100 ms, doubling up to {@code syncTimeMs} (a {@link BackOff}); so is any failed
 * write of a topic or checksum, which leaves the tree to be repaired by a full registration.
 *
 * <p><b>Threading.</b> Thread-safe. Every ZooKeeper write happens on one thread, the registrar
 * ({@code imago-zk-registrar-<id>}, run by a {@link ZooKeeperAgentRunner}), which also connects the
 * client and receives Curator's connection-state events, so registration steps never interleave.
 * Methods marked "registrar only" run on no other thread; {@link #close()} interrupts the registrar and
 * waits for it (up to {@code connectionTimeoutMs}) before it deregisters on the caller's thread.
 */
public final class BrokerRegistration implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerRegistration.class);
    private static final long FIRST_RETRY_DELAY_MS = 100;
    private static final int CURATOR_RETRIES = 3;

    private final ZooKeeperConfig settings;
    private final BrokerIdentity identity;
    private final BrokerZnodeDescriptor znodes;
    /** Topics to announce, in registration order; guarded by itself. */
    private final Map<String, TopicRegistration> topics = new LinkedHashMap<>();
    /** The thread, lifecycle, retries and session bookkeeping of the registration. */
    private final ZooKeeperAgentRunner registrar;

    private volatile String configChecksum;
    /** Set by the registrar when it starts. */
    private volatile CuratorFramework client;
    /** Set by the registrar when it starts. */
    private volatile ZnodeWriter writer;

    /**
     * @param settings the {@code [zookeeper]} section; its {@code syncTimeMs} must be above 0 (it caps the
     *     pause between two attempts to register again)
     * @param identity the broker's id and published address
     * @param configChecksum the decimal CRC32 of the configuration file
     * @param topics the topics known at start (configured and found on disk)
     * @param errorHandler receives every failure of background (re-)registration
     */
    public BrokerRegistration(
            ZooKeeperConfig settings,
            BrokerIdentity identity,
            String configChecksum,
            Collection<TopicRegistration> topics,
            Consumer<Throwable> errorHandler) {
        this.settings = Objects.requireNonNull(settings, "settings");
        if (settings.syncTimeMs() <= 0) {
            throw new IllegalArgumentException("zk.zkSyncTimeMs must be > 0, was " + settings.syncTimeMs());
        }
        this.identity = Objects.requireNonNull(identity, "identity");
        this.znodes = new BrokerZnodeDescriptor(settings.root(), identity);
        this.configChecksum = Objects.requireNonNull(configChecksum, "configChecksum");
        for (TopicRegistration topic : topics) {
            this.topics.put(topic.topic(), topic);
        }
        this.registrar = new ZooKeeperAgentRunner(
                new Registrar(),
                new BackOff(FIRST_RETRY_DELAY_MS, settings.syncTimeMs()),
                ClosePolicy.interruptAndWaitUpTo(Math.max(1, settings.connectionTimeoutMs())),
                Objects.requireNonNull(errorHandler, "errorHandler"));
    }

    /**
     * Connects to ZooKeeper and registers the broker and its topics.
     *
     * @throws ZooKeeperUnreachableException if no server answers within {@code connectionTimeoutMs}
     * @throws BrokerIdConflictException if another live broker holds the id at another address
     * @throws ZkRegistrationException if ZooKeeper refuses a write
     */
    public void start() {
        try {
            registrar.start(newClient());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZkRegistrationException("interrupted while registering broker " + identity.brokerId(), e);
        } catch (ExecutionException e) {
            throw failure(
                    "cannot register broker " + identity.brokerId() + " in ZooKeeper " + settings.connectString(),
                    e.getCause());
        }
        LOG.info(
                "Broker {} registered in ZooKeeper {} as {} (session 0x{}, {} topics)",
                identity.brokerId(),
                settings.connectString(),
                identity.uri(),
                Long.toHexString(registrar.currentSessionId()),
                topicSnapshot().size());
    }

    /**
     * Announces a topic, or its new partition count or flags; does nothing if it is already announced
     * exactly so. Before {@link #start()} it only records the topic. The write happens on the registrar;
     * the future completes when it is done and fails if it failed (the failure also goes to the error
     * handler and the registration is repaired in the background), so callers on a request path need not wait.
     */
    public CompletableFuture<Void> registerTopic(TopicRegistration topic) {
        Objects.requireNonNull(topic, "topic");
        TopicRegistration previous;
        synchronized (topics) {
            previous = topics.put(topic.topic(), topic);
        }
        if (topic.equals(previous)) {
            return CompletableFuture.completedFuture(null);
        }
        return update(() -> {
            writeTopic(topic, registrar.registeredSessionId());
            if (topic.publishedPartitions() == topic.numPartitions()) {
                LOG.info(
                        "Registered topic {} ({} partitions) of broker {} in ZooKeeper",
                        topic.topic(),
                        topic.numPartitions(),
                        identity.brokerId());
            } else {
                LOG.info(
                        "Registered topic {} of broker {} in ZooKeeper: {} partitions, {} of them for producers",
                        topic.topic(),
                        identity.brokerId(),
                        topic.numPartitions(),
                        topic.publishedPartitions());
            }
        });
    }

    /** Publishes a new config checksum (after a reload); same completion rules as {@link #registerTopic}. */
    public CompletableFuture<Void> updateConfigChecksum(String checksum) {
        configChecksum = Objects.requireNonNull(checksum, "checksum");
        return update(() -> writer.putEphemeral(
                znodes.checksumPath(), BrokerZnodeDescriptor.utf8(configChecksum), registrar.registeredSessionId()));
    }

    /**
     * Runs {@code write} on the registrar, in a session where the registration is complete (the
     * registrar registers again first if needed); its failure is translated, and has the registration
     * repaired.
     */
    private CompletableFuture<Void> update(ZooKeeperAgentRunner.Duty write) {
        return registrar.submit(() -> {
            try {
                write.run();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw failure("cannot update the registration of broker " + identity.brokerId(), e);
            }
        });
    }

    /**
     * Deletes the nodes this broker's session owns and closes the ZooKeeper client; idempotent. If
     * ZooKeeper is unreachable the ephemeral nodes go when the session expires and the id node stays.
     */
    @Override
    public void close() {
        registrar.close();
    }

    private CuratorFramework newClient() {
        return CuratorFrameworkFactory.builder()
                .connectString(settings.connectString())
                .sessionTimeoutMs(settings.sessionTimeoutMs())
                .connectionTimeoutMs(settings.connectionTimeoutMs())
                .retryPolicy(new ExponentialBackoffRetry((int) FIRST_RETRY_DELAY_MS, CURATOR_RETRIES))
                .ensembleTracker(false)
                .build();
    }

    /** Registrar only. */
    private void awaitConnected() {
        boolean connected;
        try {
            connected = client.blockUntilConnected(settings.connectionTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZkRegistrationException(
                    "interrupted while connecting to ZooKeeper " + settings.connectString(), e);
        }
        if (!connected) {
            throw new ZooKeeperUnreachableException(String.format(
                    "broker %d cannot reach ZooKeeper at %s within zk.zkConnectionTimeoutMs=%d ms; is it running?",
                    identity.brokerId(), settings.connectString(), settings.connectionTimeoutMs()));
        }
    }

    /** Registrar only: every node, in the spec's order; returns the session they were written in. */
    private long registerAll() throws Exception {
        long session = sessionId();
        claimRole(session);
        writer.putPersistent(znodes.idPath(), znodes.addressData());
        writer.putEphemeral(znodes.checksumPath(), BrokerZnodeDescriptor.utf8(configChecksum), session);
        for (TopicRegistration topic : topicSnapshot()) {
            writeTopic(topic, session);
        }
        return session;
    }

    /** Registrar only: makes the role node ours, taking it over from our own dead session. */
    private void claimRole(long session) throws Exception {
        String path = znodes.rolePath();
        byte[] ours = znodes.addressData();
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.sessionTimeoutMs());
        boolean warned = false;
        while (true) {
            Stat stat = new Stat();
            byte[] existing = writer.readOrNull(path, stat);
            if (existing == null) {
                if (writer.createEphemeral(path, ours)) {
                    return;
                }
            } else if (stat.getEphemeralOwner() == session) {
                return;
            } else if (Arrays.equals(existing, ours)) {
                if (writer.replace(path, stat, ours)) {
                    LOG.info(
                            "Broker {} took over its ZooKeeper nodes from its previous session 0x{}",
                            identity.brokerId(),
                            Long.toHexString(stat.getEphemeralOwner()));
                    return;
                }
            } else {
                String other = new String(existing, StandardCharsets.UTF_8);
                if (!warned) {
                    LOG.warn(
                            "Broker id {} is held in ZooKeeper by {} (session 0x{}); waiting up to {} ms for it to go",
                            identity.brokerId(),
                            other,
                            Long.toHexString(stat.getEphemeralOwner()),
                            settings.sessionTimeoutMs());
                    warned = true;
                }
                awaitChangeOrConflict(path, other, deadlineNs);
            }
        }
    }

    /** Registrar only: waits until {@code path} changes, or fails once the deadline has passed. */
    private void awaitChangeOrConflict(String path, String otherAddress, long deadlineNs) throws Exception {
        long remainingNs = deadlineNs - System.nanoTime();
        if (remainingNs <= 0) {
            throw new BrokerIdConflictException(String.format(
                    "broker id %d is already registered in ZooKeeper by another live broker at %s (node %s), "
                            + "which did not go within zk.zkSessionTimeoutMs=%d ms; every broker needs its own brokerId",
                    identity.brokerId(), otherAddress, path, settings.sessionTimeoutMs()));
        }
        CountDownLatch changed = new CountDownLatch(1);
        CuratorWatcher watcher = event -> changed.countDown();
        if (client.checkExists().usingWatcher(watcher).forPath(path) != null) {
            changed.await(remainingNs, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Registrar only: the legacy, publish and subscribe nodes of one topic; a publish or subscribe node whose
     * data changes is created again, so that the clients' child watches see it.
     */
    private void writeTopic(TopicRegistration topic, long session) throws Exception {
        String name = topic.topic();
        writer.putEphemeral(znodes.legacyTopicPath(name), znodes.legacyTopicData(topic), session);
        if (topic.publishes()) {
            writer.putEphemeralWatchedByParent(
                    znodes.publishTopicPath(name), znodes.publishedTopicJson(topic), session);
        } else {
            writer.deleteIfPresent(znodes.publishTopicPath(name));
        }
        if (topic.acceptSubscribe()) {
            writer.putEphemeralWatchedByParent(znodes.subscribeTopicPath(name), znodes.topicJson(topic), session);
        } else {
            writer.deleteIfPresent(znodes.subscribeTopicPath(name));
        }
    }

    /** Caller's thread, registrar stopped: removes what our session owns, in reverse order of registration. */
    private void deregister() {
        if (!client.getZookeeperClient().isConnected()) {
            if (registrar.registeredSessionId() == 0) {
                return;
            }
            LOG.warn(
                    "Broker {} is not connected to ZooKeeper; its ephemeral nodes will go when its session expires",
                    identity.brokerId());
            return;
        }
        try {
            long session = sessionId();
            for (TopicRegistration topic : topicSnapshot()) {
                writer.deleteIfOwned(znodes.legacyTopicPath(topic.topic()), session);
                writer.deleteIfOwned(znodes.publishTopicPath(topic.topic()), session);
                writer.deleteIfOwned(znodes.subscribeTopicPath(topic.topic()), session);
            }
            writer.deleteIfOwned(znodes.checksumPath(), session);
            if (writer.deleteIfOwned(znodes.rolePath(), session)) {
                releaseIdNode();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            registrar.report(failure("cannot deregister broker " + identity.brokerId() + " from ZooKeeper", e));
        }
    }

    /** The id node goes with the master, unless slaves remain under it: then it is set to "" (as the original). */
    private void releaseIdNode() throws Exception {
        try {
            client.delete().forPath(znodes.idPath());
        } catch (KeeperException.NotEmptyException slavesRemain) {
            client.setData().forPath(znodes.idPath(), new byte[0]);
        } catch (KeeperException.NoNodeException alreadyGone) {
            return;
        }
    }

    /** The client's current session id, 0 if none; for tests. */
    long currentSessionId() {
        return registrar.currentSessionId();
    }

    /** The Curator client, once started; for tests that expire its session. */
    CuratorFramework client() {
        return client;
    }

    private long sessionId() throws Exception {
        return client.getZookeeperClient().getZooKeeper().getSessionId();
    }

    private List<TopicRegistration> topicSnapshot() {
        synchronized (topics) {
            return new ArrayList<>(topics.values());
        }
    }

    private ZkRegistrationException failure(String what, Throwable cause) {
        if (cause instanceof ZkRegistrationException registration) {
            return registration;
        }
        if (cause instanceof KeeperException keeper) {
            return new ZkRegistrationException(what + ": " + keeper.code() + " at " + keeper.getPath(), keeper);
        }
        return new ZkRegistrationException(what + ": " + cause, cause);
    }

    /** The registration's duties: {@link #registrar} calls them on its thread, {@code onClose} on the closing one. */
    private final class Registrar implements ZooKeeperAgent {
        @Override
        public String roleName() {
            return "imago-zk-registrar-" + identity.brokerId();
        }

        @Override
        public long onStart() throws Exception {
            client = registrar.client();
            writer = new ZnodeWriter(client);
            client.start();
            awaitConnected();
            return registerAll();
        }

        @Override
        public long onRepair(int attempt) throws Exception {
            try {
                long session = registerAll();
                LOG.info(
                        "Broker {} registered again in ZooKeeper session 0x{}",
                        identity.brokerId(),
                        Long.toHexString(session));
                return session;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw failure(
                        "cannot register broker " + identity.brokerId() + " again (attempt " + attempt + ", retrying)",
                        e);
            }
        }

        @Override
        public void onStateChanged(ConnectionState state) {
            if (state == ConnectionState.LOST) {
                LOG.warn(
                        "ZooKeeper session of broker {} lost; its nodes will be registered again in a new session",
                        identity.brokerId());
            }
        }

        /** The registrar has stopped; after an interrupted close the nodes are left to the session's expiry. */
        @Override
        public void onClose() {
            if (!Thread.currentThread().isInterrupted()) {
                deregister();
            }
            client.close();
            LOG.info("Broker {} left ZooKeeper {}", identity.brokerId(), settings.connectString());
        }
    }
}
