package io.imago.cli;

import io.imago.protocol.zk.TopicRegistrationJson;
import io.imago.protocol.zk.ZnodeDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;

/**
 * What the tools read from (and, for offsets, write to) ZooKeeper, in MetaQ 1.4.6.2's layout (spec
 * section 4, drawn in {@link ZnodeDescriptor}): the live brokers' master nodes and topic
 * registrations, and the consumer groups' members, owners and committed offsets.
 *
 * Opened by {@link #connect}, closed by {@link #close()} (idempotent). Not thread-safe.
 */
final class ClusterZnodes implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final CuratorFramework zk;
    private final ZnodeDescriptor znodes;
    private final String connectString;

    private ClusterZnodes(CuratorFramework zk, ZnodeDescriptor znodes, String connectString) {
        this.zk = zk;
        this.znodes = znodes;
        this.connectString = connectString;
    }

    /** Connects to ZooKeeper; fails when it cannot within 5 s. */
    static ClusterZnodes connect(ZkOptions options) throws ToolException {
        CuratorFramework zk = CuratorFrameworkFactory.builder()
                .connectString(options.zkConnect)
                .sessionTimeoutMs(10_000)
                .connectionTimeoutMs(CONNECT_TIMEOUT_MS)
                .retryPolicy(new ExponentialBackoffRetry(200, 2))
                .build();
        zk.start();
        ClusterZnodes cluster = new ClusterZnodes(zk, new ZnodeDescriptor(options.zkRoot), options.zkConnect);
        try {
            if (!zk.blockUntilConnected(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                cluster.close();
                throw new ToolException("ZooKeeper unreachable at " + options.zkConnect);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cluster.close();
            throw new ToolException("interrupted while connecting to ZooKeeper", e);
        }
        return cluster;
    }

    /** Live brokers: id to {@code meta://host:port}. */
    SortedMap<Integer, String> brokers() throws ToolException {
        SortedMap<Integer, String> brokers = new TreeMap<>();
        for (String id : children(znodes.brokerIdsPath())) {
            int brokerId = Integer.parseInt(id);
            data(znodes.masterPath(brokerId))
                    .filter(url -> !url.isEmpty())
                    .ifPresent(url -> brokers.put(brokerId, url));
        }
        return brokers;
    }

    /** Every topic a live broker publishes or serves to subscribers. */
    SortedSet<String> topics() throws ToolException {
        SortedSet<String> topics = new TreeSet<>(children(znodes.publishedTopicsPath()));
        topics.addAll(children(znodes.subscribedTopicsPath()));
        return topics;
    }

    /** The partitions live brokers register for {@code topic} (topics-pub and topics-sub): broker id to count. */
    SortedMap<Integer, Integer> registeredPartitions(String topic) throws ToolException {
        SortedMap<Integer, Integer> counts = new TreeMap<>();
        for (String path : List.of(znodes.publishedTopicPath(topic), znodes.subscribedTopicPath(topic))) {
            for (String child : children(path)) {
                OptionalInt brokerId = ZnodeDescriptor.masterBrokerId(child);
                OptionalInt numParts = brokerId.isEmpty()
                        ? OptionalInt.empty()
                        : TopicRegistrationJson.numParts(
                                data(ZKPaths.makePath(path, child)).orElse(""));
                if (numParts.isPresent()) {
                    counts.merge(brokerId.getAsInt(), numParts.getAsInt(), Math::max);
                }
            }
        }
        return counts;
    }

    SortedSet<String> groups() throws ToolException {
        return new TreeSet<>(children(znodes.groupsPath()));
    }

    /** The live members of {@code group}. */
    List<String> members(String group) throws ToolException {
        return children(znodes.consumerIdsPath(group));
    }

    /** The topics the group has offsets or owners for, and those its live members subscribe to. */
    SortedSet<String> groupTopics(String group) throws ToolException {
        SortedSet<String> topics = new TreeSet<>(children(znodes.offsetsPath(group)));
        topics.addAll(children(znodes.ownersPath(group)));
        for (String member : members(group)) {
            for (String t : ZnodeDescriptor.topics(
                    data(znodes.consumerIdPath(group, member)).orElse(""))) {
                if (!t.isBlank()) {
                    topics.add(t.trim());
                }
            }
        }
        return topics;
    }

    /** The partitions ({@code brokerId-p}) with a committed offset for the group and topic: name to node data. */
    Map<String, String> committed(String group, String topic) throws ToolException {
        Map<String, String> offsets = new TreeMap<>();
        for (String partition : children(znodes.offsetsPath(group, topic))) {
            data(znodes.offsetPath(group, topic, partition)).ifPresent(d -> offsets.put(partition, d));
        }
        return offsets;
    }

    Optional<String> owner(String group, String topic, String partition) throws ToolException {
        return data(znodes.ownerPath(group, topic, partition));
    }

    /** Writes (creating it if needed) the committed offset node of a partition. */
    void writeOffset(String group, String topic, String partition, String value) throws ToolException {
        String path = znodes.offsetPath(group, topic, partition);
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        try {
            if (zk.checkExists().forPath(path) == null) {
                zk.create().creatingParentsIfNeeded().forPath(path, bytes);
            } else {
                zk.setData().forPath(path, bytes);
            }
        } catch (Exception e) {
            throw zkFailure("write " + path, e);
        }
    }

    private List<String> children(String path) throws ToolException {
        try {
            return new ArrayList<>(zk.getChildren().forPath(path));
        } catch (KeeperException.NoNodeException e) {
            return new ArrayList<>();
        } catch (Exception e) {
            throw zkFailure("list " + path, e);
        }
    }

    private Optional<String> data(String path) throws ToolException {
        try {
            byte[] bytes = zk.getData().forPath(path);
            return Optional.of(bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw zkFailure("read " + path, e);
        }
    }

    private ToolException zkFailure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new ToolException("ZooKeeper " + connectString + ": cannot " + what + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        zk.close();
    }
}
