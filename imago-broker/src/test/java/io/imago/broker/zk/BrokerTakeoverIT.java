package io.imago.broker.zk;

import static io.imago.broker.zk.ZkTestSupport.BROKER_0;
import static io.imago.broker.zk.ZkTestSupport.CHECKSUM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.broker.LeavesNoThreads;
import io.imago.broker.config.ConfigKeys;
import io.imago.broker.config.ZooKeeperConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker restarted right after a crash, while ZooKeeper still holds its old session: the old
 * session is played by a registration that is left running, as a crashed process leaves its session
 * until it expires ({@value ZkTestSupport#TEST_SESSION_TIMEOUT_MS} ms here).
 */
@Tag("fault-fast")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@LeavesNoThreads(value = "imago-zk-registrar", zooKeeper = true)
class BrokerTakeoverIT {
    private static final int LONG_SESSION_TIMEOUT_MS = 20_000;
    private static final List<TopicRegistration> TOPICS =
            List.of(new TopicRegistration("test", 1, true, true), new TopicRegistration("audit", 2, false, true));

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
    void restartedBrokerTakesOverItsOwnLiveNodesAtOnce() throws Exception {
        BrokerRegistration crashed = started(BROKER_0);
        Map<String, ZkTestSupport.Node> before = ZkTestSupport.tree(observer, "/meta");
        long oldSession = crashed.currentSessionId();

        // the restarted broker has a long session timeout: waiting for one (as for another live broker
        // with our id) would take LONG_SESSION_TIMEOUT_MS, far beyond what a busy machine adds
        long startNs = System.nanoTime();
        BrokerRegistration restarted = register(
                BROKER_0,
                new ZooKeeperConfig(
                        true,
                        server.connectString(),
                        ConfigKeys.DEFAULT_ZK_ROOT,
                        LONG_SESSION_TIMEOUT_MS,
                        ZkTestSupport.TEST_CONNECTION_TIMEOUT_MS,
                        ZkTestSupport.TEST_SYNC_TIME_MS));
        restarted.start();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        long newSession = restarted.currentSessionId();
        assertThat(tookMs).as("restart took").isLessThan(LONG_SESSION_TIMEOUT_MS / 2);
        assertThat(ZkTestSupport.tree(observer, "/meta")).isEqualTo(ownedBy(before, oldSession, newSession));
        assertThat(errors).isEmpty();
    }

    @Test
    void theOldSessionClosingLaterLeavesTheNewOwnersNodes() throws Exception {
        BrokerRegistration crashed = started(BROKER_0);
        BrokerRegistration restarted = started(BROKER_0);
        Map<String, ZkTestSupport.Node> taken = ZkTestSupport.tree(observer, "/meta");

        crashed.close();

        assertThat(ZkTestSupport.tree(observer, "/meta")).isEqualTo(taken);
        assertThat(taken.values())
                .filteredOn(ZkTestSupport.Node::ephemeral)
                .allSatisfy(node -> assertThat(node.ephemeralOwner()).isEqualTo(restarted.currentSessionId()));
    }

    @Test
    void anotherLiveBrokerWithOurIdFailsStartupAfterTheSessionTimeout() throws Exception {
        BrokerRegistration other = started(new BrokerIdentity(0, "127.0.0.1", 8124));
        Map<String, ZkTestSupport.Node> before = ZkTestSupport.tree(observer, "/meta");
        BrokerRegistration second = registration(BROKER_0);

        long startNs = System.nanoTime();
        assertThatThrownBy(second::start)
                .isInstanceOf(BrokerIdConflictException.class)
                .hasMessageContaining("broker id 0")
                .hasMessageContaining("meta://127.0.0.1:8124");
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        assertThat(tookMs).isGreaterThanOrEqualTo(ZkTestSupport.TEST_SESSION_TIMEOUT_MS);
        assertThat(ZkTestSupport.tree(observer, "/meta")).isEqualTo(before);
        assertThat(other.currentSessionId()).isNotZero();
    }

    @Test
    void aConflictingBrokerWhoseSessionEndsMeanwhileIsReplaced() throws Exception {
        BrokerRegistration other = started(new BrokerIdentity(0, "127.0.0.1", 8124));
        BrokerRegistration second = registration(BROKER_0);
        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
        try {
            ScheduledFuture<?> kill = killer.schedule(
                    () -> {
                        ZkTestSupport.expireOnServer(
                                server.connectString(),
                                other.client().getZookeeperClient().getZooKeeper());
                        other.close();
                        return null;
                    },
                    300,
                    TimeUnit.MILLISECONDS);

            second.start();
            kill.get(10, TimeUnit.SECONDS); // a failure to expire the other session shows here
        } finally {
            killer.shutdown();
            assertThat(killer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(new String(observer.getData().forPath("/meta/brokers/ids/0/master"), StandardCharsets.UTF_8))
                .isEqualTo("meta://127.0.0.1:8123");
        assertThat(observer.checkExists().forPath("/meta/brokers/ids/0/master").getEphemeralOwner())
                .isEqualTo(second.currentSessionId());
    }

    private BrokerRegistration started(BrokerIdentity identity) {
        BrokerRegistration registration = registration(identity);
        registration.start();
        return registration;
    }

    private BrokerRegistration registration(BrokerIdentity identity) {
        return register(identity, ZkTestSupport.settings(server.connectString()));
    }

    private BrokerRegistration register(BrokerIdentity identity, ZooKeeperConfig settings) {
        BrokerRegistration registration = new BrokerRegistration(settings, identity, CHECKSUM, TOPICS, errors::add);
        registrations.add(registration);
        return registration;
    }

    private static Map<String, ZkTestSupport.Node> ownedBy(Map<String, ZkTestSupport.Node> tree, long from, long to) {
        Map<String, ZkTestSupport.Node> moved = new TreeMap<>();
        tree.forEach((path, node) ->
                moved.put(path, node.ephemeralOwner() == from ? new ZkTestSupport.Node(node.data(), to) : node));
        return moved;
    }
}
