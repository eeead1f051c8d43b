package io.imago.broker.zk;

import static io.imago.broker.zk.ZkTestSupport.BROKER_0;
import static io.imago.broker.zk.ZkTestSupport.CHECKSUM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.broker.LeavesNoThreads;
import io.imago.broker.config.ConfigKeys;
import io.imago.broker.config.ZooKeeperConfig;
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
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Registration's behaviour over time: run-time topics, checksum updates, session loss, close. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@LeavesNoThreads(value = "imago-zk-registrar", zooKeeper = true)
class BrokerRegistrationIT {
    private static final TopicRegistration TEST_TOPIC = new TopicRegistration("test", 1, true, true);
    /** How long a re-registration may take: a new session on a busy machine, far above the usual 100 ms. */
    private static final Duration BOUND = Duration.ofSeconds(25);

    @TempDir
    Path dataDir;

    private EmbeddedZooKeeper server;
    private CuratorFramework observer;
    private final List<BrokerRegistration> registrations = new ArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        server = ZkTestSupport.startServer(dataDir);
        observer = ZkTestSupport.observer(server.connectString());
    }

    @AfterEach
    void stopAll() {
        registrations.forEach(BrokerRegistration::close);
        observer.close();
        server.close();
    }

    @Test
    void registerTopicAtRunTimeAddsItsNodes() throws Exception {
        BrokerRegistration registration = started(BROKER_0, TEST_TOPIC);

        registration
                .registerTopic(new TopicRegistration("orders-eu", 4, true, false))
                .get(5, TimeUnit.SECONDS);

        long session = registration.currentSessionId();
        assertThat(ZkTestSupport.tree(observer, "/meta/brokers"))
                .containsAllEntriesOf(Map.of(
                        "/meta/brokers/topics/orders-eu/0-m",
                        new ZkTestSupport.Node("4", session),
                        "/meta/brokers/topics-pub/orders-eu/0-m",
                        new ZkTestSupport.Node("{\"numParts\":4,\"broker\":\"0-m\"}", session)));
        assertThat(observer.checkExists().forPath("/meta/brokers/topics-sub/orders-eu/0-m"))
                .isNull();
    }

    @Test
    void registerTopicTwiceLeavesTheNodesUntouched() throws Exception {
        BrokerRegistration registration = started(BROKER_0, TEST_TOPIC);
        Stat before = observer.checkExists().forPath("/meta/brokers/topics-pub/test/0-m");

        registration.registerTopic(TEST_TOPIC).get(5, TimeUnit.SECONDS);
        registration.registerTopic(new TopicRegistration("test", 1, true, true)).get(5, TimeUnit.SECONDS);

        Stat after = observer.checkExists().forPath("/meta/brokers/topics-pub/test/0-m");
        assertThat(after.getCzxid()).isEqualTo(before.getCzxid());
        assertThat(after.getMzxid()).isEqualTo(before.getMzxid());
    }

    @Test
    void registerTopicWithNewSettingsRewritesItsNodes() throws Exception {
        BrokerRegistration registration = started(BROKER_0, TEST_TOPIC);

        registration
                .registerTopic(new TopicRegistration("test", 3, false, true))
                .get(5, TimeUnit.SECONDS);

        assertThat(data("/meta/brokers/topics/test/0-m")).isEqualTo("3");
        assertThat(data("/meta/brokers/topics-sub/test/0-m")).isEqualTo("{\"numParts\":3,\"broker\":\"0-m\"}");
        assertThat(observer.checkExists().forPath("/meta/brokers/topics-pub/test/0-m"))
                .isNull();
    }

    @Test
    void updateConfigChecksumRewritesTheChecksumNode() throws Exception {
        BrokerRegistration registration = started(BROKER_0, TEST_TOPIC);

        registration.updateConfigChecksum("12345").get(5, TimeUnit.SECONDS);

        assertThat(data("/meta/brokers/ids/0/master_config_checksum")).isEqualTo("12345");
    }

    @Test
    @Tag("fault-fast")
    void everyNodeComesBackAfterTheClientSeesItsSessionExpire() throws Exception {
        BrokerRegistration registration = started(BROKER_0, TEST_TOPIC);
        Map<String, ZkTestSupport.Node> before = ZkTestSupport.tree(observer, "/meta");
        long oldSession = registration.currentSessionId();

        registration.client().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();

        awaitSameTreeInNewSession(registration, before, oldSession);
    }

    @Test
    @Tag("fault-fast")
    void everyNodeComesBackAfterTheServerEndsTheSession() throws Exception {
        BrokerRegistration registration = started(BROKER_0, TEST_TOPIC);
        registration.registerTopic(new TopicRegistration("late", 2, true, true)).get(5, TimeUnit.SECONDS);
        Map<String, ZkTestSupport.Node> before = ZkTestSupport.tree(observer, "/meta");
        long oldSession = registration.currentSessionId();

        ZkTestSupport.expireOnServer(
                server.connectString(),
                registration.client().getZookeeperClient().getZooKeeper());

        awaitSameTreeInNewSession(registration, before, oldSession);
    }

    @Test
    void startFailsClearlyWhenZooKeeperIsUnreachable() throws Exception {
        String nowhere = "127.0.0.1:" + ZkTestSupport.unusedPort();
        BrokerRegistration registration = new BrokerRegistration(
                new ZooKeeperConfig(true, nowhere, ConfigKeys.DEFAULT_ZK_ROOT, 2_000, 500, 200),
                BROKER_0,
                CHECKSUM,
                List.of(TEST_TOPIC),
                errors::add);
        registrations.add(registration);

        assertThatThrownBy(registration::start)
                .isInstanceOf(ZooKeeperUnreachableException.class)
                .hasMessageContaining(nowhere)
                .hasMessageContaining("zk.zkConnectionTimeoutMs=500");
    }

    @Test
    void closeRemovesTheBrokersNodes() throws Exception {
        BrokerRegistration registration = started(BROKER_0, TEST_TOPIC);

        registration.close();

        assertThat(ZkTestSupport.tree(observer, "/meta").keySet())
                .containsExactlyInAnyOrder(
                        "/meta",
                        "/meta/brokers",
                        "/meta/brokers/ids",
                        "/meta/brokers/topics",
                        "/meta/brokers/topics/test",
                        "/meta/brokers/topics-pub",
                        "/meta/brokers/topics-pub/test",
                        "/meta/brokers/topics-sub",
                        "/meta/brokers/topics-sub/test");
        assertThat(errors).isEmpty();
    }

    @Test
    void closeLeavesAnEmptyIdNodeWhileSlavesRemain() throws Exception {
        BrokerRegistration registration = started(BROKER_0, TEST_TOPIC);
        observer.create()
                .withMode(CreateMode.EPHEMERAL)
                .forPath("/meta/brokers/ids/0/slave1", "meta://127.0.0.1:8124".getBytes(StandardCharsets.UTF_8));

        registration.close();

        assertThat(data("/meta/brokers/ids/0")).isEmpty();
        assertThat(observer.getChildren().forPath("/meta/brokers/ids/0")).containsExactly("slave1");
    }

    @Test
    void closeTwiceIsHarmless() throws Exception {
        BrokerRegistration registration = started(BROKER_0, TEST_TOPIC);

        registration.close();
        registration.close();

        assertThat(observer.checkExists().forPath("/meta/brokers/ids/0")).isNull();
        assertThat(registration.registerTopic(new TopicRegistration("after", 1, true, true)))
                .isCompletedExceptionally();
    }

    private BrokerRegistration started(BrokerIdentity identity, TopicRegistration... topics) {
        BrokerRegistration registration = new BrokerRegistration(
                ZkTestSupport.settings(server.connectString()), identity, CHECKSUM, List.of(topics), errors::add);
        registrations.add(registration);
        registration.start();
        return registration;
    }

    private void awaitSameTreeInNewSession(
            BrokerRegistration registration, Map<String, ZkTestSupport.Node> before, long oldSession) {
        await("all nodes registered again in a new session").atMost(BOUND).untilAsserted(() -> {
            long newSession = registration.currentSessionId();
            assertThat(newSession).isNotIn(0L, oldSession);
            assertThat(ZkTestSupport.tree(observer, "/meta")).isEqualTo(inSession(before, oldSession, newSession));
        });
    }

    /** {@code tree} with every node of {@code from} owned by {@code to} instead. */
    private static Map<String, ZkTestSupport.Node> inSession(Map<String, ZkTestSupport.Node> tree, long from, long to) {
        Map<String, ZkTestSupport.Node> moved = new TreeMap<>();
        tree.forEach((path, node) ->
                moved.put(path, node.ephemeralOwner() == from ? new ZkTestSupport.Node(node.data(), to) : node));
        return moved;
    }

    private String data(String path) throws Exception {
        return new String(observer.getData().forPath(path), StandardCharsets.UTF_8);
    }
}
