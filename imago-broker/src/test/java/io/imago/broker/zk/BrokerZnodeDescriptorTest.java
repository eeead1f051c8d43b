package io.imago.broker.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.broker.config.ZooKeeperConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Paths and data of spec section 4.1, without a server. */
class BrokerZnodeDescriptorTest {
    private static final BrokerIdentity BROKER_3 = new BrokerIdentity(3, "10.0.0.7", 8123);
    private final BrokerZnodeDescriptor znodes = new BrokerZnodeDescriptor("/meta", BROKER_3);

    @Test
    void pathsFollowTheOriginalLayout() {
        assertThat(znodes.idsPath()).isEqualTo("/meta/brokers/ids");
        assertThat(znodes.idPath()).isEqualTo("/meta/brokers/ids/3");
        assertThat(znodes.rolePath()).isEqualTo("/meta/brokers/ids/3/master");
        assertThat(znodes.checksumPath()).isEqualTo("/meta/brokers/ids/3/master_config_checksum");
        assertThat(znodes.legacyTopicPath("t1")).isEqualTo("/meta/brokers/topics/t1/3-m");
        assertThat(znodes.publishTopicPath("t1")).isEqualTo("/meta/brokers/topics-pub/t1/3-m");
        assertThat(znodes.subscribeTopicPath("t1")).isEqualTo("/meta/brokers/topics-sub/t1/3-m");
    }

    @Test
    void rootSlashMeansNoPrefix() {
        assertThat(new BrokerZnodeDescriptor("/", BROKER_3).rolePath()).isEqualTo("/brokers/ids/3/master");
    }

    @Test
    void topicJsonHoldsOnlyNumPartsAndBroker() {
        TopicRegistration topic = new TopicRegistration("t1", 12, true, true);

        assertThat(utf8(znodes.topicJson(topic))).isEqualTo("{\"numParts\":12,\"broker\":\"3-m\"}");
        assertThat(utf8(znodes.legacyTopicData(topic))).isEqualTo("12");
        assertThat(utf8(znodes.addressData())).isEqualTo("meta://10.0.0.7:8123");
    }

    @Test
    void valuesThatWouldBreakTheLayoutAreRejected() {
        assertThatThrownBy(() -> new TopicRegistration("a/b", 1, true, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TopicRegistration("t", 0, true, true)).hasMessageContaining("numPartitions");
        assertThatThrownBy(() -> new BrokerIdentity(-1, "h", 8123)).hasMessageContaining("brokerId");
        assertThatThrownBy(() -> new BrokerRegistration(
                        new ZooKeeperConfig(true, "127.0.0.1:2181", "/meta", 1, 1, 0),
                        BROKER_3,
                        "0",
                        List.of(),
                        error -> {}))
                .hasMessageContaining("zk.zkSyncTimeMs");
    }

    private static String utf8(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }
}
