package io.imago.broker.zk;

import static io.imago.broker.zk.ZkTestSupport.BROKER_0;
import static io.imago.broker.zk.ZkTestSupport.CHECKSUM;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.broker.LeavesNoThreads;
import io.imago.broker.config.ZooKeeperConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tree a registered master leaves, node by node, against the original broker's tree
 * (metaq-zk-tree.md, section 1), on Curator's TestingServer (an independent server set-up) bound to
 * 127.0.0.1.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@LeavesNoThreads(value = "imago-zk-registrar", zooKeeper = true)
class BrokerRegistrationLayoutIT {
    private static final String TEST_JSON = "{\"numParts\":1,\"broker\":\"0-m\"}";
    private static final String AUDIT_JSON = "{\"numParts\":2,\"broker\":\"0-m\"}";
    private static final String ADDRESS = "meta://127.0.0.1:8123";

    @TempDir
    Path dataDir;

    private TestingServer server;
    private CuratorFramework observer;
    private BrokerRegistration registration;

    @BeforeEach
    void startServer() throws Exception {
        int port = ZkTestSupport.unusedPort();
        InstanceSpec spec = new InstanceSpec(
                dataDir.toFile(),
                port,
                -1,
                -1,
                true,
                -1,
                ZkTestSupport.TEST_TICK_MS,
                -1,
                Map.of("clientPortAddress", "127.0.0.1"),
                "127.0.0.1");
        server = new TestingServer(spec, true);
        observer = ZkTestSupport.observer(server.getConnectString());
    }

    @AfterEach
    void stopAll() throws Exception {
        if (registration != null) {
            registration.close();
        }
        observer.close();
        server.close();
    }

    @Test
    void masterWritesExactlyTheOriginalsNodes() throws Exception {
        registration = new BrokerRegistration(
                ZkTestSupport.settings(server.getConnectString()),
                BROKER_0,
                CHECKSUM,
                List.of(new TopicRegistration("test", 1, true, true), new TopicRegistration("audit", 2, false, true)),
                error -> {});
        registration.start();

        long session = registration.currentSessionId();
        Map<String, ZkTestSupport.Node> expected = new LinkedHashMap<>();
        expected.put("/meta", persistent(null));
        expected.put("/meta/brokers", persistent(null));
        expected.put("/meta/brokers/ids", persistent(null));
        expected.put("/meta/brokers/ids/0", persistent(ADDRESS));
        expected.put("/meta/brokers/ids/0/master", ephemeral(ADDRESS, session));
        expected.put("/meta/brokers/ids/0/master_config_checksum", ephemeral(CHECKSUM, session));
        expected.put("/meta/brokers/topics", persistent(null));
        expected.put("/meta/brokers/topics/audit", persistent(null));
        expected.put("/meta/brokers/topics/audit/0-m", ephemeral("2", session));
        expected.put("/meta/brokers/topics/test", persistent(null));
        expected.put("/meta/brokers/topics/test/0-m", ephemeral("1", session));
        expected.put("/meta/brokers/topics-pub", persistent(null));
        expected.put("/meta/brokers/topics-pub/test", persistent(null));
        expected.put("/meta/brokers/topics-pub/test/0-m", ephemeral(TEST_JSON, session));
        expected.put("/meta/brokers/topics-sub", persistent(null));
        expected.put("/meta/brokers/topics-sub/audit", persistent(null));
        expected.put("/meta/brokers/topics-sub/audit/0-m", ephemeral(AUDIT_JSON, session));
        expected.put("/meta/brokers/topics-sub/test", persistent(null));
        expected.put("/meta/brokers/topics-sub/test/0-m", ephemeral(TEST_JSON, session));

        assertThat(session).isNotZero();
        assertThat(ZkTestSupport.tree(observer, "/meta")).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    void idsHoldOnlyIntegerChildren() throws Exception {
        registration = new BrokerRegistration(
                ZkTestSupport.settings(server.getConnectString()),
                new BrokerIdentity(17, "127.0.0.1", 8123),
                CHECKSUM,
                List.of(new TopicRegistration("test", 1, true, true)),
                error -> {});
        registration.start();

        assertThat(observer.getChildren().forPath("/meta/brokers/ids"))
                .containsExactly("17")
                .allSatisfy(child -> assertThat(Integer.parseInt(child)).isEqualTo(17));
    }

    @Test
    void configuredRootPrefixesEveryPath() throws Exception {
        ZooKeeperConfig settings = new ZooKeeperConfig(
                true,
                server.getConnectString(),
                "/imago/a",
                ZkTestSupport.TEST_SESSION_TIMEOUT_MS,
                ZkTestSupport.TEST_CONNECTION_TIMEOUT_MS,
                ZkTestSupport.TEST_SYNC_TIME_MS);
        registration = new BrokerRegistration(
                settings, BROKER_0, CHECKSUM, List.of(new TopicRegistration("test", 1, true, true)), error -> {});
        registration.start();

        assertThat(observer.checkExists().forPath("/meta")).isNull();
        assertThat(ZkTestSupport.tree(observer, "/imago/a/brokers").keySet())
                .contains("/imago/a/brokers/ids/0/master", "/imago/a/brokers/topics-pub/test/0-m");
    }

    private static ZkTestSupport.Node persistent(String data) {
        return new ZkTestSupport.Node(data, 0);
    }

    private static ZkTestSupport.Node ephemeral(String data, long session) {
        return new ZkTestSupport.Node(data, session);
    }
}
