package io.imago.client.consumer.storage;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.internal.storage.PositionSnapshot;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import io.imago.protocol.zk.OffsetNodeData;
import io.imago.protocol.zk.ZnodeDescriptor;
import io.imago.utils.ZkUtils.ZKConfig;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer positions in ZooKeeper, exactly where and how MetaQ 1.4.6.2 keeps them (spec section 4.2),
 * so the original client and its tools read and write the same nodes: the persistent offset nodes of
 * {@link ZnodeDescriptor#offsetPath}, holding {@link OffsetNodeData} (a pre-1.4 node is read too).
 * This is the default store of a consumer.
 *
 * <p>A commit writes only the positions that moved since the last commit; a position whose write
 * fails is written again by the next commit. {@link #initOffset} writes nothing (the node appears at
 * the first commit), as in MetaQ.
 *
 * <p>Built either on the caller's {@link CuratorFramework} (shared with the session factory; not
 * closed by {@link #close()}) or on a {@link ZKConfig}, in which case this store owns its client: it
 * is started by {@link #start()} or by the first operation and closed by {@link #close()}.
 * Thread-safe.
 */
public class ZkOffsetStorage implements OffsetStorage {
    private static final Logger log = LoggerFactory.getLogger(ZkOffsetStorage.class);
    private static final int FIRST_RETRY_DELAY_MS = 500;
    private static final int MAX_RETRIES = 3;

    private final CuratorFramework client;
    private final ZnodeDescriptor znodes;
    private final boolean ownsClient;
    private boolean started;
    private boolean closed;

    /** Positions under {@code /meta} through the caller's (started) client. */
    public ZkOffsetStorage(CuratorFramework client) {
        this(client, ZnodeDescriptor.DEFAULT_ROOT);
    }

    /** Positions under {@code zkRoot} through the caller's (started) client. */
    public ZkOffsetStorage(CuratorFramework client, String zkRoot) {
        this(Objects.requireNonNull(client, "client"), zkRoot, false);
    }

    /** Positions under {@code zkConfig.zkRoot} through a client of this store's own. */
    public ZkOffsetStorage(ZKConfig zkConfig) {
        this(
                CuratorFrameworkFactory.builder()
                        .connectString(Objects.requireNonNull(zkConfig.zkConnect, "zkConfig.zkConnect"))
                        .sessionTimeoutMs(zkConfig.zkSessionTimeoutMs)
                        .connectionTimeoutMs(zkConfig.zkConnectionTimeoutMs)
                        .retryPolicy(new ExponentialBackoffRetry(FIRST_RETRY_DELAY_MS, MAX_RETRIES))
                        .build(),
                zkConfig.zkRoot,
                true);
    }

    private ZkOffsetStorage(CuratorFramework client, String zkRoot, boolean ownsClient) {
        this.client = client;
        this.znodes = new ZnodeDescriptor(zkRoot);
        this.ownsClient = ownsClient;
    }

    /** Starts the store's own client (a no-op for a caller's client); idempotent. */
    public synchronized void start() throws MetaClientException {
        if (closed) {
            throw new MetaClientException("ZkOffsetStorage is closed");
        }
        if (!started && ownsClient) {
            client.start();
            log.info(
                    "ZkOffsetStorage started on {} under {}",
                    client.getZookeeperClient().getCurrentConnectionString(),
                    znodes.root());
        }
        started = true;
    }

    /**
     * Imago: whether this store writes through {@code other}, the client of the caller's ZooKeeper
     * session (so that a commit can be one transaction with a check of that session's nodes).
     */
    public boolean writesThrough(CuratorFramework other) {
        return client == other;
    }

    /** The node holding the group's position in the partition. */
    public String offsetPath(String group, String topic, Partition partition) {
        return znodes.offsetPath(group, topic, partition.toString());
    }

    @Override
    public void commitOffset(String group, Collection<TopicPartitionRegInfo> infos) throws MetaClientException {
        if (infos == null || infos.isEmpty()) {
            return;
        }
        start();
        MetaClientException failure = null;
        for (TopicPartitionRegInfo info : infos) {
            Optional<PositionSnapshot> snapshot = PositionSnapshot.takeIfModified(info);
            if (snapshot.isEmpty()) {
                continue;
            }
            try {
                write(group, snapshot.get());
            } catch (MetaClientException e) {
                snapshot.get().remark();
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void write(String group, PositionSnapshot position) throws MetaClientException {
        TopicPartitionRegInfo info = position.info();
        String path = offsetPath(group, info.getTopic(), info.getPartition());
        byte[] data =
                OffsetNodeData.encode(position.messageId(), position.offset()).getBytes(StandardCharsets.UTF_8);
        try {
            client.create().orSetData().creatingParentsIfNeeded().forPath(path, data);
        } catch (Exception e) {
            throw failure("cannot write offset node " + path, e);
        }
    }

    @Override
    public TopicPartitionRegInfo load(String topic, String group, Partition partition) throws MetaClientException {
        start();
        String path = offsetPath(group, topic, partition);
        byte[] data;
        try {
            data = client.getData().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        } catch (Exception e) {
            throw failure("cannot read offset node " + path, e);
        }
        if (data == null || data.length == 0) {
            return null;
        }
        try {
            OffsetNodeData.Position p = OffsetNodeData.decode(new String(data, StandardCharsets.UTF_8));
            return new TopicPartitionRegInfo(topic, partition, p.offset(), p.messageId());
        } catch (IllegalArgumentException e) {
            throw new MetaClientException("offset node " + path + ": " + e.getMessage(), e);
        }
    }

    /** Writes nothing: the node is created by the first commit of the position (as in MetaQ). */
    @Override
    public void initOffset(String topic, String group, Partition partition, long offset) throws MetaClientException {
        start();
    }

    /** Closes the store's own client; leaves a caller's client open. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ownsClient && started) {
            client.close();
            log.info("ZkOffsetStorage closed");
        }
    }

    private static MetaClientException failure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new MetaClientException(what + ": " + e, e);
    }
}
