package io.imago.client.internal.rebalance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.broker.LeavesNoThreads;
import io.imago.client.PeriodicProbe;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.LoadBalanceStrategy;
import io.imago.client.internal.rebalance.GroupTestCluster.Member;
import io.imago.cluster.Partition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Consumers of one group sharing partitions through a real (embedded) ZooKeeper on 127.0.0.1. */
@Timeout(60)
@LeavesNoThreads(
        value = {"imago-rebalance", "sampler"},
        zooKeeper = true)
class GroupCoordinatorIT {
    private static final String TOPIC = "test";
    /** Two brokers of 4 partitions each (broker 1 also has a slave): 8 partitions. */
    private static final List<String> EIGHT = List.of("0-0", "0-1", "0-2", "0-3", "1-0", "1-1", "1-2", "1-3");

    @TempDir
    Path dataDir;

    private GroupTestCluster cluster;

    @BeforeEach
    void startZooKeeper() throws Exception {
        cluster = new GroupTestCluster(dataDir, true);
    }

    @AfterEach
    void stop() {
        cluster.close();
        assertThat(cluster.holders.violations).isEmpty();
    }

    private void registerEightPartitions() throws Exception {
        cluster.registerBroker(TOPIC, "0-m", 4);
        cluster.registerBroker(TOPIC, "1-m", 4);
        cluster.registerBroker(TOPIC, "1-s1", 4);
    }

    @ParameterizedTest(name = "{0} consumers, {1}")
    @CsvSource({"1, DEFAULT", "3, DEFAULT", "10, DEFAULT", "3, CONSIST", "10, CONSIST"})
    void everyPartitionIsOwnedOnceAsTheStrategySays(int consumers, LoadBalanceStrategy.Type type) throws Exception {
        registerEightPartitions();
        for (int i = 0; i < consumers; i++) {
            cluster.join(GroupTestCluster.config("c" + i, type), GroupTestCluster.zkConfig(200), TOPIC);
        }
        cluster.awaitShared(TOPIC, LoadBalanceStrategy.of(type), EIGHT);
        assertThat(cluster.errors).isEmpty();
    }

    @Test
    void partitionsAreSortedAsStrings() throws Exception {
        cluster.registerBroker(TOPIC, "0-m", 12);
        Member first = cluster.join("a", TOPIC);
        cluster.join("b", TOPIC);
        cluster.join("c", TOPIC);
        List<String> twelve = IntStream.range(0, 12).mapToObj(p -> "0-" + p).toList();
        cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), twelve);
        assertThat(first.fetch().held()).containsExactly("test/0-0", "test/0-1", "test/0-10", "test/0-11");
    }

    @Test
    void consumersJoiningAndLeavingNeverShareAPartitionAndHandOverCommittedOffsets() throws Exception {
        registerEightPartitions();
        PeriodicProbe sampler = PeriodicProbe.every(Duration.ofMillis(2), "owners-sampler", this::checkOwners);
        try {
            for (int i = 0; i < 3; i++) {
                cluster.join("stable" + i, TOPIC);
            }
            for (int round = 0; round < 6; round++) {
                Member visitor = cluster.join("visitor" + round, TOPIC);
                if (round % 2 == 0) {
                    cluster.leave(cluster.members().get(0));
                }
                cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), EIGHT);
                if (round % 2 == 1) {
                    cluster.leave(visitor);
                }
            }
            cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), EIGHT);
        } finally {
            sampler.close();
        }
        assertThat(sampler.failure()).isNull();
        assertThat(sampler.runs()).isGreaterThan(50);
        assertThat(cluster.holders.violations).isEmpty();
        assertThat(cluster.storage.commits()).isNotEmpty();
    }

    /** One sample of the owner nodes (every 2 ms): each names a consumer of the group, on one of the partitions. */
    private void checkOwners() throws Exception {
        Map<String, String> owners = cluster.owners(TOPIC);
        assertThat(EIGHT).containsAll(owners.keySet());
        owners.values().forEach(owner -> assertThat(owner).startsWith(GroupTestCluster.GROUP + "_"));
    }

    @Test
    void aBrokerRegisteredAtRunTimeIsShared() throws Exception {
        cluster.registerBroker(TOPIC, "0-m", 4);
        cluster.join("a", TOPIC);
        Member b = cluster.join("b", TOPIC);
        cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), EIGHT.subList(0, 4));

        cluster.registerBroker(TOPIC, "1-m", 4);
        cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), EIGHT);

        cluster.registerBroker(TOPIC, "1-s1", 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.fetch().events.contains("brokersChanged " + TOPIC));
        assertThat(cluster.errors).isEmpty();
    }

    @Test
    void aConsumerWhoseSessionExpiresRegistersAgainAndOwnsItsShareAgain() throws Exception {
        registerEightPartitions();
        Member a = cluster.join("a", TOPIC);
        cluster.join("b", TOPIC);
        cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), EIGHT);
        long roundsBefore = a.coordinator().completedRounds();

        String idPath = cluster.znodes.consumerIdPath(GroupTestCluster.GROUP, a.consumerId());

        cluster.expire(a);

        await().atMost(Duration.ofSeconds(15))
                .until(() -> a.coordinator().completedRounds() > roundsBefore
                        && cluster.observer.checkExists().forPath(idPath) != null);
        cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), EIGHT);
        assertThat(a.fetch().events).contains("revoked test/0-0", "assigned test/0-0");
        // The owner nodes never doubled, but between the server ending a's session and a hearing of it,
        // b may legitimately take a's partitions while a's fetch loop still has them: ZooKeeper leases
        // have no fencing, so a consumer can only stop when it learns its session is gone (as in MetaQ).
        List<String> overlap = cluster.holders.violations.stream()
                .filter(v -> v.matches("test/0-[0-3] assigned to grp_b while grp_a holds it"))
                .toList();
        cluster.holders.violations.removeAll(overlap);
        assertThat(cluster.observer.checkExists().forPath(idPath).getEphemeralOwner())
                .isEqualTo(a.client().getZookeeperClient().getZooKeeper().getSessionId());
    }

    /**
     * Issue 12 item 8: registering again in a new session fails (here the ids directory refuses new
     * children) and is retried with back-off until it succeeds, instead of being logged once and leaving
     * the consumer owning nothing for the rest of the session.
     */
    @Test
    void aFailedRegistrationInANewSessionIsRetriedUntilItSucceeds() throws Exception {
        registerEightPartitions();
        Member a = cluster.join("a", TOPIC);
        cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), EIGHT);
        // a's positions committed before its session ends (after it, the ownership guard refuses them),
        // so that the partitions come back where a left them
        await("a's first commit")
                .atMost(Duration.ofSeconds(10))
                .until(() -> EIGHT.stream()
                        .allMatch(p -> Long.valueOf(1).equals(cluster.storage.offset(TOPIC, new Partition(p)))));
        String idPath = cluster.znodes.consumerIdPath(GroupTestCluster.GROUP, a.consumerId());
        String idsDir = idPath.substring(0, idPath.lastIndexOf('/'));
        cluster.observer
                .setACL()
                .withACL(List.of(new ACL(
                        ZooDefs.Perms.READ | ZooDefs.Perms.DELETE | ZooDefs.Perms.ADMIN, ZooDefs.Ids.ANYONE_ID_UNSAFE)))
                .forPath(idsDir);

        cluster.expire(a);
        await("a's registration in the new session failing")
                .atMost(Duration.ofSeconds(20))
                .until(() -> !cluster.errors.isEmpty());
        assertThat(cluster.observer.checkExists().forPath(idPath)).isNull();

        cluster.observer.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(idsDir);
        await("a registered again")
                .atMost(Duration.ofSeconds(20))
                .until(() -> cluster.observer.checkExists().forPath(idPath) != null);
        cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), EIGHT);
        assertThat(a.coordinator().owned().get(TOPIC)).hasSize(EIGHT.size());
        cluster.errors.clear(); // the failed attempts were reported, as they should be
    }

    @Test
    void closeCommitsThenRemovesTheOwnerAndIdsNodes() throws Exception {
        registerEightPartitions();
        Member a = cluster.join("a", TOPIC);
        cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), EIGHT);

        cluster.leave(a);

        assertThat(cluster.owners(TOPIC)).isEmpty();
        assertThat(cluster.observer.getChildren().forPath(cluster.znodes.consumerIdsPath(GroupTestCluster.GROUP)))
                .isEmpty();
        assertThat(a.fetch().held()).isEmpty();
        // The fetch control consumed one message of each partition: position 1 is committed for every one.
        for (String partition : EIGHT) {
            assertThat(cluster.storage.offset(TOPIC, new Partition(partition))).isEqualTo(1L);
        }
        a.close();
    }

    @Test
    void positionsComeFromTheStorageOrTheConfiguredOffset() throws Exception {
        cluster.registerBroker(TOPIC, "0-m", 2);
        cluster.storage.put(TOPIC, new Partition("0-1"), 42);
        ConsumerConfig config = GroupTestCluster.config("a", LoadBalanceStrategy.Type.DEFAULT);
        config.setOffset(7);
        Member a = cluster.join(config, GroupTestCluster.zkConfig(200), TOPIC);
        cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), List.of("0-0", "0-1"));
        assertThat(a.fetch().assignedAt).containsEntry("test/0-0", 7L).containsEntry("test/0-1", 42L);
        assertThat(cluster.storage.initialized()).containsExactly("test/0-0@7");
        // The fetch control consumed one message of each; close commits that.
        cluster.leave(a);
        assertThat(cluster.storage.offset(TOPIC, new Partition("0-0"))).isEqualTo(8L);
        assertThat(cluster.storage.offset(TOPIC, new Partition("0-1"))).isEqualTo(43L);
    }

    @Test
    void alwaysConsumingFromTheEndIgnoresStoredPositions() throws Exception {
        cluster.registerBroker(TOPIC, "0-m", 1);
        cluster.storage.put(TOPIC, new Partition("0-0"), 42);
        ConsumerConfig config = GroupTestCluster.config("a", LoadBalanceStrategy.Type.DEFAULT);
        config.setConsumeFromMaxOffset(true);
        Member a = cluster.join(config, GroupTestCluster.zkConfig(200), TOPIC);
        cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), List.of("0-0"));
        assertThat(a.fetch().assignedAt).containsEntry("test/0-0", Long.MAX_VALUE);
        assertThat(cluster.storage.initialized()).isEmpty();
        cluster.leave(a);
    }

    /**
     * Issue 12 item 3: "always from the end" is a start-up choice. Partitions taken in a later round (here
     * a broker that joins) continue from their stored position instead of skipping what was produced
     * meanwhile.
     */
    @Test
    void alwaysConsumingFromTheEndAppliesToTheFirstRoundOnly() throws Exception {
        cluster.registerBroker(TOPIC, "0-m", 2);
        cluster.storage.put(TOPIC, new Partition("0-0"), 42);
        cluster.storage.put(TOPIC, new Partition("2-0"), 500);
        cluster.storage.put(TOPIC, new Partition("2-1"), 700);
        ConsumerConfig config = GroupTestCluster.config("a", LoadBalanceStrategy.Type.DEFAULT);
        config.setConsumeFromMaxOffset(true);
        Member a = cluster.join(config, GroupTestCluster.zkConfig(200), TOPIC);
        cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), List.of("0-0", "0-1"));
        assertThat(a.fetch().assignedAt)
                .containsEntry("test/0-0", Long.MAX_VALUE)
                .containsEntry("test/0-1", Long.MAX_VALUE);

        cluster.registerBroker(TOPIC, "2-m", 2);
        cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), List.of("0-0", "0-1", "2-0", "2-1"));
        assertThat(a.fetch().assignedAt)
                .as("claimed after the start: from the stored positions")
                .containsEntry("test/2-0", 500L)
                .containsEntry("test/2-1", 700L);
        cluster.leave(a);
    }

    @Test
    void anOwnerHeldByAnotherConsumerFailsTheRoundAfterSevenAttemptsAndTheNextChangeSucceeds() throws Exception {
        cluster.registerBroker(TOPIC, "0-m", 2);
        String intruder = cluster.znodes.ownerPath(GroupTestCluster.GROUP, TOPIC, "0-0");
        cluster.observer
                .create()
                .creatingParentsIfNeeded()
                .withMode(CreateMode.EPHEMERAL)
                .forPath(intruder, "grp_intruder".getBytes(StandardCharsets.UTF_8));
        ConsumerConfig config = GroupTestCluster.config("a", LoadBalanceStrategy.Type.DEFAULT);
        Member a = cluster.join(config, GroupTestCluster.zkConfig(20), TOPIC);

        assertThat(cluster.errors)
                .singleElement()
                .isInstanceOf(RebalanceException.class)
                .asString()
                .contains("7 attempts");
        assertThat(a.coordinator().owned()).isEmpty();
        assertThat(cluster.owners(TOPIC)).containsOnlyKeys("0-0");

        cluster.observer.delete().forPath(intruder);
        cluster.registerBroker(TOPIC, "0-s1", 2);
        cluster.awaitShared(TOPIC, new DefaultLoadBalanceStrategy(), List.of("0-0", "0-1"));
    }
}
