package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.consumer.storage.ZkOffsetStorage;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import io.imago.utils.ZkUtils.ZKConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ZkOffsetStorage against a real ZooKeeper (Curator's TestingServer on 127.0.0.1). */
@Timeout(60)
class ZkOffsetStorageIT {
    private static final String GROUP = "grp";

    @TempDir
    Path dataDir;

    private TestingServer server;
    private CuratorFramework client;

    @BeforeEach
    void startZooKeeper() throws Exception {
        InstanceSpec spec = new InstanceSpec(
                dataDir.toFile(),
                unusedPort(),
                -1,
                -1,
                true,
                -1,
                100,
                -1,
                Map.of("clientPortAddress", "127.0.0.1"),
                "127.0.0.1");
        server = new TestingServer(spec, true);
        client = newClient();
    }

    @AfterEach
    void stopZooKeeper() throws IOException {
        client.close();
        server.close();
    }

    @Test
    void commitWritesMsgIdDashOffsetInThePersistentNodeOfMetaQ() throws Exception {
        TopicPartitionRegInfo info = moved("test", new Partition(0, 0), 69, -5468932498811518976L);
        try (ZkOffsetStorage storage = new ZkOffsetStorage(client)) {
            storage.commitOffset(GROUP, List.of(info));
        }
        String path = "/meta/consumers/grp/offsets/test/0-0";
        Stat stat = client.checkExists().forPath(path);
        assertThat(stat).isNotNull();
        assertThat(stat.getEphemeralOwner()).as("persistent").isZero();
        assertThat(raw(path)).isEqualTo("-5468932498811518976-69");
        assertThat(info.isModified()).isFalse();
    }

    @Test
    void positionsSurviveAConsumerRestart() throws Exception {
        try (ZkOffsetStorage storage = new ZkOffsetStorage(client)) {
            storage.commitOffset(GROUP, List.of(moved("test", new Partition(1, 3), 4096, 77)));
        }
        client.close();
        client = newClient();
        try (ZkOffsetStorage restarted = new ZkOffsetStorage(client)) {
            TopicPartitionRegInfo loaded = restarted.load("test", GROUP, new Partition(1, 3));
            assertThat(loaded.getOffset()).isEqualTo(4096);
            assertThat(loaded.getMessageId()).isEqualTo(77);
            assertThat(loaded.getTopic()).isEqualTo("test");
            assertThat(loaded.getPartition()).isEqualTo(new Partition(1, 3));
        }
    }

    @Test
    void keepsGroupsTopicsAndPartitionsApart() throws Exception {
        try (ZkOffsetStorage storage = new ZkOffsetStorage(client)) {
            for (String group : List.of("g1", "g2")) {
                List<TopicPartitionRegInfo> infos = new ArrayList<>();
                for (String topic : List.of("t1", "t2")) {
                    for (int p = 0; p < 3; p++) {
                        infos.add(moved(topic, new Partition(p % 2, p), offset(group, topic, p), p));
                    }
                }
                storage.commitOffset(group, infos);
            }
            for (String group : List.of("g1", "g2")) {
                for (String topic : List.of("t1", "t2")) {
                    for (int p = 0; p < 3; p++) {
                        assertThat(storage.load(topic, group, new Partition(p % 2, p))
                                        .getOffset())
                                .isEqualTo(offset(group, topic, p));
                    }
                }
            }
            assertThat(storage.load("t1", "g3", new Partition(0, 0))).isNull();
            assertThat(storage.load("t3", "g1", new Partition(0, 0))).isNull();
        }
    }

    @Test
    void readsAPre14NodeHoldingTheOffsetAlone() throws Exception {
        client.create()
                .creatingParentsIfNeeded()
                .forPath("/meta/consumers/grp/offsets/old/2-1", "130835445".getBytes(StandardCharsets.UTF_8));
        try (ZkOffsetStorage storage = new ZkOffsetStorage(client)) {
            TopicPartitionRegInfo loaded = storage.load("old", GROUP, new Partition(2, 1));
            assertThat(loaded.getOffset()).isEqualTo(130835445);
            assertThat(loaded.getMessageId()).isEqualTo(-1);
        }
    }

    @Test
    void readsWhatTheOriginalClientAndItsToolsWrite() throws Exception {
        client.create()
                .creatingParentsIfNeeded()
                .forPath(
                        "/meta/consumers/grp/offsets/test/0-0",
                        "-5468932056614424576-55".getBytes(StandardCharsets.UTF_8));
        client.create()
                .creatingParentsIfNeeded()
                .forPath("/meta/consumers/grp/offsets/test/0-1", "-1-0".getBytes(StandardCharsets.UTF_8));
        try (ZkOffsetStorage storage = new ZkOffsetStorage(client)) {
            TopicPartitionRegInfo p0 = storage.load("test", GROUP, new Partition(0, 0));
            assertThat(p0.getMessageId()).isEqualTo(-5468932056614424576L);
            assertThat(p0.getOffset()).isEqualTo(55);
            TopicPartitionRegInfo p1 = storage.load("test", GROUP, new Partition(0, 1));
            assertThat(p1.getMessageId()).isEqualTo(-1);
            assertThat(p1.getOffset()).isZero();
        }
    }

    @Test
    void commitWritesOnlyPositionsThatMoved() throws Exception {
        TopicPartitionRegInfo info = moved("test", new Partition(0, 0), 10, 1);
        String path = "/meta/consumers/grp/offsets/test/0-0";
        try (ZkOffsetStorage storage = new ZkOffsetStorage(client)) {
            storage.commitOffset(GROUP, List.of(info));
            int version = client.checkExists().forPath(path).getVersion();
            storage.commitOffset(GROUP, List.of(info));
            assertThat(client.checkExists().forPath(path).getVersion()).isEqualTo(version);
            info.advance(20, 2);
            storage.commitOffset(GROUP, List.of(info));
            assertThat(client.checkExists().forPath(path).getVersion()).isEqualTo(version + 1);
            assertThat(raw(path)).isEqualTo("2-20");
        }
    }

    @Test
    void initOffsetWritesNothingAsInMetaQ() throws Exception {
        try (ZkOffsetStorage storage = new ZkOffsetStorage(client)) {
            storage.initOffset("test", GROUP, new Partition(0, 0), 100);
            assertThat(client.checkExists().forPath("/meta/consumers/grp/offsets/test/0-0"))
                    .isNull();
            assertThat(storage.load("test", GROUP, new Partition(0, 0))).isNull();
        }
    }

    @Test
    void anUnreadableNodeIsAnErrorNamingThePath() throws Exception {
        client.create()
                .creatingParentsIfNeeded()
                .forPath("/meta/consumers/grp/offsets/test/0-0", "garbage".getBytes(StandardCharsets.UTF_8));
        try (ZkOffsetStorage storage = new ZkOffsetStorage(client)) {
            assertThatThrownBy(() -> storage.load("test", GROUP, new Partition(0, 0)))
                    .isInstanceOf(MetaClientException.class)
                    .hasMessageContaining("/meta/consumers/grp/offsets/test/0-0")
                    .hasMessageContaining("'garbage'");
        }
    }

    @Test
    void ownClientFromZkConfigUsesItsRootAndIsClosedWithTheStore() throws Exception {
        ZKConfig config = new ZKConfig(server.getConnectString(), 5_000, 5_000, 200);
        config.zkRoot = "/other/";
        ZkOffsetStorage storage = new ZkOffsetStorage(config);
        storage.commitOffset(GROUP, List.of(moved("test", new Partition(0, 2), 5, 6)));
        assertThat(raw("/other/consumers/grp/offsets/test/0-2")).isEqualTo("6-5");
        assertThat(storage.load("test", GROUP, new Partition(0, 2)).getOffset()).isEqualTo(5);
        storage.close();
        storage.close();
        assertThatThrownBy(() -> storage.load("test", GROUP, new Partition(0, 2)))
                .isInstanceOf(MetaClientException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void closingAStoreOnACallersClientLeavesTheClientOpen() throws Exception {
        new ZkOffsetStorage(client).close();
        client.create().withMode(CreateMode.EPHEMERAL).forPath("/still-usable");
        assertThat(client.checkExists().forPath("/still-usable")).isNotNull();
    }

    private static TopicPartitionRegInfo moved(String topic, Partition partition, long offset, long messageId) {
        TopicPartitionRegInfo info = new TopicPartitionRegInfo(topic, partition, 0);
        info.advance(offset, messageId);
        return info;
    }

    private static long offset(String group, String topic, int partition) {
        return group.hashCode() % 1000 * 1_000_000L + topic.hashCode() % 1000 * 1000L + partition + 5_000_000_000L;
    }

    private String raw(String path) throws Exception {
        return new String(client.getData().forPath(path), StandardCharsets.UTF_8);
    }

    private CuratorFramework newClient() throws InterruptedException {
        CuratorFramework c =
                CuratorFrameworkFactory.newClient(server.getConnectString(), 5_000, 5_000, new RetryOneTime(100));
        c.start();
        if (!c.blockUntilConnected(10, TimeUnit.SECONDS)) {
            c.close();
            throw new IllegalStateException("cannot reach " + server.getConnectString());
        }
        return c;
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
