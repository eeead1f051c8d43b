package io.imago.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.ClusterExtension;
import io.imago.it.harness.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The znodes a broker writes (spec §4.1) with their exact contents and modes, and their removal on
 * SIGTERM. Broker 0 serves topics {@code test} (1 partition), {@code wide} (3 partitions) and
 * {@code subonly} ({@code acceptPublish=false}).
 */
@Timeout(60)
class ZooKeeperRegistrationIT {
    static final String JSON_FIELDS =
            "\\{(\"numParts\":%1$d,\"broker\":\"%2$s\"|\"broker\":\"%2$s\",\"numParts\":%1$d)\\}";

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    static BrokerProcess broker;
    static CuratorFramework zk;

    @BeforeAll
    static void startBroker() {
        broker = CLUSTER.cluster()
                .startBroker(CLUSTER.cluster()
                        .broker(0)
                        .topic("test")
                        .topic("wide", "numPartitions", "3")
                        .topic("subonly", "acceptPublish", "false"));
        zk = CLUSTER.cluster().zk();
    }

    @Test
    void masterNodeIsEphemeralAndHoldsTheBrokerUrl() throws Exception {
        assertThat(data("/meta/brokers/ids/0/master")).isEqualTo("meta://127.0.0.1:" + broker.port());
        assertThat(stat("/meta/brokers/ids/0/master").getEphemeralOwner()).isNotZero();
    }

    @Test
    void brokerIdNodeIsPersistentAndHoldsTheUrlForOldClients() throws Exception {
        assertThat(data("/meta/brokers/ids/0")).isEqualTo(broker.url());
        assertThat(stat("/meta/brokers/ids/0").getEphemeralOwner()).isZero();
        assertThat(zk.getChildren().forPath("/meta/brokers/ids/0"))
                .containsExactlyInAnyOrder("master", "master_config_checksum");
    }

    @Test
    void configChecksumNodeHoldsTheCrc32OfServerIni() throws Exception {
        CRC32 crc = new CRC32();
        crc.update(Files.readAllBytes(broker.iniFile()));
        assertThat(data("/meta/brokers/ids/0/master_config_checksum")).isEqualTo(Long.toString(crc.getValue()));
        assertThat(stat("/meta/brokers/ids/0/master_config_checksum").getEphemeralOwner())
                .isNotZero();
    }

    @Test
    void topicsPubAndSubHoldJsonWithOnlyNumPartsAndBroker() throws Exception {
        for (String kind : List.of("topics-pub", "topics-sub")) {
            assertThat(data("/meta/brokers/" + kind + "/test/0-m")).matches(String.format(JSON_FIELDS, 1, "0-m"));
            assertThat(data("/meta/brokers/" + kind + "/wide/0-m")).matches(String.format(JSON_FIELDS, 3, "0-m"));
            assertThat(stat("/meta/brokers/" + kind + "/test/0-m").getEphemeralOwner())
                    .isNotZero();
        }
    }

    @Test
    void legacyTopicsNodeHoldsThePartitionCount() throws Exception {
        assertThat(data("/meta/brokers/topics/test/0-m")).isEqualTo("1");
        assertThat(data("/meta/brokers/topics/wide/0-m")).isEqualTo("3");
        assertThat(stat("/meta/brokers/topics/wide/0-m").getEphemeralOwner()).isNotZero();
    }

    @Test
    void topicNotAcceptingPublishIsHiddenFromProducersOnly() throws Exception {
        assertThat(zk.checkExists().forPath("/meta/brokers/topics-pub/subonly/0-m"))
                .isNull();
        assertThat(data("/meta/brokers/topics-sub/subonly/0-m")).matches(String.format(JSON_FIELDS, 1, "0-m"));
    }

    @Test
    void everyChildOfBrokerIdsIsAnInteger() throws Exception {
        assertThat(zk.getChildren().forPath("/meta/brokers/ids")).allMatch(id -> id.matches("\\d+"));
    }

    @Test
    void sigtermRemovesTheBrokersNodes() throws Exception {
        BrokerProcess leaving =
                CLUSTER.cluster().startBroker(CLUSTER.cluster().broker(7).topic("test"));
        List<String> nodes = List.of(
                "/meta/brokers/ids/7/master",
                "/meta/brokers/ids/7/master_config_checksum",
                "/meta/brokers/ids/7",
                "/meta/brokers/topics/test/7-m",
                "/meta/brokers/topics-pub/test/7-m",
                "/meta/brokers/topics-sub/test/7-m");
        for (String node : nodes) {
            assertThat(zk.checkExists().forPath(node)).as(node).isNotNull();
        }

        int exitCode = leaving.stop();

        if (CLUSTER.target() == Target.IMAGO) {
            assertThat(exitCode).as("exit code after SIGTERM").isZero();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (String node : nodes) {
                assertThat(zk.checkExists().forPath(node)).as(node).isNull();
            }
        });
        assertThat(zk.checkExists().forPath("/meta/brokers/ids/0/master"))
                .as("other broker untouched")
                .isNotNull();
    }

    private static String data(String path) throws Exception {
        return new String(zk.getData().forPath(path), StandardCharsets.UTF_8);
    }

    private static Stat stat(String path) throws Exception {
        Stat stat = zk.checkExists().forPath(path);
        assertThat(stat).as(path).isNotNull();
        return stat;
    }
}
