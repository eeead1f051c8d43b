package io.imago.client;

import static io.imago.client.ConsumerTesting.consumerConfig;
import static io.imago.client.ConsumerTesting.send;
import static io.imago.client.ConsumerTesting.zkClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.client.producer.MessageProducer;
import io.imago.cluster.Partition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Consumer groups against two real brokers (4 partitions each: 8 per topic) and ZooKeeper: each
 * message once per group, every group gets everything, and consumers joining and leaving under load.
 */
@Timeout(60)
@LeavesNoConsumerThreads
class ConsumerIT {
    static final String TOPICS = java.util.stream.Stream.of("spread1", "spread3", "spread10", "churn")
            .map(t -> "[topic=" + t + "]\nnumPartitions=4")
            .collect(java.util.stream.Collectors.joining("\n"));

    /** Broker 0 and its ZooKeeper; broker 1 joins it before the tests. */
    @RegisterExtension
    static final BrokerHarnessExtension BROKERS = BrokerHarnessExtension.of("", TOPICS);

    @TempDir
    static Path dir;

    static MetaMessageSessionFactory factory;
    static CuratorFramework zk;

    @BeforeAll
    static void start() throws Exception {
        BROKERS.startAnother(1, "", TOPICS);
        String zkConnect = BROKERS.harness().zkConnect();
        factory = new MetaMessageSessionFactory(zkClient(zkConnect));
        zk = CuratorFrameworkFactory.newClient(zkConnect, 5_000, 5_000, new RetryNTimes(3, 200));
        zk.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (factory != null) {
            factory.shutdown();
        }
        if (zk != null) {
            zk.close();
        }
    }

    static MessageProducer producer(String topic) {
        MessageProducer p = factory.createProducer();
        p.publish(topic);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> factory.getPartitionsForTopic(topic).size() == 8);
        return p;
    }

    /** The owner node data (a consumer id) of each owned partition of the topic. */
    static Map<String, String> owners(String group, String topic) throws Exception {
        String path = "/meta/consumers/" + group + "/owners/" + topic;
        Map<String, String> owners = new HashMap<>();
        if (zk.checkExists().forPath(path) == null) {
            return owners;
        }
        for (String child : zk.getChildren().forPath(path)) {
            try {
                owners.put(child, new String(zk.getData().forPath(path + "/" + child), StandardCharsets.UTF_8));
            } catch (org.apache.zookeeper.KeeperException.NoNodeException e) {
                // released between the listing and the read
            }
        }
        return owners;
    }

    @ParameterizedTest(name = "{0} consumers")
    @ValueSource(ints = {1, 3, 10})
    void everyMessageIsDeliveredOncePerGroupAndToEveryGroup(int consumers) throws Exception {
        String topic = "spread" + consumers;
        MessageProducer producer = producer(topic);
        ConsumerTesting.Counting group = new ConsumerTesting.Counting();
        ConsumerTesting.Counting other = new ConsumerTesting.Counting();
        List<MessageConsumer> all = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            all.add(subscribed(consumerConfig("spread", dir), topic, group));
        }
        all.add(subscribed(consumerConfig("other", dir), topic, other));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> owners("spread", topic).size() == 8
                        && Set.copyOf(owners("spread", topic).values()).size() == Math.min(consumers, 8)
                        && owners("other", topic).size() == 8);
        List<Long> ids = send(producer, topic, "m", 160);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> group.seen.keySet().containsAll(ids)
                        && other.seen.keySet().containsAll(ids));
        for (MessageConsumer c : all) {
            c.shutdown();
        }
        producer.shutdown();
        assertThat(group.seen).hasSize(ids.size());
        assertThat(group.duplicates()).as("duplicates in the group").isZero();
        assertThat(other.seen).hasSize(ids.size());
        assertThat(other.duplicates()).isZero();
    }

    static MessageConsumer subscribed(ConsumerConfig config, String topic, MessageListener listener) throws Exception {
        MessageConsumer c = factory.createConsumer(config);
        c.subscribe(topic, 64 * 1024, listener);
        c.completeSubscribe();
        return c;
    }

    @Test
    void consumersJoiningAndLeavingUnderLoadLoseNothingAndNeverShareAPartition() throws Exception {
        MessageProducer producer = producer("churn");
        ExclusiveListener listener = new ExclusiveListener();
        List<MessageConsumer> live = new CopyOnWriteArrayList<>();
        List<MessageConsumer> everyone = new CopyOnWriteArrayList<>(); // leaving ones too, until they are gone
        for (int i = 0; i < 2; i++) {
            live.add(subscribed(consumerConfig("churners", dir), "churn", listener));
        }
        everyone.addAll(live);
        PeriodicProbe sampler = PeriodicProbe.every(Duration.ofMillis(20), "owners-sampler", () -> {
            checkOwners();
            checkHolders(everyone);
        });
        List<Long> ids = new CopyOnWriteArrayList<>();
        AtomicInteger rounds = new AtomicInteger();
        PeriodicProbe sender = PeriodicProbe.every(Duration.ofMillis(100), "churn-sender", () -> {
            int round = rounds.get();
            if (round < 20) {
                ids.addAll(send(producer, "churn", "c" + round, 25));
                rounds.incrementAndGet();
            }
        });
        try {
            for (int step = 0; step < 3; step++) {
                MessageConsumer joining = subscribed(consumerConfig("churners", dir), "churn", listener);
                live.add(joining);
                everyone.add(joining);
                live.remove(0).shutdown();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> rounds.get() == 20 || sender.failure() != null);
            assertThat(sender.failure()).isNull();
            try {
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> listener.seen.keySet().containsAll(ids));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                long missing =
                        ids.stream().filter(i -> !listener.seen.containsKey(i)).count();
                System.out.println("churn diagnostics: missing " + missing + ", violations " + listener.violations
                        + ", owners " + owners("churners", "churn") + ", ids "
                        + zk.getChildren().forPath("/meta/consumers/churners/ids"));
                for (MessageConsumer c : live) {
                    var f = ((io.imago.client.internal.consumer.SimpleMessageConsumer) c).fetchManager();
                    System.out.println("churn diagnostics: " + f.assignments() + " delivered " + f.deliveredCount()
                            + " duplicates " + f.duplicateCount());
                }
                throw e;
            }
            assertThat(zk.getChildren().forPath("/meta/consumers/churners/ids"))
                    .as("registered consumers")
                    .hasSize(live.size());
        } finally {
            sender.close();
            sampler.close();
            for (MessageConsumer c : live) {
                c.shutdown();
            }
            producer.shutdown();
        }
        assertThat(sampler.failure()).isNull();
        assertThat(sampler.runs()).isPositive();
        assertThat(ids).hasSize(500);
        assertThat(listener.violations)
                .as("two consumers delivering one partition at once")
                .isEmpty();
        System.out.printf(
                "churn: %d messages, %d duplicate deliveries, %d owner samples%n",
                ids.size(), listener.duplicates(), sampler.runs());
    }

    /**
     * One sample of what the consumers' fetch loops hold: no partition is held by two consumers at once.
     * Read twice, consumer by consumer; a partition counts as shared only if the same two consumers hold
     * it in both passes (consumer X seen holding it before and after Y was: a real overlap, since a
     * hand-over and a hand-back take ZooKeeper round trips, not the microseconds between two reads).
     */
    private static void checkHolders(List<MessageConsumer> consumers) {
        Map<String, Set<String>> first = holders(consumers);
        Map<String, Set<String>> second = holders(consumers);
        for (Map.Entry<String, Set<String>> e : first.entrySet()) {
            Set<String> both = new java.util.TreeSet<>(e.getValue());
            both.retainAll(second.getOrDefault(e.getKey(), Set.of()));
            assertThat(both)
                    .as("consumers holding partition %s at once", e.getKey())
                    .hasSizeLessThan(2);
        }
    }

    private static Map<String, Set<String>> holders(List<MessageConsumer> consumers) {
        Map<String, Set<String>> held = new HashMap<>();
        for (MessageConsumer c : consumers) {
            var consumer = (io.imago.client.internal.consumer.SimpleMessageConsumer) c;
            var fetch = consumer.fetchManager();
            if (fetch == null) {
                continue;
            }
            for (var assignment : fetch.assignments()) {
                held.computeIfAbsent(assignment.topic() + "/" + assignment.partition(), k -> new java.util.TreeSet<>())
                        .add(consumer.consumerId());
            }
        }
        return held;
    }

    /** One sample of the owner nodes: every owner is a consumer of the group, on a partition that exists. */
    private static void checkOwners() throws Exception {
        Map<String, String> owners = owners("churners", "churn");
        owners.values().forEach(o -> assertThat(o).startsWith("churners_"));
        assertThat(owners.keySet()).allMatch(p -> p.matches("[01]-[0-3]"));
    }

    /** Records, per partition, the consumer thread delivering it, and any overlap of two. */
    static final class ExclusiveListener extends ConsumerTesting.Counting {
        final Map<Partition, Thread> inFlight = new ConcurrentHashMap<>();
        final List<String> violations = new CopyOnWriteArrayList<>();

        @Override
        public void receiveMessages(Message message) throws Exception {
            Thread previous = inFlight.putIfAbsent(message.getPartition(), Thread.currentThread());
            if (previous != null) {
                violations.add(message.getPartition() + " delivered by " + previous.getName() + " and "
                        + Thread.currentThread().getName());
            }
            try {
                super.receiveMessages(message);
                Thread.sleep(1); // widens the window in which an overlap would be seen
            } finally {
                inFlight.remove(message.getPartition(), Thread.currentThread());
            }
        }

        @Override
        public Executor getExecutor() {
            return null;
        }
    }
}
