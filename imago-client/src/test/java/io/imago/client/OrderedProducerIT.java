package io.imago.client;

import static io.imago.client.ConsumerTesting.bytes;
import static io.imago.client.ConsumerTesting.zkClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarness;
import io.imago.client.extension.OrderedMetaMessageSessionFactory;
import io.imago.client.extension.producer.OrderedMessagePartitionSelector;
import io.imago.client.internal.producer.OrderedMessageProducer;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ordered producer across a broker restart: messages sent while the broker is down wait on disk
 * and reach the partition, in order, before the messages sent after it came back.
 */
@Timeout(60)
class OrderedProducerIT {
    static final String TOPICS = "[topic=ordered]\nnumPartitions=2";

    @TempDir
    Path dir;

    /** Every message of one key to one partition: the key is the attribute. */
    static final class ByKey extends OrderedMessagePartitionSelector {
        @Override
        protected Partition choosePartition(String topic, List<Partition> partitions, Message message) {
            return partitions.get(Math.floorMod(message.getAttribute().hashCode(), partitions.size()));
        }
    }

    @Test
    void messagesSentWhileTheBrokerIsDownArriveInOrderAfterItReturns() throws Exception {
        try (BrokerHarness h = BrokerHarness.start(dir.resolve("broker"), "", TOPICS)) {
            MetaClientConfig config = zkClient(h.zkConnect());
            Properties partitions = new Properties();
            partitions.setProperty("topic.num.ordered", "0:2");
            config.setPartitionsInfo(partitions);
            OrderedMetaMessageSessionFactory factory =
                    new OrderedMetaMessageSessionFactory(config, dir.resolve("local"));
            try {
                MessageProducer producer = factory.createProducer(new ByKey());
                producer.publish("ordered");
                List<SendResult> before = send(producer, 0, 10);
                Partition partition = before.get(0).getPartition();
                assertThat(before)
                        .allMatch(r -> r.isSuccess()
                                && r.getOffset() >= 0
                                && r.getPartition().equals(partition));
                h.stopBroker();
                List<SendResult> whileDown = send(producer, 10, 20);
                assertThat(whileDown).allMatch(r -> r.isSuccess() && r.getOffset() == -1);
                OrderedMessageProducer ordered = (OrderedMessageProducer) producer;
                assertThat(ordered.pending("ordered", partition)).isEqualTo(10);
                h.restartBrokerOnSamePort("", TOPICS);
                send(producer, 20, 30);
                await().atMost(Duration.ofSeconds(20)).until(() -> ordered.pending("ordered", partition) == 0);
                assertThat(readPartition(factory, partition))
                        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 30)
                                .mapToObj(i -> "o-" + i)
                                .toList());
                producer.shutdown();
            } finally {
                factory.shutdown();
            }
        }
    }

    @Test
    void aChoiceOutsideTheConfiguredPartitionsIsRefused() throws Exception {
        OrderedMessagePartitionSelector wrong = new OrderedMessagePartitionSelector() {
            @Override
            protected Partition choosePartition(String topic, List<Partition> partitions, Message message) {
                return new Partition(9, 9);
            }
        };
        assertThatThrownBy(() -> wrong.getPartition("t", List.of(new Partition(0, 0)), new Message("t", bytes("x"))))
                .isInstanceOf(MetaClientException.class)
                .hasMessageContaining("9-9");
    }

    private static List<SendResult> send(MessageProducer producer, int from, int to) throws Exception {
        List<SendResult> results = new ArrayList<>();
        for (int i = from; i < to; i++) {
            results.add(producer.sendMessage(new Message("ordered", bytes("o-" + i), "key")));
        }
        return results;
    }

    private static List<String> readPartition(MessageSessionFactory factory, Partition partition) {
        List<String> read = new ArrayList<>();
        TopicBrowser browser = factory.createTopicBrowser("ordered");
        browser.iterator().forEachRemaining(m -> {
            if (m.getPartition().equals(partition)) {
                read.add(new String(m.getData(), StandardCharsets.UTF_8));
            }
        });
        browser.shutdown();
        return read;
    }
}
