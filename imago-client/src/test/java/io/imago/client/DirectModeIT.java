package io.imago.client;

import static io.imago.client.ProducerIT.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.Message;
import io.imago.broker.BrokerHarness;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.client.testing.ScriptedBroker;
import io.imago.exception.MetaClientException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Direct mode: a fixed serverUrl, no ZooKeeper on the client side; and request timeouts. */
@Timeout(60)
class DirectModeIT {
    @TempDir
    Path dir;

    private static MetaClientConfig direct(String url) {
        MetaClientConfig c = new MetaClientConfig();
        c.setServerUrl(url);
        c.setZkConfig(null);
        return c;
    }

    @Test
    void sendsWithPartitionMinusOneAndTheBrokerPicks() throws Exception {
        try (BrokerHarness h = BrokerHarness.start(
                dir, "", "[topic=direct]\nnumPartitions=3\n[topic=closed]\n" + "acceptPublish=false")) {
            MessageSessionFactory f = new MetaMessageSessionFactory(direct("meta://127.0.0.1:" + h.port()));
            try {
                MessageProducer producer = f.createProducer();
                producer.publish("direct");
                List<Message> sent = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    Message m = new Message("direct", bytes("d" + i), i % 2 == 0 ? "even" : null);
                    SendResult r = producer.sendMessage(m);
                    assertThat(r.isSuccess()).as(r.toString()).isTrue();
                    assertThat(r.getPartition().getBrokerId()).isEqualTo(-1);
                    assertThat(r.getPartition().getPartition()).isBetween(0, 2);
                    sent.add(m);
                }
                List<Message> read = new ArrayList<>();
                TopicBrowser browser = f.createTopicBrowser("direct");
                assertThat(browser.getPartitions()).hasSize(3);
                browser.iterator().forEachRemaining(read::add);
                assertThat(read)
                        .extracting(Message::getId)
                        .containsExactlyInAnyOrderElementsOf(
                                sent.stream().map(Message::getId).toList());
                assertThat(read)
                        .filteredOn(m -> "even".equals(m.getAttribute()))
                        .hasSize(15);

                SendResult refused = producer.sendMessage(new Message("closed", bytes("x")));
                assertThat(refused.isSuccess()).isFalse();
                assertThat(refused.getErrorMessage()).isEqualTo("403");
            } finally {
                f.shutdown();
            }
        }
    }

    @Test
    void aSendWithoutReplyFailsWithATimeoutNamingTheBroker() throws Exception {
        try (ScriptedBroker silent = ScriptedBroker.start(0, line -> Optional.empty())) {
            MessageSessionFactory f = new MetaMessageSessionFactory(direct(silent.url()));
            try {
                MessageProducer producer = f.createProducer();
                producer.publish("t");
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> producer.sendMessage(new Message("t", bytes("x")), 300, TimeUnit.MILLISECONDS))
                        .isInstanceOf(MetaClientException.class)
                        .hasMessageContaining("timed out after 300 ms")
                        .hasMessageContaining(silent.url());
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                        .isLessThan(3_000);
                assertThat(silent.received().get(0)).matches("put t -1 1 0 \\d+ -?\\d+");
            } finally {
                f.shutdown();
            }
        }
    }

    @Test
    void aConfigurationWithoutBrokerIsRefused() {
        MetaClientConfig c = new MetaClientConfig();
        assertThatThrownBy(() -> new MetaMessageSessionFactory(c))
                .isInstanceOf(MetaClientException.class)
                .hasMessageContaining("serverUrl");
    }
}
