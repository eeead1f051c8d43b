package io.imago.client.internal.rebalance;

import static org.awaitility.Awaitility.await;

import io.imago.broker.zk.EmbeddedZooKeeper;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.LoadBalanceStrategy;
import io.imago.client.consumer.storage.OffsetStorage;
import io.imago.protocol.zk.ZnodeDescriptor;
import io.imago.utils.ZkUtils.ZKConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

/**
 * An embedded ZooKeeper on 127.0.0.1, an observer client that plays the brokers and looks at the
 * tree, and the consumers of one group ({@value #GROUP}), each with its own Curator client (as
 * separate processes would have), fake offset storage view and recording fetch control.
 */
final class GroupTestCluster implements AutoCloseable {
    static final String GROUP = "grp";
    /** Sessions of 500 ms to 5 s can be negotiated (2 to 20 ticks). */
    static final int TICK_MS = 250;

    static final int SESSION_TIMEOUT_MS = 2_000;

    final EmbeddedZooKeeper server;
    final CuratorFramework observer;
    final FakeOffsetStorage storage = new FakeOffsetStorage();
    final RecordingFetchControl.Holders holders;
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final ZnodeDescriptor znodes = new ZnodeDescriptor(ZnodeDescriptor.DEFAULT_ROOT);
    private final List<Member> members = new CopyOnWriteArrayList<>();

    /** One consumer of the group. */
    record Member(String consumerId, CuratorFramework client, GroupCoordinator coordinator, RecordingFetchControl fetch)
            implements AutoCloseable {
        @Override
        public void close() {
            coordinator.close();
            client.close();
        }
    }

    GroupTestCluster(Path dataDir, boolean checkHandover) throws InterruptedException {
        server = new EmbeddedZooKeeper(dataDir, new InetSocketAddress(EmbeddedZooKeeper.LOOPBACK, 0), TICK_MS);
        server.start();
        observer = newClient();
        holders = new RecordingFetchControl.Holders(checkHandover);
    }

    CuratorFramework newClient() throws InterruptedException {
        return newClient(server.connectString());
    }

    /** A started and connected client of {@code connectString} (the server's, or a link's to it). */
    CuratorFramework newClient(String connectString) throws InterruptedException {
        return newClient(connectString, SESSION_TIMEOUT_MS);
    }

    /** A started and connected client of {@code connectString} asking for sessions of {@code sessionTimeoutMs}. */
    CuratorFramework newClient(String connectString, int sessionTimeoutMs) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(SESSION_TIMEOUT_MS)
                .retryPolicy(new ExponentialBackoffRetry(50, 3))
                .ensembleTracker(false)
                .build();
        client.start();
        if (!client.blockUntilConnected(SESSION_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            client.close();
            throw new IllegalStateException("cannot reach " + server.connectString());
        }
        return client;
    }

    /** What a broker writes: the ephemeral {@code topics-sub/<topic>/<registration>} with MetaQ's JSON. */
    void registerBroker(String topic, String registration, int numParts) throws Exception {
        observer.create()
                .creatingParentsIfNeeded()
                .withMode(CreateMode.EPHEMERAL)
                .forPath(
                        znodes.subscribedTopicPath(topic, registration),
                        ("{\"numParts\":" + numParts + ",\"broker\":\"" + registration + "\"}")
                                .getBytes(StandardCharsets.UTF_8));
    }

    static ConsumerConfig config(String id, LoadBalanceStrategy.Type strategy) {
        ConsumerConfig config = new ConsumerConfig(GROUP);
        config.setConsumerId(id);
        config.setLoadBalanceStrategyType(strategy);
        config.setCommitOffsetPeriodInMills(100);
        return config;
    }

    static ZKConfig zkConfig(int syncTimeMs) {
        ZKConfig zkConfig = new ZKConfig();
        zkConfig.zkSyncTimeMs = syncTimeMs;
        return zkConfig;
    }

    /** Starts a consumer (start returns after its first round) of {@code topics}. */
    Member join(ConsumerConfig config, ZKConfig zkConfig, String... topics) throws Exception {
        String consumerId = ZnodeDescriptor.consumerId(GROUP, config.getConsumerId());
        return join(RebalanceSettings.of(config, zkConfig, consumerId, List.of(topics)), newClient(), null);
    }

    /**
     * Starts a consumer of {@code settings} on {@code client} (closed with the member); its positions go
     * to {@code offsetStorage}, or (null) to the shared fake storage, which checks ownership at each
     * commit.
     */
    Member join(RebalanceSettings settings, CuratorFramework client, OffsetStorage offsetStorage) {
        String consumerId = settings.consumerId();
        RecordingFetchControl fetch = new RecordingFetchControl(consumerId, holders);
        GroupCoordinator coordinator = new GroupCoordinator(
                client,
                settings,
                offsetStorage != null
                        ? offsetStorage
                        : storage.forConsumer(
                                consumerId,
                                info -> checkOwnedAtCommit(
                                        consumerId,
                                        info.getTopic(),
                                        info.getPartition().toString())),
                fetch,
                errors::add);
        Member member = new Member(consumerId, client, coordinator, fetch);
        members.add(member);
        coordinator.start();
        return member;
    }

    Member join(String id, String... topics) throws Exception {
        return join(config(id, LoadBalanceStrategy.Type.DEFAULT), zkConfig(200), topics);
    }

    void leave(Member member) {
        member.close();
        members.remove(member);
    }

    List<Member> members() {
        return List.copyOf(members);
    }

    private void checkOwnedAtCommit(String consumerId, String topic, String partition) {
        try {
            byte[] data = observer.getData().forPath(znodes.ownerPath(GROUP, topic, partition));
            String owner = new String(data, StandardCharsets.UTF_8);
            if (!owner.equals(consumerId)) {
                holders.violations.add(consumerId + " committed " + topic + "/" + partition + " owned by " + owner);
            }
        } catch (KeeperException.NoNodeException e) {
            holders.violations.add(consumerId + " committed " + topic + "/" + partition + " after releasing it");
        } catch (Exception e) {
            holders.violations.add(consumerId + " commit check failed: " + e);
        }
    }

    /** Partition to owner, as the owners nodes say now. */
    Map<String, String> owners(String topic) throws Exception {
        Map<String, String> owners = new TreeMap<>();
        if (observer.checkExists().forPath(znodes.ownersPath(GROUP, topic)) == null) {
            return owners;
        }
        for (String partition : observer.getChildren().forPath(znodes.ownersPath(GROUP, topic))) {
            try {
                owners.put(
                        partition,
                        new String(
                                observer.getData().forPath(znodes.ownerPath(GROUP, topic, partition)),
                                StandardCharsets.UTF_8));
            } catch (KeeperException.NoNodeException e) {
                // Released between the listing and the read.
            }
        }
        return owners;
    }

    /** Partition to owner as {@code strategy} shares {@code partitions} among the members. */
    Map<String, String> expectedOwners(LoadBalanceStrategy strategy, List<String> partitions) {
        List<String> consumers =
                members.stream().map(Member::consumerId).sorted().toList();
        List<String> sorted = partitions.stream().sorted().toList();
        Map<String, String> owners = new TreeMap<>();
        for (String consumer : consumers) {
            strategy.partitionsFor(consumer, consumers, sorted).forEach(p -> owners.put(p, consumer));
        }
        return owners;
    }

    /** Waits until the owners nodes and every member's fetch control agree with {@code strategy}. */
    void awaitShared(String topic, LoadBalanceStrategy strategy, List<String> partitions) {
        await("the partitions of " + topic + " to be shared by the strategy")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> {
                    Map<String, String> expected = expectedOwners(strategy, partitions);
                    org.assertj.core.api.Assertions.assertThat(owners(topic)).isEqualTo(expected);
                    for (Member member : members) {
                        List<String> mine = new ArrayList<>();
                        expected.forEach((p, owner) -> {
                            if (owner.equals(member.consumerId())) {
                                mine.add(topic + "/" + p);
                            }
                        });
                        mine.sort(null);
                        org.assertj.core.api.Assertions.assertThat(
                                        member.fetch().held())
                                .as("held by %s", member.consumerId())
                                .isEqualTo(mine);
                    }
                });
    }

    /** Ends the member's session on the server, as an expiry does (its ephemeral nodes go at once). */
    void expire(Member member) throws Exception {
        ZooKeeper handle = member.client().getZookeeperClient().getZooKeeper();
        ZooKeeper twin = new ZooKeeper(
                server.connectString(),
                SESSION_TIMEOUT_MS,
                event -> {},
                handle.getSessionId(),
                handle.getSessionPasswd());
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> twin.getState().isConnected());
        } finally {
            twin.close();
        }
    }

    @Override
    public void close() {
        for (Member member : members) {
            member.close();
        }
        members.clear();
        observer.close();
        server.close();
    }
}
