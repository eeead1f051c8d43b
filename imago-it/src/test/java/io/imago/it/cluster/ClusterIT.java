package io.imago.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.BrokerProcessConfig;
import io.imago.it.harness.ClusterExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imago clusters (issue 5 §2): three broker processes (brokerIds 1..3, own port and data directory)
 * on one ZooKeeper, every topic with {@value #PER_BROKER} partitions on each, driven by Imago's own
 * client. Each test uses its own topic and group; the test that stops a broker runs last and brings
 * it back before it ends.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterIT.class);
    static final int PER_BROKER = 2;
    static final int CONSUMERS = 3;
    static final int FETCH_BYTES = 64 * 1024;
    static final long SEND_PERIOD_MS = 20;
    static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    @TempDir
    static Path recoverDir;

    static final List<BrokerProcess> BROKERS = new ArrayList<>();

    @BeforeAll
    static void startThreeBrokers() {
        for (int id = 1; id <= 3; id++) {
            BROKERS.add(CLUSTER.cluster().startBroker(broker(id, "spread", "scale", "outage")));
        }
    }

    private static BrokerProcessConfig.Builder broker(int id, String... topics) {
        BrokerProcessConfig.Builder b = CLUSTER.cluster().broker(id).numPartitions(PER_BROKER);
        for (String topic : topics) {
            b.topic(topic);
        }
        return b;
    }

    private static String zkConnect() {
        return CLUSTER.cluster().zkConnect();
    }

    @Test
    @Order(1)
    void aTopicOnThreeBrokersIsProducedToOnEveryPartitionAndConsumedOnceByABalancedGroup() throws Exception {
        List<String> all = GroupView.partitionsOf(PER_BROKER, 1, 2, 3);
        try (ImagoConsumerGroup group =
                ImagoConsumerGroup.start(zkConnect(), "spread", "cluster-spread", CONSUMERS, FETCH_BYTES, recoverDir)) {
            awaitOwned("cluster-spread", "spread", all);
            assertThat(ownedCounts("cluster-spread", "spread"))
                    .as("an even share each")
                    .containsOnly(PER_BROKER);

            Map<Long, String> sent = produce("spread", 60);

            assertThat(new HashSet<>(sent.values())).as("partitions used").containsExactlyInAnyOrderElementsOf(all);
            await("every message consumed")
                    .atMost(CHANGE_TIMEOUT)
                    .until(() -> group.ids().containsAll(sent.keySet()));
            Map<Long, List<ImagoConsumerGroup.Received>> byId = group.byId();
            assertThat(byId.keySet()).isEqualTo(sent.keySet());
            byId.forEach((id, deliveries) -> {
                assertThat(deliveries).as("deliveries of %s", id).hasSize(1);
                assertThat(deliveries.get(0).partition())
                        .as("partition of %s", id)
                        .isEqualTo(sent.get(id));
            });
            Map<Integer, Set<String>> partitionsByConsumer = group.received().stream()
                    .collect(Collectors.groupingBy(
                            ImagoConsumerGroup.Received::consumer,
                            Collectors.mapping(ImagoConsumerGroup.Received::partition, Collectors.toSet())));
            assertThat(partitionsByConsumer)
                    .as("each consumer reads its own share")
                    .hasSize(CONSUMERS)
                    .allSatisfy((consumer, partitions) -> assertThat(partitions).hasSize(PER_BROKER));
        }
    }

    @Test
    @Order(2)
    void aFourthBrokerStartedUnderLoadIsUsedByRunningProducersAndConsumers() throws Exception {
        try (ImagoConsumerGroup group = ImagoConsumerGroup.start(
                        zkConnect(), "scale", "cluster-scale", CONSUMERS, FETCH_BYTES, recoverDir);
                ProducerLoop producer = ProducerLoop.start(zkConnect(), "scale", SEND_PERIOD_MS)) {
            awaitOwned("cluster-scale", "scale", GroupView.partitionsOf(PER_BROKER, 1, 2, 3));
            awaitAcked(producer, 0, 20);

            BrokerProcess fourth = CLUSTER.cluster().startBroker(broker(4, "scale"));
            long afterStart = producer.nextSequence();

            List<String> newPartitions = GroupView.partitionsOf(PER_BROKER, fourth.brokerId());
            await("the running producer sends to broker 4")
                    .atMost(CHANGE_TIMEOUT)
                    .until(() -> producer.partitionsUsedSince(afterStart).containsAll(newPartitions));
            awaitOwned("cluster-scale", "scale", GroupView.partitionsOf(PER_BROKER, 1, 2, 3, 4));
            producer.stop();
            producer.check();
            assertThat(producer.failures())
                    .as("sends that failed while a broker joined")
                    .isEmpty();
            Map<Long, ProducerLoop.Acked> acked = producer.acked();
            awaitConsumed(group, acked);
            assertThat(group.received())
                    .extracting(ImagoConsumerGroup.Received::partition)
                    .as("messages read from broker 4")
                    .containsAll(newPartitions);
            logDuplicates("scale-out", group, acked.size());
        }
    }

    @Test
    @Order(3)
    void aStoppedBrokerIsRoutedAroundWithoutLosingAcknowledgedMessagesAndUsedAgainWhenBack() throws Exception {
        try (ImagoConsumerGroup group = ImagoConsumerGroup.start(
                        zkConnect(), "outage", "cluster-outage", CONSUMERS, FETCH_BYTES, recoverDir);
                ProducerLoop producer = ProducerLoop.start(zkConnect(), "outage", SEND_PERIOD_MS)) {
            awaitOwned("cluster-outage", "outage", GroupView.partitionsOf(PER_BROKER, 1, 2, 3));
            awaitAcked(producer, 0, 30);
            BrokerProcess second = BROKERS.get(1);

            second.stop(); // SIGTERM, waits for the exit
            long afterStop = producer.nextSequence();

            awaitAcked(producer, afterStop, 30);
            assertThat(producer.partitionsUsedSince(afterStop))
                    .as("partitions used while broker 2 is down")
                    .isSubsetOf(GroupView.partitionsOf(PER_BROKER, 1, 3));
            awaitOwned("cluster-outage", "outage", GroupView.partitionsOf(PER_BROKER, 1, 3));
            Map<Long, ProducerLoop.Acked> reachable = new LinkedHashMap<>(producer.acked());
            reachable.values().removeIf(a -> a.partition().startsWith("2-"));
            awaitConsumed(group, reachable);

            BROKERS.set(1, CLUSTER.cluster().restart(second));
            long afterReturn = producer.nextSequence();

            await("the running producer sends to broker 2 again")
                    .atMost(CHANGE_TIMEOUT)
                    .until(() -> producer.partitionsUsedSince(afterReturn)
                            .containsAll(GroupView.partitionsOf(PER_BROKER, 2)));
            awaitOwned("cluster-outage", "outage", GroupView.partitionsOf(PER_BROKER, 1, 2, 3));
            producer.stop();
            producer.check();
            Map<Long, ProducerLoop.Acked> acked = producer.acked();
            awaitConsumed(group, acked);
            LOG.info(
                    "broker 2 outage: {} sends acknowledged, {} failed: {}",
                    acked.size(),
                    producer.failures().size(),
                    producer.failures());
            logDuplicates("outage", group, acked.size());
        }
    }

    /** Sends {@code n} messages with a fresh Imago producer; every send must succeed. Id to partition. */
    private static Map<Long, String> produce(String topic, int n) throws Exception {
        MetaClientConfig config = new MetaClientConfig();
        config.setZkConnect(zkConnect());
        MetaMessageSessionFactory factory = new MetaMessageSessionFactory(config);
        Map<Long, String> sent = new LinkedHashMap<>();
        try {
            MessageProducer producer = factory.createProducer();
            producer.publish(topic);
            for (int i = 0; i < n; i++) {
                Message message = new Message(topic, ("message " + i).getBytes(StandardCharsets.UTF_8), "seq-" + i);
                SendResult result = producer.sendMessage(message);
                assertThat(result.isSuccess()).as(result.getErrorMessage()).isTrue();
                sent.put(message.getId(), result.getPartition().toString());
            }
        } finally {
            factory.shutdown();
        }
        assertThat(sent).as("distinct message ids").hasSize(n);
        return sent;
    }

    /** Waits until exactly {@code partitions} are owned, by all {@value #CONSUMERS} consumers of the group. */
    private static void awaitOwned(String group, String topic, List<String> partitions) {
        AtomicReference<Map<String, String>> last = new AtomicReference<>(Map.of());
        try {
            await(group + " owns " + partitions)
                    .atMost(CHANGE_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        Map<String, String> owners =
                                GroupView.owners(CLUSTER.cluster().zk(), group, topic);
                        last.set(owners);
                        return owners.keySet().equals(new HashSet<>(partitions))
                                && new HashSet<>(owners.values()).size() == CONSUMERS;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    group + " never owned exactly " + partitions + " with " + CONSUMERS + " consumers; last owners "
                            + last.get(),
                    e);
        }
    }

    private static List<Integer> ownedCounts(String group, String topic) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        GroupView.owners(CLUSTER.cluster().zk(), group, topic).values().forEach(o -> counts.merge(o, 1, Integer::sum));
        return List.copyOf(counts.values());
    }

    private static void awaitAcked(ProducerLoop producer, long fromSequence, int n) {
        await(n + " acknowledged sends from " + fromSequence)
                .atMost(CHANGE_TIMEOUT)
                .until(() -> {
                    producer.check();
                    return producer.acked().values().stream()
                                    .filter(a -> a.sequence() >= fromSequence)
                                    .count()
                            >= n;
                });
    }

    /** Waits until every acknowledged message was consumed, each from its partition with its attribute and data. */
    private static void awaitConsumed(ImagoConsumerGroup group, Map<Long, ProducerLoop.Acked> acked) {
        await("all " + acked.size() + " acknowledged messages consumed")
                .atMost(CHANGE_TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> group.ids().containsAll(acked.keySet()));
        for (ImagoConsumerGroup.Received r : group.received()) {
            ProducerLoop.Acked a = acked.get(r.id());
            if (a != null) {
                assertThat(r.partition()).as("partition of %s", r.id()).isEqualTo(a.partition());
                assertThat(r.attribute()).isEqualTo("seq-" + a.sequence());
                assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("message " + a.sequence());
            }
        }
    }

    private static void logDuplicates(String what, ImagoConsumerGroup group, int acked) {
        int duplicates = group.received().size() - group.ids().size();
        LOG.info(
                "{}: {} acknowledged messages, {} deliveries, {} redelivered (after a rebalance)",
                what,
                acked,
                group.received().size(),
                duplicates);
    }
}
