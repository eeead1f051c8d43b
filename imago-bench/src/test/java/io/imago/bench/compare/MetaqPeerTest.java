package io.imago.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetaqPeerTest {
    private static PeerEnv env(Map<String, String> settings) {
        return new PeerEnv(Path.of("/data/metaq"), Path.of("/logs"), Path.of("java"), List.of(), "w1", 4, settings);
    }

    @Test
    void theServerIniAsksForGroupCommitOnLoopbackWithTheBenchTopic() {
        String ini = MetaqPeer.serverIni(env(Map.of()), 9123, "127.0.0.1:2999");

        assertThat(ini)
                .startsWith("[system]\n")
                .contains(
                        "\nbrokerId=0\n",
                        "\nhostName=127.0.0.1\n",
                        "\nserverPort=9123\n",
                        "\ndataPath=/data/metaq/data\n",
                        "\ndataLogPath=/data/metaq/txlog\n",
                        "\nunflushThreshold=0\n",
                        "\n[zookeeper]\nzk.zkConnect=127.0.0.1:2999\nzk.zkRoot=/meta\n")
                .endsWith("\n[topic=w1]\nnumPartitions=4\n");
    }

    @Test
    void settingsOverrideSystemKeys() {
        String ini = MetaqPeer.serverIni(
                env(Map.of("unflushThreshold", "1000", "putProcessThreadCount", "8")), 9123, "127.0.0.1:2999");

        assertThat(ini)
                .contains("\nunflushThreshold=1000\n", "\nputProcessThreadCount=8\n")
                .doesNotContain("unflushThreshold=0");
    }

    @Test
    void aOnePartitionTopicGetsASectionOfItsOwnAndIsNoSystemKey() {
        String ini = MetaqPeer.serverIni(env(Map.of(PeerEnv.ONE_PARTITION_TOPICS, "w1one")), 9123, "127.0.0.1:2999");

        assertThat(ini)
                .doesNotContain(PeerEnv.ONE_PARTITION_TOPICS)
                .endsWith("\n[topic=w1]\nnumPartitions=4\n\n[topic=w1one]\nnumPartitions=1\n");
    }
}
