package io.imago.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;

/**
 * What the tools read from (and, for offsets, write to) ZooKeeper, in MetaQ 1.4.6.2's layout (spec
 * section 4) under the root:
 *
 * <pre>
 * brokers/ids/{id}/master                        "meta://host:port" of a live broker
 * brokers/topics-pub|topics-sub/{topic}/{id}-m   {"numParts":N,"broker":"{id}-m"}
 * consumers/{group}/ids/{consumerId}             a live member of the group
 * consumers/{group}/owners/{topic}/{id}-{p}      the consumerId owning a partition
 * consumers/{group}/offsets/{topic}/{id}-{p}     "{msgId}-{offset}" (or "{offset}" before 1.4)
 * </pre>
 *
 * Opened by {@link #connect}, closed by {@link #close()} (idempotent). Not thread-safe.
 */
final class Cluster implements AutoCloseable {
    private static final Pattern NUM_PARTS = Pattern.compile("\"numParts\"\\s*:\\s*(\\d+)");
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final CuratorFramework zk;
    private final String root;
    private final String connectString;

    private Cluster(CuratorFramework zk, String root, String connectString) {
        this.zk = zk;
        this.root = root;
        this.connectString = connectString;
    }

    /** Connects to ZooKeeper; fails when it cannot within 5 s. */
    static Cluster connect(ZkOptions options) throws ToolException {
        CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(options.zkConnect)
                .sessionTimeoutMs(10_000).connectionTimeoutMs(CONNECT_TIMEOUT_MS)
                .retryPolicy(new ExponentialBackoffRetry(200, 2)).build();
        zk.start();
        Cluster cluster = new Cluster(zk, options.root(), options.zkConnect);
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
        for (String id : children(root + "/brokers/ids")) {
            data(root + "/brokers/ids/" + id + "/master").filter(url -> !url.isEmpty())
                    .ifPresent(url -> brokers.put(Integer.parseInt(id), url));
        }
        return brokers;
    }

    /** Every topic a live broker publishes or serves to subscribers. */
    SortedSet<String> topics() throws ToolException {
        SortedSet<String> topics = new TreeSet<>(children(root + "/brokers/topics-pub"));
        topics.addAll(children(root + "/brokers/topics-sub"));
        return topics;
    }

    /** The partitions live brokers register for {@code topic} (topics-pub and topics-sub): broker id to count. */
    SortedMap<Integer, Integer> registeredPartitions(String topic) throws ToolException {
        SortedMap<Integer, Integer> counts = new TreeMap<>();
        for (String kind : List.of("topics-pub", "topics-sub")) {
            String path = root + "/brokers/" + kind + "/" + topic;
            for (String child : children(path)) {
                if (!child.endsWith("-m")) {
                    continue;
                }
                Matcher m = NUM_PARTS.matcher(data(path + "/" + child).orElse(""));
                if (m.find()) {
                    counts.merge(Integer.parseInt(child.substring(0, child.length() - 2)), Integer.parseInt(m.group(1)),
                            Math::max);
                }
            }
        }
        return counts;
    }

    SortedSet<String> groups() throws ToolException {
        return new TreeSet<>(children(root + "/consumers"));
    }

    /** The live members of {@code group}. */
    List<String> members(String group) throws ToolException {
        return children(groupPath(group) + "/ids");
    }

    /** The topics the group has offsets or owners for, and those its live members subscribe to. */
    SortedSet<String> groupTopics(String group) throws ToolException {
        SortedSet<String> topics = new TreeSet<>(children(groupPath(group) + "/offsets"));
        topics.addAll(children(groupPath(group) + "/owners"));
        for (String member : members(group)) {
            for (String t : data(groupPath(group) + "/ids/" + member).orElse("").split(",")) {
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
        String path = groupPath(group) + "/offsets/" + topic;
        for (String partition : children(path)) {
            data(path + "/" + partition).ifPresent(d -> offsets.put(partition, d));
        }
        return offsets;
    }

    Optional<String> owner(String group, String topic, String partition) throws ToolException {
        return data(groupPath(group) + "/owners/" + topic + "/" + partition);
    }

    /** Writes (creating it if needed) the committed offset node of a partition. */
    void writeOffset(String group, String topic, String partition, String value) throws ToolException {
        String path = groupPath(group) + "/offsets/" + topic + "/" + partition;
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

    private String groupPath(String group) {
        return root + "/consumers/" + group;
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
