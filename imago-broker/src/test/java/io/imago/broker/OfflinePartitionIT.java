package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.zk.TopicRegistrationJson;
import io.imago.store.fs.FaultInjectingStorageIo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A partition taken offline by a failed fsync (issue 13 §2 item 5): it is no longer advertised to
 * producers in ZooKeeper, its gets and puts are refused with a clear error, the other partitions keep
 * working, and it stays offline until the broker restarts.
 */
@Timeout(120)
class OfflinePartitionIT {
    private static final String PUB = "/meta/brokers/topics-pub/test/0-m";
    private static final String SUB = "/meta/brokers/topics-sub/test/0-m";

    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

    @Test
    void aPartitionWhoseFsyncFailedIsNoLongerAdvertisedToProducersAndRefusesGetsAndPuts() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        BrokerHarness harness = brokers.start("", "[topic=test]\nnumPartitions=3", io);
        try (WireClient c = harness.connect();
                CuratorFramework zk = observer(harness.zkConnect())) {
            for (int p = 0; p < 3; p++) {
                assertThat(code(put(c, p, 10 + p))).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(numParts(zk, PUB)).isEqualTo(3));

            CountDownLatch childrenChanged = new CountDownLatch(1);
            zk.getChildren()
                    .usingWatcher((CuratorWatcher) event -> childrenChanged.countDown())
                    .forPath("/meta/brokers/topics-pub/test");

            io.failNextFsync();
            ResultCommand failed = put(c, 2, 20);
            assertThat(failed.code()).isEqualTo(500);

            // MetaQ's registration is a count: the producers' partitions of this broker become 0 and 1
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(numParts(zk, PUB))
                            .as("partitions advertised to producers")
                            .isEqualTo(2));
            assertThat(childrenChanged.await(10, TimeUnit.SECONDS))
                    .as("a child watch on topics-pub/test fired (MetaQ's producers watch only the children)")
                    .isTrue();
            assertThat(numParts(zk, SUB))
                    .as("consumers keep their assignment: topics-sub is unchanged")
                    .isEqualTo(3);

            c.send("get test g 2 0 1024 30\r\n");
            ResponseCommand get = c.read();
            assertThat(get).as("a get of the offline partition").isInstanceOf(ResultCommand.class);
            ResultCommand refusedGet = (ResultCommand) get;
            assertThat(refusedGet.code()).isEqualTo(500);
            assertThat(refusedGet.text()).contains("test-2 is offline").contains("restart");
            refusedGet.release();

            ResultCommand refusedPut = put(c, 2, 31);
            assertThat(refusedPut.code()).isEqualTo(500);
            assertThat(refusedPut.text()).contains("test-2 is offline");

            for (int p = 0; p < 2; p++) {
                assertThat(code(put(c, p, 40 + p)))
                        .as("a put to the healthy partition %d", p)
                        .isEqualTo(200);
            }
            assertThat(stats(c, "")).contains("offline_partitions test-2");
            assertThat(stats(c, "test")).contains("offline_partitions 2");
        }
    }

    @Test
    void whenTheFirstPartitionGoesOfflineTheTopicIsNoLongerPublishedByThisBroker() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        BrokerHarness harness = brokers.start("", "[topic=test]\nnumPartitions=2", io);
        try (WireClient c = harness.connect();
                CuratorFramework zk = observer(harness.zkConnect())) {
            assertThat(code(put(c, 0, 1))).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(numParts(zk, PUB)).isEqualTo(2));

            io.failNextFsync();
            assertThat(code(put(c, 0, 2))).isEqualTo(500);

            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(zk.checkExists().forPath(PUB))
                            .as("the topics-pub node of this broker")
                            .isNull());
            assertThat(numParts(zk, SUB)).isEqualTo(2);
            assertThat(code(put(c, 1, 3))).as("partition 1 still takes puts").isEqualTo(200);
        }
    }

    @Test
    void anOfflinePartitionComesBackOnlyWithARestart() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        BrokerHarness harness = brokers.start("", "[topic=test]\nnumPartitions=2", io);
        try (WireClient c = harness.connect()) {
            assertThat(code(put(c, 1, 1))).isEqualTo(200);
            io.failNextFsync();
            assertThat(code(put(c, 1, 2))).isEqualTo(500);
            // the disk is fine again, but the page cache is not trusted: still offline
            ResultCommand refused = put(c, 1, 3);
            assertThat(refused.text()).contains("test-1 is offline");
        }
        harness.stopBroker();
        harness.restartBrokerOnSamePort("", "[topic=test]\nnumPartitions=2");
        try (WireClient c = harness.connect();
                CuratorFramework zk = observer(harness.zkConnect())) {
            assertThat(code(put(c, 1, 4))).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(numParts(zk, PUB)).isEqualTo(2));
            assertThat(stats(c, ""))
                    .as("the summary once every partition is online: MetaQ's lines only")
                    .noneMatch(line -> line.startsWith("offline_partitions"));
        }
    }

    private static ResultCommand put(WireClient c, int partition, int opaque) throws Exception {
        c.put("test", partition, ("m" + opaque).getBytes(StandardCharsets.UTF_8), opaque);
        return (ResultCommand) c.read();
    }

    private static int code(ResultCommand reply) {
        int code = reply.code();
        reply.release();
        return code;
    }

    private static List<String> stats(WireClient c, String item) throws Exception {
        c.send("stats " + item + " 99\r\n");
        ResultCommand reply = (ResultCommand) c.read();
        try {
            return List.of(reply.text().split("\r\n"));
        } finally {
            reply.release();
        }
    }

    private static int numParts(CuratorFramework zk, String path) throws Exception {
        String json = new String(zk.getData().forPath(path), StandardCharsets.UTF_8);
        return TopicRegistrationJson.numParts(json).orElseThrow();
    }

    private static CuratorFramework observer(String connect) throws InterruptedException {
        CuratorFramework zk = CuratorFrameworkFactory.newClient(connect, 4000, 4000, new RetryOneTime(100));
        zk.start();
        zk.blockUntilConnected();
        return zk;
    }
}
