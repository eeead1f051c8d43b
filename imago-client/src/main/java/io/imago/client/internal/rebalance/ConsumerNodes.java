package io.imago.client.internal.rebalance;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This consumer's own nodes in its group, under {@code /meta/consumers/<group>}: the ephemeral
 * {@code ids/<consumerId>} node (holding the topic list) and the ephemeral
 * {@code owners/<topic>/<brokerId>-<p>} nodes (holding the consumer id). An owner node is "ours" only
 * when the current session created it with our consumer id, the ids node when the current session
 * created it; nodes of an earlier session are never taken for ours (except that the ids node of an
 * earlier session with the same consumer id is replaced on registration).
 *
 * <p>Threading: immutable (it keeps nothing besides what the constructor assigns), but the
 * {@link GroupCoordinator} calls it on its coordinator thread only (and from {@code close} after that
 * thread ended), so every ZooKeeper write still happens on one thread.
 */
final class ConsumerNodes {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerNodes.class);

    private final CuratorFramework zk;
    private final CuratorFramework client;
    private final String consumerId;
    private final byte[] consumerIdBytes;

    /**
     * @param zk the coordinator's watcher-removing view of the client, through which nodes are written
     * @param client the Curator client, whose ZooKeeper session id tells which nodes are ours
     * @param consumerId this consumer's id, the data of its owner nodes
     */
    ConsumerNodes(CuratorFramework zk, CuratorFramework client, String consumerId) {
        this.zk = zk;
        this.client = client;
        this.consumerId = consumerId;
        this.consumerIdBytes = consumerId.getBytes(StandardCharsets.UTF_8);
    }

    /** The id of the client's current ZooKeeper session (0 before it first connected). */
    long sessionId() throws Exception {
        return client.getZookeeperClient().getZooKeeper().getSessionId();
    }

    /** Creates the persistent paths a consumer of the group needs: its topics' and the group's ids path. */
    void ensureGroupPaths(RebalanceSettings settings) throws Exception {
        for (String topic : settings.topics()) {
            ensurePersistent(settings.znodes().subscribedTopicPath(topic));
        }
        ensurePersistent(settings.znodes().consumerIdsPath(settings.group()));
    }

    private void ensurePersistent(String path) throws Exception {
        try {
            zk.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
        } catch (KeeperException.NodeExistsException e) {
            // Already there, as expected after the first consumer or broker.
        }
    }

    /**
     * Creates the ephemeral ids node at {@code path} with the topic list in session {@code sessionId},
     * or updates it if that session created it already; a node left by an earlier session is replaced.
     */
    void registerIds(String path, String topicList, long sessionId) throws Exception {
        byte[] topics = topicList.getBytes(StandardCharsets.UTF_8);
        try {
            zk.create().withMode(CreateMode.EPHEMERAL).forPath(path, topics);
        } catch (KeeperException.NodeExistsException e) {
            Stat stat = zk.checkExists().forPath(path);
            if (stat != null && stat.getEphemeralOwner() == sessionId) {
                zk.setData().forPath(path, topics);
            } else {
                // A previous process with the same configured consumerId whose session has not expired yet.
                LOG.warn("Consumer {} replaces the registration left by an earlier session", consumerId);
                if (stat != null) {
                    deleteQuietly(path, stat.getVersion());
                }
                zk.create().withMode(CreateMode.EPHEMERAL).forPath(path, topics);
            }
        }
    }

    /** The ids node holds the topic list, not the consumer id: deleted when this session created it. */
    void deleteIdsIfOurs(String path) throws Exception {
        Stat stat = zk.checkExists().forPath(path);
        if (stat != null && stat.getEphemeralOwner() == sessionId()) {
            deleteQuietly(path, stat.getVersion());
        }
    }

    /** Creates the owner node at {@code path}; false if it exists and is not ours. */
    boolean createOwner(String path) throws Exception {
        try {
            zk.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, consumerIdBytes);
            return true;
        } catch (KeeperException.NodeExistsException e) {
            // Ours if a retried create already made it in this session.
            return isOurs(path) != null;
        }
    }

    /** The stat of {@code path} if this session created it with our consumer id, else null. */
    Stat isOurs(String path) throws Exception {
        Stat stat = new Stat();
        byte[] data;
        try {
            data = zk.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
        boolean ours =
                stat.getEphemeralOwner() == sessionId() && consumerId.equals(new String(data, StandardCharsets.UTF_8));
        return ours ? stat : null;
    }

    /** Deletes the owner node at {@code path} if it is ours. */
    void deleteIfOurs(String path) throws Exception {
        Stat stat = isOurs(path);
        if (stat != null) {
            deleteQuietly(path, stat.getVersion());
        }
    }

    /**
     * Deletes those of the owner nodes at {@code paths} that are ours; a failure is passed to
     * {@code errorHandler} and the other nodes are deleted anyway.
     */
    void deleteOwnersIfOurs(List<String> paths, Consumer<Throwable> errorHandler) {
        for (String path : paths) {
            try {
                deleteIfOurs(path);
            } catch (Exception e) {
                errorHandler.accept(new RebalanceException(
                        "consumer " + consumerId + " could not delete its owner node " + path, e));
            }
        }
    }

    /** Deletes {@code path} at {@code version}; a node already gone is fine. */
    private void deleteQuietly(String path, int version) throws Exception {
        try {
            zk.delete().withVersion(version).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            // Gone already: what we wanted.
        }
    }
}
