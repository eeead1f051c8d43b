package io.imago.client;

import static io.imago.client.ConsumerTesting.bytes;
import static io.imago.client.ConsumerTesting.zkClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarness;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.broker.partition.TopicLogs;
import io.imago.client.extension.OrderedMetaMessageSessionFactory;
import io.imago.client.extension.producer.OrderedMessagePartitionSelector;
import io.imago.client.internal.producer.OrderedMessageProducer;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.cluster.Partition;
import io.imago.exception.MessageNotSentException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ordered producer when a partition stays unusable (issue 12, item 15): a kept message the broker
 * refuses, and a broker that leaves while no {@code partitionsInfo} fixes the partitions. Neither may
 * pass silently: the application hears of the first, and the second must not move a key.
 */
@Timeout(90)
class OrderedProducerFaultsIT {
    static final String TOPIC = "ordered";
    static final String ONE_PARTITION = "[topic=" + TOPIC + "]\nnumPartitions=1";

    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

    @TempDir
    Path dir;

    /** Every message of one key to one partition: the key is the attribute. */
    static final class ByKey extends OrderedMessagePartitionSelector {
        @Override
        protected Partition choosePartition(String topic, List<Partition> partitions, Message message) {
            return partitions.get(Math.floorMod(message.getAttribute().hashCode(), partitions.size()));
        }
    }

    /**
     * partitionsInfo names partition 0-1, which broker 0 does not have: a message kept while the broker
     * was down is refused ("wrong partition") once it returns. Later sends must not be "kept" behind it
     * for ever with offset -1: they fail, not sent, naming the refusal; the kept message stays on disk.
     */
    @Test
    void aKeptMessageTheBrokerRefusesMakesLaterSendsOfItsPartitionFailAsNotSent() throws Exception {
        BrokerHarness broker = brokers.start("", ONE_PARTITION);
        MetaClientConfig config = zkClient(broker.zkConnect());
        Properties partitions = new Properties();
        partitions.setProperty("topic.num." + TOPIC, "0:2");
        config.setPartitionsInfo(partitions);
        OrderedMetaMessageSessionFactory factory = new OrderedMetaMessageSessionFactory(config, dir.resolve("local"));
        try {
            MessageProducer producer = factory.createProducer(new ByKey());
            producer.publish(TOPIC);
            String key = keyOf(new Partition(0, 1), List.of(new Partition(0, 0), new Partition(0, 1)));
            broker.stopBroker();
            SendResult kept = producer.sendMessage(new Message(TOPIC, bytes("kept"), key));
            assertThat(kept.isSuccess() && kept.getOffset() == -1)
                    .as(kept.toString())
                    .isTrue();
            broker.restartBrokerOnSamePort("", ONE_PARTITION);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThatThrownBy(
                                    () -> producer.sendMessage(new Message(TOPIC, bytes("later"), key)))
                            .isInstanceOf(MessageNotSentException.class)
                            .hasMessageContaining("wrong partition"));
            OrderedMessageProducer ordered = (OrderedMessageProducer) producer;
            int waiting = ordered.pending(TOPIC, new Partition(0, 1));
            assertThat(waiting).as("the refused message is still kept").isPositive();
            assertThatThrownBy(() -> producer.sendMessage(new Message(TOPIC, bytes("later"), key)))
                    .isInstanceOf(MessageNotSentException.class);
            assertThat(ordered.pending(TOPIC, new Partition(0, 1)))
                    .as("a refused send is not kept")
                    .isEqualTo(waiting);
            producer.shutdown();
        } finally {
            factory.shutdown();
        }
    }

    /**
     * Without partitionsInfo the ordered producer chooses among the published partitions; when broker 1
     * leaves, a key of its partition must not move to broker 0: its message waits locally and reaches
     * partition 1-0 once broker 1 returns.
     */
    @Test
    void withoutPartitionsInfoAKeyOfALeavingBrokerWaitsLocallyInsteadOfMoving() throws Exception {
        BrokerHarness broker0 = brokers.start("", ONE_PARTITION);
        BrokerHarness broker1 = brokers.startAnother(1, "", ONE_PARTITION);
        OrderedMetaMessageSessionFactory factory =
                new OrderedMetaMessageSessionFactory(zkClient(broker0.zkConnect()), dir.resolve("local"));
        try {
            MessageProducer producer = factory.createProducer(new ByKey());
            producer.publish(TOPIC);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> factory.getPartitionsForTopic(TOPIC).size() == 2);
            Partition onBroker1 = new Partition(1, 0);
            String key = keyOf(onBroker1, factory.getPartitionsForTopic(TOPIC));
            SendResult before = producer.sendMessage(new Message(TOPIC, bytes("before"), key));
            assertThat(before.getPartition()).isEqualTo(onBroker1);
            assertThat(before.getOffset()).as(before.toString()).isNotNegative();
            broker1.stopBroker();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> factory.getPartitionsForTopic(TOPIC).equals(List.of(new Partition(0, 0))));
            SendResult whileAway = producer.sendMessage(new Message(TOPIC, bytes("while-away"), key));
            assertThat(whileAway.getPartition()).as(whileAway.toString()).isEqualTo(onBroker1);
            assertThat(whileAway.getOffset()).as("kept locally").isEqualTo(-1);
            assertThat(appended(broker0)).as("messages broker 0 stored").isZero();
            broker1.restartBrokerOnSamePort("", ONE_PARTITION);
            OrderedMessageProducer ordered = (OrderedMessageProducer) producer;
            await().atMost(Duration.ofSeconds(30)).until(() -> ordered.pending(TOPIC, onBroker1) == 0);
            assertThat(appended(broker1))
                    .as("messages broker 1 stored since its restart")
                    .isEqualTo(1);
            producer.shutdown();
        } finally {
            factory.shutdown();
        }
    }

    private static long appended(BrokerHarness broker) {
        return broker.broker().partitions().topics().stream()
                .filter(t -> t.topic().equals(TOPIC))
                .mapToLong(TopicLogs::appendedSinceStart)
                .sum();
    }

    private static String keyOf(Partition wanted, List<Partition> partitions) {
        for (int i = 0; ; i++) {
            String key = "key-" + i;
            if (partitions.get(Math.floorMod(key.hashCode(), partitions.size())).equals(wanted)) {
                return key;
            }
        }
    }
}
