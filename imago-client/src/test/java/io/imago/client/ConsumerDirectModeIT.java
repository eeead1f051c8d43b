package io.imago.client;

import static io.imago.client.ConsumerTesting.bytes;
import static io.imago.client.ConsumerTesting.consumerConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarness;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.client.consumer.storage.LocalOffsetStorage;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct mode: a fixed serverUrl and no ZooKeeper on the client side; the consumer reads the one
 * configured partition and keeps its position in the given (file) storage across a restart.
 */
@Timeout(60)
@LeavesNoConsumerThreads
class ConsumerDirectModeIT {
    @TempDir
    Path dir;

    @Test
    void readsTheConfiguredPartitionAndResumesFromTheStoredPosition() throws Exception {
        try (BrokerHarness h = BrokerHarness.start(dir.resolve("broker"), "", "[topic=direct]\nnumPartitions=2")) {
            MetaClientConfig client = new MetaClientConfig();
            client.setServerUrl("meta://127.0.0.1:" + h.port());
            client.setZkConfig(null);
            MessageSessionFactory f = new MetaMessageSessionFactory(client);
            try {
                MessageProducer producer = f.createProducer();
                producer.publish("direct");
                List<Long> onOne = sendToPartitionOne(producer, "a", 20);
                Path offsets = dir.resolve("offsets");
                ConsumerTesting.Counting first = new ConsumerTesting.Counting();
                MessageConsumer c = directConsumer(f, offsets, first);
                assertThat(c.getOffsetStorage()).isInstanceOf(LocalOffsetStorage.class);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> first.seen.keySet().containsAll(onOne));
                c.shutdown();
                assertThat(first.seen.keySet()).containsExactlyInAnyOrderElementsOf(onOne);
                List<Long> later = sendToPartitionOne(producer, "b", 10);
                ConsumerTesting.Counting second = new ConsumerTesting.Counting();
                MessageConsumer restarted = directConsumer(f, offsets, second);
                try {
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> second.seen.keySet().containsAll(later));
                    assertThat(second.seen.keySet()).containsExactlyInAnyOrderElementsOf(later);
                } finally {
                    restarted.shutdown();
                }
            } finally {
                f.shutdown();
            }
        }
    }

    private MessageConsumer directConsumer(MessageSessionFactory f, Path offsets, MessageListener listener)
            throws Exception {
        ConsumerConfig config = consumerConfig("direct-group", dir);
        config.setPartition("0-1");
        MessageConsumer c = f.createConsumer(config, new LocalOffsetStorage(offsets));
        c.subscribe("direct", 64 * 1024, listener);
        c.completeSubscribe();
        return c;
    }

    /** Sends until {@code count} messages went to partition 1 (the broker picks); returns their ids. */
    private static List<Long> sendToPartitionOne(MessageProducer producer, String prefix, int count) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; ids.size() < count && i < 50 * count; i++) {
            Message m = new Message("direct", bytes(prefix + i));
            SendResult r = producer.sendMessage(m);
            assertThat(r.isSuccess()).isTrue();
            if (r.getPartition().getPartition() == 1) {
                ids.add(m.getId());
            }
        }
        assertThat(ids).hasSize(count);
        return ids;
    }
}
