package io.imago.broker.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.broker.LeavesNoThreads;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The standalone server of {@code bin/imago server}: serving on 127.0.0.1, persistence, port conflicts, stop. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@LeavesNoThreads(value = "imago-zk-registrar", zooKeeper = true)
class EmbeddedZooKeeperIT {
    @TempDir
    Path dataDir;

    @Test
    void servesClientsOnTheLoopbackAddress() throws Exception {
        try (EmbeddedZooKeeper server = ZkTestSupport.startServer(dataDir.resolve("zookeeper"))) {
            assertThat(server.connectString()).isEqualTo("127.0.0.1:" + server.port());
            CuratorFramework client = ZkTestSupport.observer(server.connectString());
            try {
                client.create().forPath("/hello", "world".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(client.getData().forPath("/hello"), StandardCharsets.UTF_8))
                        .isEqualTo("world");
            } finally {
                client.close();
            }
        }
        assertThat(dataDir.resolve("zookeeper").resolve("version-2")).isDirectory();
    }

    @Test
    void keepsPersistentNodesAcrossARestartOnTheSameDataDirectory() throws Exception {
        int port;
        try (EmbeddedZooKeeper first = ZkTestSupport.startServer(dataDir)) {
            port = first.port();
            CuratorFramework client = ZkTestSupport.observer(first.connectString());
            try {
                client.create()
                        .creatingParentsIfNeeded()
                        .forPath("/meta/consumers/g/offsets/t/0-0", "-1-69".getBytes(StandardCharsets.UTF_8));
            } finally {
                client.close();
            }
        }
        try (EmbeddedZooKeeper second = new EmbeddedZooKeeper(
                dataDir, new InetSocketAddress(EmbeddedZooKeeper.LOOPBACK, port), ZkTestSupport.TEST_TICK_MS)) {
            second.start();
            CuratorFramework client = ZkTestSupport.observer(second.connectString());
            try {
                assertThat(new String(
                                client.getData().forPath("/meta/consumers/g/offsets/t/0-0"), StandardCharsets.UTF_8))
                        .isEqualTo("-1-69");
            } finally {
                client.close();
            }
        }
    }

    @Test
    void refusesAPortAlreadyInUseWithAClearMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(EmbeddedZooKeeper.LOOPBACK));
                EmbeddedZooKeeper server = new EmbeddedZooKeeper(
                        dataDir,
                        new InetSocketAddress(EmbeddedZooKeeper.LOOPBACK, taken.getLocalPort()),
                        ZkTestSupport.TEST_TICK_MS)) {
            assertThatThrownBy(server::start)
                    .isInstanceOf(EmbeddedZooKeeperException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("already in use")
                    .satisfies(failure -> assertThat(failure.getSuppressed())
                            .as("cleanup failures")
                            .isEmpty());
        }
    }

    @Test
    void closeStopsServingAndIsIdempotent() throws Exception {
        EmbeddedZooKeeper server = ZkTestSupport.startServer(dataDir);
        int port = server.port();

        server.close();
        server.close();

        try (ServerSocket rebound = new ServerSocket(port, 1, InetAddress.getByName(EmbeddedZooKeeper.LOOPBACK))) {
            assertThat(rebound.getLocalPort()).isEqualTo(port);
        }
    }
}
