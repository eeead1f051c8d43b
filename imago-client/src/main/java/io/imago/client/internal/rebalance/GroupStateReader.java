package io.imago.client.internal.rebalance;

import io.imago.protocol.zk.TopicRegistrationJson;
import io.imago.protocol.zk.ZnodeDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what a rebalance round needs from ZooKeeper (spec section 4.4, step 1) and leaves a child
 * watch on every list it reads: the group's ids and each subscribed topic's {@code topics-sub}
 * registrations. A node that vanishes between listing and reading is skipped (its removal fires a
 * watch, so another round follows). A registration whose data is not MetaQ's JSON
 * ({@link TopicRegistrationJson}) is skipped with a warning, as the original client ignores it. Used
 * only by the coordinator's thread; not thread-safe.
 */
final class GroupStateReader {
    private static final Logger LOG = LoggerFactory.getLogger(GroupStateReader.class);

    private final CuratorFramework zk;
    private final ZnodeDescriptor znodes;
    private final String group;
    private final CuratorWatcher watcher;

    GroupStateReader(CuratorFramework zk, ZnodeDescriptor znodes, String group, CuratorWatcher watcher) {
        this.zk = zk;
        this.znodes = znodes;
        this.group = group;
        this.watcher = watcher;
    }

    /**
     * Each of {@code topics} as the strategy sees it, in that order. Watches the ids node and the topics'
     * {@code topics-sub} nodes.
     *
     * @throws IllegalStateException if the ids node of {@code consumerId} is missing
     */
    Map<String, TopicView> views(String consumerId, List<String> topics) throws Exception {
        Map<String, Set<String>> consumers = consumers();
        if (!consumers.containsKey(consumerId)) {
            throw new IllegalStateException("the ids node of consumer " + consumerId + " is missing");
        }
        Map<String, TopicView> views = new LinkedHashMap<>();
        for (String topic : topics) {
            views.put(topic, view(topic, consumers));
        }
        return views;
    }

    /** The live consumers of the group and the topics each subscribes to. Watches the ids node. */
    Map<String, Set<String>> consumers() throws Exception {
        Map<String, Set<String>> consumers = new TreeMap<>();
        for (String id : zk.getChildren().usingWatcher(watcher).forPath(znodes.consumerIdsPath(group))) {
            String topics = readString(znodes.consumerIdPath(group, id));
            if (topics != null) {
                consumers.put(id, Set.copyOf(ZnodeDescriptor.topics(topics)));
            }
        }
        return consumers;
    }

    /** The topic as the strategy sees it. Watches the topic's {@code topics-sub} node (or its creation). */
    TopicView view(String topic, Map<String, Set<String>> consumers) throws Exception {
        List<String> subscribers = new ArrayList<>();
        consumers.forEach((id, topics) -> {
            if (topics.contains(topic)) {
                subscribers.add(id);
            }
        });
        List<String> registrations = registrations(topic);
        TreeSet<String> partitions = new TreeSet<>();
        for (Iterator<String> it = registrations.iterator(); it.hasNext(); ) {
            String registration = it.next();
            OptionalInt brokerId = ZnodeDescriptor.brokerId(registration);
            String data = brokerId.isEmpty() ? null : readString(znodes.subscribedTopicPath(topic, registration));
            OptionalInt numParts = TopicRegistrationJson.numParts(data);
            if (numParts.isEmpty()) {
                LOG.warn(
                        "Ignoring the registration {} of topic {}: expected <brokerId>-m or <brokerId>-s<n> with "
                                + "{\"numParts\":N,\"broker\":\"...\"}, found data {}",
                        registration,
                        topic,
                        data);
                it.remove();
                continue;
            }
            for (int p = 0; p < numParts.getAsInt(); p++) {
                partitions.add(ZnodeDescriptor.partitionName(brokerId.getAsInt(), p));
            }
        }
        return new TopicView(subscribers, new ArrayList<>(partitions), registrations);
    }

    private List<String> registrations(String topic) throws Exception {
        String path = znodes.subscribedTopicPath(topic);
        try {
            return new ArrayList<>(
                    new TreeSet<>(zk.getChildren().usingWatcher(watcher).forPath(path)));
        } catch (KeeperException.NoNodeException e) {
            // Deleted by hand after we created it: watch for its return.
            if (zk.checkExists().usingWatcher(watcher).forPath(path) != null) {
                return registrations(topic);
            }
            return new ArrayList<>();
        }
    }

    private String readString(String path) throws Exception {
        try {
            return new String(zk.getData().forPath(path), StandardCharsets.UTF_8);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }
}
