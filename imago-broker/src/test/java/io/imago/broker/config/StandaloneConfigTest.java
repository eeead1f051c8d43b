package io.imago.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class StandaloneConfigTest {
    @TempDir
    Path dir;

    @Test
    void standaloneIsBrokerZeroOnLoopbackWithGroupCommitAndLocalZooKeeper() {
        BrokerConfig config = BrokerConfig.standalone(dir);
        assertThat(config.brokerId()).isZero();
        assertThat(config.hostName()).isEqualTo("127.0.0.1");
        assertThat(config.serverPort()).isEqualTo(8123);
        assertThat(config.dashboardHttpPort()).isEqualTo(8120);
        assertThat(config.dataPath()).isEqualTo(dir.toAbsolutePath());
        assertThat(config.unflushThreshold()).isZero();
        assertThat(config.zooKeeper())
                .isEqualTo(new ZooKeeperConfig(true, "127.0.0.1:2181", "/meta", 30_000, 30_000, 5_000));
        assertThat(config.isStandalone()).isTrue();
        assertThat(config.sourceFile()).isEmpty();
    }

    @Test
    void standaloneAcceptsAnyValidTopicWithOnePartitionAndGroupCommit() {
        BrokerConfig config = BrokerConfig.standalone(dir);
        assertThat(config.acceptsAnyTopic()).isTrue();
        assertThat(config.configuredTopics()).isEmpty();
        for (String topic : new String[] {"test", "meta-test", "x.y.z", "_1"}) {
            TopicConfig t = config.resolve(topic).orElseThrow();
            assertThat(t.topic()).isEqualTo(topic);
            assertThat(t.numPartitions()).isEqualTo(1);
            assertThat(t.isGroupCommit()).isTrue();
            assertThat(t.acceptsPublish()).isTrue();
            assertThat(t.dataPath()).isEqualTo(dir.toAbsolutePath());
        }
        assertThat(config.resolve("*"))
                .as("a name that breaks the topic name rule")
                .isEmpty();
    }

    @Test
    void standaloneRawBytesDescribeItAndCarryTheirChecksum() {
        BrokerConfig config = BrokerConfig.standalone(dir);
        String text = new String(config.rawBytes(), StandardCharsets.UTF_8);
        assertThat(text)
                .contains(
                        "[system]",
                        "brokerId=0",
                        "hostName=127.0.0.1",
                        "dataPath=" + dir.toAbsolutePath(),
                        "zk.zkConnect=127.0.0.1:2181");
        CRC32 crc = new CRC32();
        crc.update(config.rawBytes());
        assertThat(config.checksumCrc32()).isEqualTo(crc.getValue());
    }

    @Test
    void standaloneOverridesRegenerateItsText() {
        BrokerConfig config =
                BrokerConfig.standalone(dir).withOverrides(Optional.of(dir.resolve("other")), OptionalInt.of(0));
        assertThat(config.serverPort()).isZero();
        assertThat(config.dataPath()).isEqualTo(dir.resolve("other").toAbsolutePath());
        assertThat(config.acceptsAnyTopic()).isTrue();
        assertThat(new String(config.rawBytes(), StandardCharsets.UTF_8)).contains("serverPort=0");
    }
}
