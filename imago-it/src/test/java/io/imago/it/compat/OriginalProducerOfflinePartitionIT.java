package io.imago.it.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.broker.BrokerHarness;
import io.imago.broker.WireClient;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.zk.TopicRegistrationJson;
import io.imago.store.fs.FaultInjectingStorageIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unmodified MetaQ 1.4.6.2 producer routes around a partition that a failed fsync took offline
 * (issue 13 §2 item 5): the broker advertises fewer partitions under {@code topics-pub}, and the
 * original producer, which retries a failed send 0 times, sends every message to the others. The
 * broker runs in this JVM, over the store's fault-injecting seam (a broker process has none); the
 * original client runs in its own JVM as in {@link OriginalClientIT}.
 */
@Timeout(120)
class OriginalProducerOfflinePartitionIT {
    private static final String TOPIC = "routed";

    @TempDir
    Path dir;

    @Test
    void theOriginalProducerSendsOnlyToTheOnlinePartitions() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        try (BrokerHarness broker = BrokerHarness.start(dir, "", "[topic=" + TOPIC + "]\nnumPartitions=3", io);
                WireClient c = broker.connect();
                CuratorFramework zk = observer(broker.zkConnect())) {
            c.put(TOPIC, 2, "before".getBytes(StandardCharsets.UTF_8), 1);
            assertThat(code((ResultCommand) c.read())).isEqualTo(200);
            io.failNextFsync();
            c.put(TOPIC, 2, "lost".getBytes(StandardCharsets.UTF_8), 2);
            assertThat(code((ResultCommand) c.read())).isEqualTo(500);
            String pub = "/meta/brokers/topics-pub/" + TOPIC + "/0-m";
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(TopicRegistrationJson.numParts(
                                            new String(zk.getData().forPath(pub), StandardCharsets.UTF_8))
                                    .orElseThrow())
                            .isEqualTo(2));

            List<Outgoing> messages = Outgoing.smallBatch(TOPIC, 30, 13);
            try (DriverProcess producer =
                    OriginalClient.launch(dir.resolve("producer.log"), "produce", broker.zkConnect(), TOPIC)) {
                for (Outgoing m : messages) {
                    producer.send(m.produceLine());
                }
                producer.closeInput();
                producer.awaitSuccess(Duration.ofSeconds(60));
                List<String[]> sent = producer.lines("SENT");
                assertThat(sent)
                        .hasSize(messages.size())
                        .allSatisfy(
                                f -> assertThat(f[1]).as(String.join(" ", f)).isEqualTo("ok"));
                assertThat(sent)
                        .extracting(f -> f[2])
                        .as("the partitions the original producer sent to")
                        .containsOnly("0-0", "0-1")
                        .contains("0-0", "0-1");
            }
        }
    }

    @Test
    void aRunningOriginalProducerStopsSendingToAPartitionOnceItGoesOffline() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        try (BrokerHarness broker = BrokerHarness.start(dir, "", "[topic=" + TOPIC + "]\nnumPartitions=3", io);
                WireClient c = broker.connect();
                DriverProcess producer =
                        OriginalClient.launch(dir.resolve("producer.log"), "produce", broker.zkConnect(), TOPIC)) {
            for (int p = 0; p < 3; p++) {
                c.put(TOPIC, p, "first".getBytes(StandardCharsets.UTF_8), p);
                assertThat(code((ResultCommand) c.read())).isEqualTo(200);
            }
            assertThat(send(producer, 6))
                    .as("round robin over the three partitions")
                    .allSatisfy(f -> assertThat(f[1]).as(String.join(" ", f)).isEqualTo("ok"))
                    .extracting(f -> f[2])
                    .containsOnly("0-0", "0-1", "0-2");

            io.failNextFsync();
            c.put(TOPIC, 2, "lost".getBytes(StandardCharsets.UTF_8), 9);
            assertThat(code((ResultCommand) c.read())).isEqualTo(500);

            // the producer reloads when the children of topics-pub/<topic> change: soon six sends in a row
            // succeed, which round robin over three partitions with one failing would not allow
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> send(producer, 6).stream().allMatch(f -> f[1].equals("ok")));
            assertThat(send(producer, 30))
                    .allSatisfy(f -> assertThat(f[1]).as(String.join(" ", f)).isEqualTo("ok"))
                    .extracting(f -> f[2])
                    .containsOnly("0-0", "0-1")
                    .contains("0-0", "0-1");
        }
    }

    /** Sends {@code n} small messages through the original producer and returns their {@code SENT} lines. */
    private static List<String[]> send(DriverProcess producer, int n) throws Exception {
        int before = producer.lines("SENT").size();
        for (Outgoing m : Outgoing.smallBatch(TOPIC, n, before)) {
            producer.send(m.produceLine());
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> producer.lines("SENT").size() >= before + n);
        List<String[]> all = producer.lines("SENT");
        return all.subList(before, before + n);
    }

    private static int code(ResultCommand reply) {
        int code = reply.code();
        reply.release();
        return code;
    }

    private static CuratorFramework observer(String connect) throws InterruptedException {
        CuratorFramework zk = CuratorFrameworkFactory.newClient(connect, 4000, 4000, new RetryOneTime(100));
        zk.start();
        zk.blockUntilConnected();
        return zk;
    }
}
