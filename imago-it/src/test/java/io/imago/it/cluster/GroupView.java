package io.imago.it.cluster;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;

/**
 * What ZooKeeper says of a consumer group (spec §4.4): which consumer owns which partition of a topic
 * ({@code /meta/consumers/<group>/owners/<topic>/<brokerId>-<partition>}, data = consumer id) and the
 * committed positions ({@code /meta/consumers/<group>/offsets/<topic>/<brokerId>-<partition>}).
 * Stateless; thread-safe as far as the Curator client is.
 */
public final class GroupView {
    private GroupView() {}

    /** Partition ({@code brokerId-partition}) to owning consumer id; empty when nothing is owned. */
    public static Map<String, String> owners(CuratorFramework zk, String group, String topic) throws Exception {
        return children(zk, "/meta/consumers/" + group + "/owners/" + topic);
    }

    /** Partition to committed offset text, as written (MetaQ: {@code msgId-offset}). */
    public static Map<String, String> offsets(CuratorFramework zk, String group, String topic) throws Exception {
        return children(zk, "/meta/consumers/" + group + "/offsets/" + topic);
    }

    /** The partitions ({@code brokerId-partition}) of {@code brokerIds}, {@code count} each. */
    public static List<String> partitionsOf(int count, int... brokerIds) {
        return java.util.Arrays.stream(brokerIds)
                .boxed()
                .flatMap(b -> java.util.stream.IntStream.range(0, count).mapToObj(p -> b + "-" + p))
                .toList();
    }

    private static Map<String, String> children(CuratorFramework zk, String path) throws Exception {
        Map<String, String> byChild = new TreeMap<>();
        if (zk.checkExists().forPath(path) == null) {
            return byChild;
        }
        for (String child : zk.getChildren().forPath(path)) {
            try {
                byChild.put(child, new String(zk.getData().forPath(path + "/" + child), StandardCharsets.UTF_8));
            } catch (org.apache.zookeeper.KeeperException.NoNodeException e) {
                // released between the listing and the read: not owned any more
            }
        }
        return byChild;
    }
}
