package io.imago.client.internal.cluster;

import io.imago.cluster.Partition;
import io.imago.protocol.zk.TopicRegistrationJson;
import io.imago.protocol.zk.ZnodeDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Producer-side discovery through ZooKeeper (spec sections 4.2 and 4.3; nodes in {@link ZnodeDescriptor}):
 * for each published topic, the master children ({@code <id>-m}) of {@code topics-pub/<topic>} (the
 * path is created when absent, as the original client does), each broker's URL from its
 * {@code ids/<id>/master} node and its partition count from the child's JSON. A child watch
 * on every published topic, and a reload of all of them after a reconnection, keep the snapshots
 * current, so brokers added or removed at run time are used without restart.
 *
 * <p>Lifecycle: the constructor assigns; {@link #start()} starts the reload thread;
 * {@link #close()} stops it (the Curator client belongs to the caller). Reloads run on that one
 * thread; a failed reload is logged and retried after {@link #RETRY_DELAY_MS}. Thread-safe: the
 * snapshots are immutable values in a concurrent map.
 */
public final class ProducerZooKeeper implements TopicRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerZooKeeper.class);
    static final long RETRY_DELAY_MS = 1_000;

    private final CuratorFramework zk;
    private final ZnodeDescriptor znodes;
    private final Consumer<TopicBrokers> onChange;
    private final Map<String, TopicBrokers> topics = new ConcurrentHashMap<>();
    private final Map<String, Watcher> watchers = new ConcurrentHashMap<>();
    private final ConnectionStateListener stateListener = this::stateChanged;
    private volatile String defaultTopic;
    private ScheduledExecutorService reloader;
    private volatile boolean closed;

    /**
     * @param zk a started (or starting) Curator client, owned by the caller
     * @param root the ZooKeeper root, {@code /meta} by default
     * @param onChange told of every new snapshot (on the reload thread or a publishing thread)
     */
    public ProducerZooKeeper(CuratorFramework zk, String root, Consumer<TopicBrokers> onChange) {
        this.zk = zk;
        this.znodes = new ZnodeDescriptor(root);
        this.onChange = onChange;
    }

    /** Starts the reload thread and follows the connection state. */
    public synchronized void start() {
        reloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "imago-client-zk-reload");
            t.setDaemon(true);
            return t;
        });
        zk.getConnectionStateListenable().addListener(stateListener);
    }

    @Override
    public void publish(String topic) {
        if (closed) {
            throw new IllegalStateException("Producer ZooKeeper view is closed");
        }
        if (topics.containsKey(topic)) {
            return;
        }
        try {
            ensurePath(topic);
            load(topic);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(
                    "Cannot read the brokers of topic " + topic + " from ZooKeeper at "
                            + znodes.publishedTopicPath(topic) + ": " + e,
                    e);
        }
    }

    @Override
    public void setDefaultTopic(String topic) {
        publish(topic);
        defaultTopic = topic;
    }

    @Override
    public TopicBrokers route(String topic) {
        TopicBrokers brokers = topics.get(topic);
        if (brokers != null && !brokers.partitions().isEmpty()) {
            return brokers;
        }
        String fallback = defaultTopic;
        TopicBrokers d = fallback == null ? null : topics.get(fallback);
        if (d == null || d.partitions().isEmpty()) {
            return brokers != null ? brokers : TopicBrokers.none(topic);
        }
        return new TopicBrokers(topic, d.partitions(), d.brokerUrls());
    }

    @Override
    public Set<String> brokerUrls() {
        Set<String> urls = new TreeSet<>();
        topics.values().forEach(t -> urls.addAll(t.brokerUrls().values()));
        return urls;
    }

    private void ensurePath(String topic) throws Exception {
        try {
            zk.create()
                    .creatingParentsIfNeeded()
                    .withMode(CreateMode.PERSISTENT)
                    .forPath(znodes.publishedTopicPath(topic));
        } catch (KeeperException.NodeExistsException e) {
            LOG.trace("{} exists", e.getPath());
        }
    }

    /** Reads the topic's brokers (setting the child watch) and installs the snapshot. */
    private synchronized void load(String topic) throws Exception {
        String path = znodes.publishedTopicPath(topic);
        Watcher watcher = watchers.computeIfAbsent(topic, t -> event -> childrenChanged(t, event));
        List<String> children = zk.getChildren().usingWatcher(watcher).forPath(path);
        List<Partition> partitions = new ArrayList<>();
        Map<Integer, String> urls = new HashMap<>();
        for (String child : children) {
            OptionalInt id = ZnodeDescriptor.masterBrokerId(child);
            if (id.isEmpty()) {
                continue;
            }
            try {
                String data = utf8(zk.getData().forPath(znodes.publishedTopicPath(topic, child)));
                OptionalInt numParts = TopicRegistrationJson.numParts(data);
                if (numParts.isEmpty()) {
                    LOG.warn(
                            "Ignoring broker {} of topic {}: unreadable registration '{}'", id.getAsInt(), topic, data);
                    continue;
                }
                urls.put(id.getAsInt(), utf8(zk.getData().forPath(znodes.masterPath(id.getAsInt()))));
                for (int p = 0; p < numParts.getAsInt(); p++) {
                    partitions.add(new Partition(id.getAsInt(), p));
                }
            } catch (KeeperException.NoNodeException e) {
                LOG.debug("Broker {} of topic {} went away while reading it: {}", id.getAsInt(), topic, e.getPath());
            }
        }
        Collections.sort(partitions);
        TopicBrokers snapshot = new TopicBrokers(topic, partitions, urls);
        TopicBrokers previous = topics.put(topic, snapshot);
        if (!snapshot.equals(previous)) {
            LOG.info("Topic {} is published on {} partitions of brokers {}", topic, partitions.size(), urls);
            onChange.accept(snapshot);
        }
    }

    private static String utf8(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }

    private void childrenChanged(String topic, WatchedEvent event) {
        if (event.getType() == Watcher.Event.EventType.NodeChildrenChanged && !closed) {
            submitReload(topic, 0);
        }
    }

    private void stateChanged(CuratorFramework client, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED) {
            topics.keySet().forEach(t -> submitReload(t, 0)); // watches are gone after a session expiry
        }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // reload() logs a failure and schedules a retry
    private void submitReload(String topic, long delayMs) {
        ScheduledExecutorService r = reloader;
        if (closed || r == null || r.isShutdown()) {
            return;
        }
        r.schedule(() -> reload(topic), delayMs, TimeUnit.MILLISECONDS);
    }

    private void reload(String topic) {
        try {
            load(topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!closed) {
                LOG.warn(
                        "Reloading the brokers of topic {} failed, retrying in {} ms: {}",
                        topic,
                        RETRY_DELAY_MS,
                        e.toString());
                submitReload(topic, RETRY_DELAY_MS);
            }
        }
    }

    /** Stops following topics and waits for the reload thread. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        zk.getConnectionStateListenable().removeListener(stateListener);
        if (reloader != null) {
            reloader.shutdownNow();
            try {
                if (!reloader.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("The ZooKeeper reload thread did not stop within 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
