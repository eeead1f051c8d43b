package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.broker.WireClient;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.client.producer.MessageProducer;
import io.imago.protocol.command.ResultCommand;
import io.imago.store.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A consumer of an Imago broker long-polls: once caught up, a message sent much later still arrives
 * within a fraction of the back-off the original client would have accumulated, and the broker is
 * not asked again and again meanwhile.
 */
@Timeout(60)
class LongPollConsumerIT {
    private static final int LONG_POLL_MS = 25_000;

    @RegisterExtension
    final BrokerHarnessExtension broker = BrokerHarnessExtension.of("numPartitions=1", "[topic=lp]");

    private MetaMessageSessionFactory factory;

    @AfterEach
    void stop() throws Exception {
        if (factory != null) {
            factory.shutdown();
        }
    }

    /** The broker's {@code cmd_get} counter, read with the {@code stats} command. */
    private long cmdGet() throws Exception {
        try (WireClient c = broker.harness().connect()) {
            c.send("stats  1\r\n");
            ResultCommand reply = (ResultCommand) c.read();
            try {
                for (String line : reply.text().split("\r?\n")) {
                    if (line.startsWith("cmd_get ")) {
                        return Long.parseLong(
                                line.substring("cmd_get ".length()).trim());
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
        MetaClientConfig config = new MetaClientConfig();
        config.setZkConnect(broker.harness().zkConnect());
        factory = new MetaMessageSessionFactory(config);
        MessageProducer producer = factory.createProducer();
        producer.publish("lp");
        assertThat(producer.sendMessage(new Message("lp", "first".getBytes(StandardCharsets.UTF_8)))
                        .isSuccess())
                .isTrue();

        ConsumerConfig consumerConfig = new ConsumerConfig("lp-group");
        // a long poll far longer than any bound below: a message that arrives within them was delivered by
        // the put waking the parked get, not by the get's timer or by a later poll
        consumerConfig.setLongPollMaxWaitInMills(LONG_POLL_MS);
        MessageConsumer consumer = factory.createConsumer(consumerConfig);
        List<Long> received = new CopyOnWriteArrayList<>();
        consumer.subscribe("lp", 64 * 1024, new MessageListener() {
            @Override
            public void receiveMessages(Message message) {
                received.add(message.getId());
            }

            @Override
            public Executor getExecutor() {
                return null;
            }
        });
        consumer.completeSubscribe();
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 1);

        // caught up: the consumer's next get is parked at the broker ...
        PartitionLog log = broker.harness()
                .broker()
                .partitions()
                .find("lp", 0)
                .orElseThrow()
                .log();
        await().atMost(Duration.ofSeconds(10)).until(() -> log.dataWaiterCount() == 1);
        // ... and stays there: over 3 idle seconds no further get reaches the broker (with the 1 ms
        // doubling back-off of a consumer without long polling, about ten would)
        long getsBefore = cmdGet();
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
        assertThat(cmdGet() - getsBefore).as("gets sent in 3 idle seconds").isZero();
        assertThat(log.dataWaiterCount()).as("gets parked at the broker").isEqualTo(1);

        assertThat(producer.sendMessage(new Message("lp", "second".getBytes(StandardCharsets.UTF_8)))
                        .isSuccess())
                .isTrue();
        await().atMost(Duration.ofSeconds(LONG_POLL_MS / 2000)).until(() -> received.size() == 2);
    }
}
