package io.imago.broker.zk;

import java.util.Arrays;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The znode operations registration is made of, each one aware of who owns an ephemeral node
 * (its {@link Stat#getEphemeralOwner() owner session}):
 *
 * <ul>
 *   <li>{@link #putEphemeral} makes a node exist with the given data and be owned by the given
 *       session; a node of another session is replaced atomically (a versioned delete and a create in
 *       one ZooKeeper multi), so it is only for nodes the caller has the right to take over;</li>
 *   <li>{@link #deleteIfOwned} removes a node only if the given session owns it, so a broker never
 *       removes the nodes of a successor that took over its id.</li>
 * </ul>
 *
 * Parents are created persistent with no data ({@code null}), as the original broker leaves them.
 * Every method throws ZooKeeper's and Curator's exceptions unchanged; callers translate them. Not
 * thread-safe in the sense that two callers racing on one path are resolved only by retrying, which
 * each method does a bounded number of times.
 */
final class ZnodeWriter {
    /** Attempts at a node that other writers keep changing under us before giving up. */
    private static final int MAX_RACES = 5;

    private final CuratorFramework client;

    ZnodeWriter(CuratorFramework client) {
        this.client = client;
    }

    /** Creates {@code path} and its missing ancestors as persistent nodes with no data. */
    void ensurePath(String path) throws Exception {
        if ("/".equals(path) || client.checkExists().forPath(path) != null) {
            return;
        }
        ensurePath(ZKPaths.getPathAndNode(path).getPath());
        try {
            client.create().withMode(CreateMode.PERSISTENT).forPath(path, null);
        } catch (KeeperException.NodeExistsException createdMeanwhile) {
            // Another writer created it between our check and our create: the path exists, as wanted.
            return;
        }
    }

    /** Sets the data of the persistent node {@code path} (created if missing) unless it already holds it. */
    void putPersistent(String path, byte[] data) throws Exception {
        ensurePath(path);
        byte[] existing = client.getData().forPath(path);
        if (!Arrays.equals(existing, data)) {
            client.setData().forPath(path, data);
        }
    }

    /**
     * Makes {@code path} an ephemeral node of {@code session} holding {@code data}.
     *
     * @return the session that owned the node before, if another session did (taken over), else 0
     */
    long putEphemeral(String path, byte[] data, long session) throws Exception {
        return putEphemeral(path, data, session, false);
    }

    /**
     * As {@link #putEphemeral}, but a node of {@code session} holding other data is deleted and created
     * again (in one multi) instead of having its data set: MetaQ's clients watch only the children of a
     * topic's {@code topics-pub} and {@code topics-sub} nodes, so a changed {@code numParts} reaches the
     * running ones only as a change of those children.
     *
     * @return the session that owned the node before, if another session did (taken over), else 0
     */
    long putEphemeralWatchedByParent(String path, byte[] data, long session) throws Exception {
        return putEphemeral(path, data, session, true);
    }

    /**
     * The two above: a node of {@code session} holding other data has its data set, or, with {@code
     * recreateOnChange}, is deleted and created again in one multi.
     */
    private long putEphemeral(String path, byte[] data, long session, boolean recreateOnChange) throws Exception {
        for (int attempt = 0; attempt < MAX_RACES; attempt++) {
            Stat stat = new Stat();
            byte[] existing = readOrNull(path, stat);
            boolean ours = existing != null && stat.getEphemeralOwner() == session;
            if (existing == null) {
                if (createEphemeral(path, data)) {
                    return 0;
                }
            } else if (ours && Arrays.equals(existing, data)) {
                return 0;
            } else if (ours && !recreateOnChange) {
                if (setData(path, data, stat)) {
                    return 0;
                }
            } else if (replace(path, stat, data)) {
                return ours ? 0 : stat.getEphemeralOwner();
            }
        }
        throw new KeeperException.BadVersionException(path);
    }

    /** The data of {@code path} with its stat stored in {@code stat}, or null if there is no such node. */
    byte[] readOrNull(String path, Stat stat) throws Exception {
        try {
            byte[] data = client.getData().storingStatIn(stat).forPath(path);
            return data == null ? new byte[0] : data;
        } catch (KeeperException.NoNodeException absent) {
            return null;
        }
    }

    /** Creates {@code path} as an ephemeral node; false if it already exists. */
    boolean createEphemeral(String path, byte[] data) throws Exception {
        ensurePath(ZKPaths.getPathAndNode(path).getPath());
        try {
            client.create().withMode(CreateMode.EPHEMERAL).forPath(path, data);
            return true;
        } catch (KeeperException.NodeExistsException taken) {
            return false;
        }
    }

    /** Deletes the node {@code path} as seen in {@code stat} and creates ours, atomically; false on a race. */
    boolean replace(String path, Stat stat, byte[] data) throws Exception {
        try {
            client.transaction()
                    .forOperations(
                            client.transactionOp()
                                    .delete()
                                    .withVersion(stat.getVersion())
                                    .forPath(path),
                            client.transactionOp()
                                    .create()
                                    .withMode(CreateMode.EPHEMERAL)
                                    .forPath(path, data));
            return true;
        } catch (KeeperException.BadVersionException
                | KeeperException.NoNodeException
                | KeeperException.NodeExistsException changedMeanwhile) {
            return false;
        }
    }

    /** Deletes {@code path} whoever owns it; nothing if it does not exist. */
    void deleteIfPresent(String path) throws Exception {
        try {
            client.delete().forPath(path);
        } catch (KeeperException.NoNodeException absent) {
            return;
        }
    }

    /** Deletes the ephemeral node {@code path} if {@code session} owns it; true if it did. */
    boolean deleteIfOwned(String path, long session) throws Exception {
        Stat stat = client.checkExists().forPath(path);
        if (stat == null || stat.getEphemeralOwner() != session) {
            return false;
        }
        try {
            client.delete().withVersion(stat.getVersion()).forPath(path);
            return true;
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException changedMeanwhile) {
            return false;
        }
    }

    private boolean setData(String path, byte[] data, Stat stat) throws Exception {
        try {
            client.setData().withVersion(stat.getVersion()).forPath(path, data);
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException changedMeanwhile) {
            return false;
        }
    }
}
