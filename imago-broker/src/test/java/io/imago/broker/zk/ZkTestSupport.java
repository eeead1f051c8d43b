package io.imago.broker.zk;

import static org.awaitility.Awaitility.await;

import io.imago.broker.config.ConfigKeys;
import io.imago.broker.config.ZooKeeperConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/** Small fixtures shared by the ZooKeeper tests: servers, an observer client, tree dumps, session kills. */
final class ZkTestSupport {
    /** A short tick lets tests use sessions of 200 ms to 2 s. */
    static final int TEST_TICK_MS = 100;

    static final int TEST_SESSION_TIMEOUT_MS = 2_000;
    static final int TEST_CONNECTION_TIMEOUT_MS = 2_000;
    static final int TEST_SYNC_TIME_MS = 200;
    static final String CHECKSUM = "3558773251";
    static final BrokerIdentity BROKER_0 = new BrokerIdentity(0, "127.0.0.1", 8123);

    private ZkTestSupport() {}

    /** A started embedded ZooKeeper on 127.0.0.1 and a free port, with the short test tick. */
    static EmbeddedZooKeeper startServer(Path dataDir) {
        EmbeddedZooKeeper server =
                new EmbeddedZooKeeper(dataDir, new InetSocketAddress(EmbeddedZooKeeper.LOOPBACK, 0), TEST_TICK_MS);
        server.start();
        return server;
    }

    static ZooKeeperConfig settings(String connectString) {
        return new ZooKeeperConfig(
                true,
                connectString,
                ConfigKeys.DEFAULT_ZK_ROOT,
                TEST_SESSION_TIMEOUT_MS,
                TEST_CONNECTION_TIMEOUT_MS,
                TEST_SYNC_TIME_MS);
    }

    /** A started client used to look at the tree, independent of the registration under test. */
    static CuratorFramework observer(String connectString) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(TEST_SESSION_TIMEOUT_MS)
                .connectionTimeoutMs(TEST_CONNECTION_TIMEOUT_MS)
                .retryPolicy(new RetryOneTime(50))
                .ensembleTracker(false)
                .build();
        client.start();
        if (!client.blockUntilConnected(TEST_CONNECTION_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            client.close();
            throw new IllegalStateException("observer cannot reach " + connectString);
        }
        return client;
    }

    /** One znode as the capture in metaq-zk-tree.md shows it: data ({@code null} for none), ephemeral owner. */
    record Node(String data, long ephemeralOwner) {
        boolean ephemeral() {
            return ephemeralOwner != 0;
        }
    }

    /** Every node under (and including) {@code path}, sorted by path. */
    static Map<String, Node> tree(CuratorFramework client, String path) throws Exception {
        Map<String, Node> nodes = new TreeMap<>();
        collect(client, path, nodes);
        return nodes;
    }

    private static void collect(CuratorFramework client, String path, Map<String, Node> nodes) throws Exception {
        Stat stat = new Stat();
        byte[] data = client.getData().storingStatIn(stat).forPath(path);
        nodes.put(
                path,
                new Node(data == null ? null : new String(data, StandardCharsets.UTF_8), stat.getEphemeralOwner()));
        for (String child : client.getChildren().forPath(path)) {
            collect(client, path + "/" + child, nodes);
        }
    }

    /**
     * Ends a session on the server, as an expiry does: a second handle joins the session and closes
     * it, so the server drops the session's ephemeral nodes and the first handle sees it expired.
     */
    static void expireOnServer(String connectString, ZooKeeper handle) throws Exception {
        ZooKeeper twin = new ZooKeeper(
                connectString, TEST_SESSION_TIMEOUT_MS, event -> {}, handle.getSessionId(), handle.getSessionPasswd());
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> twin.getState().isConnected());
        } finally {
            twin.close();
        }
    }

    /** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
    static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(EmbeddedZooKeeper.LOOPBACK))) {
            return socket.getLocalPort();
        }
    }
}
