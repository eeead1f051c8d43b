package io.imago.client.internal.rebalance;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.curator.RetryLoop;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
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
 * <p><b>Sessions.</b> The owner nodes are created, and the guarded commits written, through the
 * ZooKeeper handle of the session the ids node was last registered in ({@link #registerIds}), never
 * through Curator's retries, which would carry them into a later session: a round or a commit that
 * straddles a session change fails ({@link SessionChangedException}) instead of leaving nodes that no
 * one remembers, or writing positions that are no longer ours.
 *
 * <p>Threading: the {@link GroupCoordinator} calls it on its coordinator thread only (and from
 * {@code close} after that thread ended), so every ZooKeeper write happens on one thread; the
 * registered session is volatile.
 */
final class ConsumerNodes {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerNodes.class);

    private final CuratorFramework zk;
    private final CuratorFramework client;
    private final String consumerId;
    private final byte[] consumerIdBytes;
    /** Parents of offset nodes known to exist (they are persistent), so a commit does not check them again. */
    private final Set<String> knownParents = ConcurrentHashMap.newKeySet();
    /** The session the ids node was last registered in (0 before). */
    private volatile long registeredSession;

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

    /** Whether the client is in a session other than the one registered in (a repair is due). */
    boolean sessionChanged() throws Exception {
        return registeredSession != sessionId();
    }

    /** The handle of the registered session; fails if the client moved on to another session. */
    private ZooKeeper registeredHandle() throws Exception {
        ZooKeeper handle = client.getZookeeperClient().getZooKeeper();
        long registered = registeredSession;
        if (registered == 0 || handle.getSessionId() != registered) {
            throw new SessionChangedException(registered, handle.getSessionId());
        }
        return handle;
    }

    /** Runs {@code operation} with Curator's retries (lost connections), in the registered session only. */
    private <T> T inRegisteredSession(Callable<T> operation) throws Exception {
        return RetryLoop.callWithRetry(client.getZookeeperClient(), operation);
    }

    /** Creates the persistent paths a consumer of the group needs: its topics' and the group's ids path. */
    void ensureGroupPaths(RebalanceSettings settings) throws Exception {
        for (String topic : settings.topics()) {
            ensurePersistent(settings.znodes().subscribedTopicPath(topic));
        }
        ensurePersistent(settings.znodes().consumerIdsPath(settings.group()));
    }

    private void ensurePersistent(String path) throws Exception {
        if (zk.checkExists().forPath(path) != null) {
            return;
        }
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
        registeredSession = 0;
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
        Stat stat = zk.checkExists().forPath(path);
        if (stat == null || stat.getEphemeralOwner() != sessionId) {
            throw new SessionChangedException(sessionId, stat == null ? 0 : stat.getEphemeralOwner());
        }
        registeredSession = sessionId;
    }

    /** The ids node holds the topic list, not the consumer id: deleted when this session created it. */
    void deleteIdsIfOurs(String path) throws Exception {
        Stat stat = zk.checkExists().forPath(path);
        if (stat != null && stat.getEphemeralOwner() == sessionId()) {
            deleteQuietly(path, stat.getVersion());
        }
    }

    /**
     * Creates the owner node at {@code path} in the registered session; false if it exists and is not
     * ours.
     *
     * @throws SessionChangedException if the client is in another session now (nothing was created)
     */
    boolean createOwner(String path) throws Exception {
        ensurePersistent(path.substring(0, path.lastIndexOf('/')));
        try {
            inRegisteredSession(() -> registeredHandle()
                    .create(path, consumerIdBytes, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL));
            return true;
        } catch (KeeperException.NodeExistsException e) {
            // Ours if a retried create already made it in this session.
            return isOurs(path) != null;
        }
    }

    /** The stat of {@code path} if the registered session, still current, created it with our consumer id, else null. */
    Stat isOurs(String path) throws Exception {
        Stat stat = new Stat();
        byte[] data;
        try {
            data = zk.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
        long registered = registeredSession;
        boolean ours = registered != 0
                && stat.getEphemeralOwner() == registered
                && registered == sessionId()
                && consumerId.equals(new String(data, StandardCharsets.UTF_8));
        return ours ? stat : null;
    }

    /**
     * Writes {@code data} to the persistent node {@code dataPath} (created if missing) in one ZooKeeper
     * transaction with a check that the owner node at {@code ownerPath} still exists, through the
     * registered session: the owner node is ephemeral, so it exists in that session only while no other
     * consumer can own the partition. False, writing nothing, when the owner node is gone or the
     * session changed.
     */
    boolean writeIfOwner(String ownerPath, String dataPath, byte[] data) throws Exception {
        // outside the retry loop: Curator does not run its own operations inside another retry loop
        String parent = dataPath.substring(0, dataPath.lastIndexOf('/'));
        if (!knownParents.contains(parent)) {
            ensurePersistent(parent);
            knownParents.add(parent);
        }
        try {
            return inRegisteredSession(() -> writeIfOwnerOnce(ownerPath, dataPath, data));
        } catch (SessionChangedException e) {
            return false;
        } catch (KeeperException.NoNodeException e) {
            knownParents.remove(parent); // removed by an operator: created again by the next commit
            throw e;
        }
    }

    private boolean writeIfOwnerOnce(String ownerPath, String dataPath, byte[] data) throws Exception {
        ZooKeeper handle = registeredHandle();
        try {
            handle.multi(List.of(Op.check(ownerPath, -1), Op.setData(dataPath, data, -1)));
            return true;
        } catch (KeeperException e) {
            if (failedWith(e, 0, KeeperException.Code.NONODE)) {
                return false;
            }
            if (!failedWith(e, 1, KeeperException.Code.NONODE)) {
                throw e;
            }
        }
        try {
            handle.multi(List.of(
                    Op.check(ownerPath, -1),
                    Op.create(dataPath, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)));
            return true;
        } catch (KeeperException e) {
            if (failedWith(e, 0, KeeperException.Code.NONODE)) {
                return false;
            }
            if (failedWith(e, 1, KeeperException.Code.NODEEXISTS)) {
                // created meanwhile (a retried create that went through): write it as a node that exists
                handle.multi(List.of(Op.check(ownerPath, -1), Op.setData(dataPath, data, -1)));
                return true;
            }
            throw e;
        }
    }

    /** Whether the failed transaction's operation {@code index} failed with {@code code}. */
    private static boolean failedWith(KeeperException e, int index, KeeperException.Code code) {
        List<OpResult> results = e.getResults();
        return results != null
                && results.size() > index
                && results.get(index) instanceof OpResult.ErrorResult error
                && error.getErr() == code.intValue();
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
