package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.broker.BrokerHarness;
import io.imago.broker.WireClient;
import io.imago.protocol.command.ResultCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer of an Imago broker long-polls: once caught up, a message sent much later still arrives
 * within a fraction of the back-off the original client would have accumulated, and the broker is
 * not asked again and again meanwhile.
 */
@Timeout(60)
class LongPollConsumerIT {
    @TempDir
    Path dir;
    private BrokerHarness harness;
    private MetaMessageSessionFactory factory;

    @AfterEach
    void stop() throws Exception {
        if (factory != null) {
            factory.shutdown();
        }
        if (harness != null) {
            harness.close();
        }
    }

    /** The broker's {@code cmd_get} counter, read with the {@code stats} command. */
    private long cmdGet() throws Exception {
        try (WireClient c = harness.connect()) {
            c.send("stats  1\r\n");
            ResultCommand reply = (ResultCommand) c.read();
            try {
                for (String line : reply.text().split("\r?\n")) {
                    if (line.startsWith("cmd_get ")) {
                        return Long.parseLong(line.substring("cmd_get ".length()).trim());
                    }
                }
                throw new AssertionError("no cmd_get in " + reply.text());
            } finally {
                reply.release();
            }
        }
    }

    @Test
    void aCaughtUpConsumerReceivesTheNextMessageAtOnceWithoutPollingTheBrokerMeanwhile() throws Exception {
        harness = BrokerHarness.start(dir, "numPartitions=1", "[topic=lp]");
        MetaClientConfig config = new MetaClientConfig();
        config.setZkConnect(harness.zkConnect());
        factory = new MetaMessageSessionFactory(config);
        MessageProducer producer = factory.createProducer();
        producer.publish("lp");
        assertThat(producer.sendMessage(new Message("lp", "first".getBytes(StandardCharsets.UTF_8))).isSuccess())
                .isTrue();

        ConsumerConfig consumerConfig = new ConsumerConfig("lp-group");
        consumerConfig.setLongPollMaxWaitInMills(1_000);
        MessageConsumer consumer = factory.createConsumer(consumerConfig);
        List<Long> receivedAtNanos = new CopyOnWriteArrayList<>();
        consumer.subscribe("lp", 64 * 1024, new MessageListener() {
            @Override
            public void receiveMessages(Message message) {
                receivedAtNanos.add(System.nanoTime());
            }

            @Override
            public Executor getExecutor() {
                return null;
            }
        });
        consumer.completeSubscribe();
        await().atMost(Duration.ofSeconds(20)).until(() -> receivedAtNanos.size() == 1);

        // caught up; without long polling, 3 s of empty fetches would have grown the back-off to ~1-2 s
        long getsBefore = cmdGet();
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
        long getsWhileIdle = cmdGet() - getsBefore;
        long sent = System.nanoTime();
        assertThat(producer.sendMessage(new Message("lp", "second".getBytes(StandardCharsets.UTF_8))).isSuccess())
                .isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> receivedAtNanos.size() == 2);
        long latencyMs = (receivedAtNanos.get(1) - sent) / 1_000_000;
        assertThat(latencyMs).as("send to receipt after 3 s idle").isLessThan(500);
        assertThat(getsWhileIdle).as("gets sent in 3 idle seconds with 1 s long polls").isBetween(1L, 8L);
    }
}
