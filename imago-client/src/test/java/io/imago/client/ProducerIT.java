package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.Message;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.broker.partition.TopicLogs;
import io.imago.client.producer.HashPartitionSelector;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.PartitionSelector;
import io.imago.client.producer.RandomPartitionSelector;
import io.imago.client.producer.SendMessageCallback;
import io.imago.client.producer.SendResult;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The producer against one real broker and ZooKeeper, shared by the tests (each uses its own topic). */
@Timeout(60)
class ProducerIT {
    static final int TWO_MIB = 2 * 1024 * 1024;
    static final String SYSTEM = "maxMessageSize=" + (4 * 1024 * 1024) + "\nmaxTransferSize=" + (4 * 1024 * 1024);
    static final String TOPICS = String.join(
            "\n",
            "[topic=roundtrip]",
            "numPartitions=2",
            "[topic=attrs]",
            "[topic=big]",
            "[topic=spread]",
            "numPartitions=4",
            "[topic=many]",
            "numPartitions=4",
            "[topic=stats]",
            "[topic=future]");

    @RegisterExtension
    static final BrokerHarnessExtension BROKER = BrokerHarnessExtension.of(SYSTEM, TOPICS);

    static MessageSessionFactory factory;

    @BeforeAll
    static void start() throws Exception {
        factory = new MetaMessageSessionFactory(
                ConsumerTesting.zkClient(BROKER.harness().zkConnect()));
    }

    @AfterAll
    static void stop() throws Exception {
        ConsumerTesting.shutdown(factory);
    }

    static List<Message> browse(MessageSessionFactory f, String topic) {
        List<Message> all = new ArrayList<>();
        TopicBrowser browser = f.createTopicBrowser(topic, 64 * 1024, 5, TimeUnit.SECONDS);
        browser.iterator().forEachRemaining(all::add);
        browser.shutdown();
        return all;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void sentMessagesAreReadBackWithTheIdPartitionAndOffsetTheSendReported() throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish("roundtrip");
        Map<Long, Message> sent = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            Message m = new Message("roundtrip", bytes("hello " + i));
            SendResult r = producer.sendMessage(m);
            assertThat(r.isSuccess()).as(r.toString()).isTrue();
            assertThat(m.getPartition()).isEqualTo(r.getPartition());
            assertThat(m.getOffset()).isEqualTo(r.getOffset());
            assertThat(m.getId()).isNotZero();
            sent.put(m.getId(), m);
        }
        List<Message> read = browse(factory, "roundtrip");
        assertThat(read).hasSize(10);
        for (Message r : read) {
            Message s = sent.get(r.getId());
            assertThat(s).as("message %d was sent", r.getId()).isNotNull();
            assertThat(r.getData()).isEqualTo(s.getData());
            assertThat(r.getPartition()).isEqualTo(s.getPartition());
            assertThat(r.getOffset()).isEqualTo(s.getOffset());
        }
        assertThat(read).extracting(m -> m.getPartition().getPartition()).containsOnly(0, 1);
    }

    @Test
    void attributesAndEmptyDataSurviveTheRoundTrip() throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish("attrs");
        List<Message> sent = List.of(
                new Message("attrs", new byte[0]),
                new Message("attrs", bytes("x"), "k=v a"),
                new Message("attrs", new byte[0], ""),
                new Message("attrs", bytes("ü"), "ключ"));
        for (Message m : sent) {
            assertThat(producer.sendMessage(m).isSuccess()).isTrue();
        }
        List<Message> read = browse(factory, "attrs");
        assertThat(read).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(read.get(i).getData()).isEqualTo(sent.get(i).getData());
            assertThat(read.get(i).getAttribute()).isEqualTo(sent.get(i).getAttribute());
            assertThat(read.get(i).getId()).isEqualTo(sent.get(i).getId());
        }
    }

    @Test
    void aTwoMebibyteMessageRoundTrips() throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish("big");
        byte[] data = new byte[TWO_MIB];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        SendResult r = producer.sendMessage(new Message("big", data), 10, TimeUnit.SECONDS);
        assertThat(r.isSuccess()).as(r.toString()).isTrue();
        List<Message> read = browse(factory, "big"); // 64 KiB fetches grow until the message fits
        assertThat(read).hasSize(1);
        assertThat(read.get(0).getData()).isEqualTo(data);
    }

    @Test
    void selectorsSpreadMessagesAsTheyPromise() throws Exception {
        List<Partition> partitions = factory.getPartitionsForTopic("spread");
        assertThat(partitions)
                .containsExactly(new Partition(0, 0), new Partition(0, 1), new Partition(0, 2), new Partition(0, 3));
        assertThat(countPerPartition(factory.createProducer(), 400, i -> null).values())
                .containsOnly(100);
        assertThat(countPerPartition(factory.createProducer(new RandomPartitionSelector()), 400, i -> null))
                .hasSize(4);
        MessageProducer byKey = factory.createProducer(new HashPartitionSelector());
        Map<String, Set<Partition>> partitionsOfKey = new ConcurrentHashMap<>();
        byKey.publish("spread");
        for (int i = 0; i < 200; i++) {
            Message m = new Message("spread", bytes("m" + i), "key" + (i % 10));
            assertThat(byKey.sendMessage(m).isSuccess()).isTrue();
            partitionsOfKey
                    .computeIfAbsent(m.getAttribute(), k -> ConcurrentHashMap.newKeySet())
                    .add(m.getPartition());
        }
        assertThat(partitionsOfKey)
                .hasSize(10)
                .allSatisfy((k, v) -> assertThat(v).hasSize(1));
        assertThat(partitionsOfKey.values().stream()
                        .flatMap(Set::stream)
                        .distinct()
                        .count())
                .isGreaterThan(1);
        PartitionSelector last = (topic, ps, msg) -> ps.get(ps.size() - 1);
        MessageProducer custom = factory.createProducer(last);
        assertThat(custom.getPartitionSelector()).isSameAs(last);
        custom.publish("spread");
        long endOfLast = BROKER.harness()
                .broker()
                .partitions()
                .find("spread", 3)
                .orElseThrow()
                .log()
                .maxOffset();
        SendResult r = custom.sendMessage(new Message("spread", bytes("last")));
        assertThat(r.isSuccess()).as(r.toString()).isTrue();
        assertThat(r.getPartition()).isEqualTo(new Partition(0, 3));
        assertThat(r.getOffset())
                .as("the message starts where partition 3 ended")
                .isEqualTo(endOfLast);
        assertThat(r.getErrorMessage()).isNull();
    }

    private static Map<Partition, Integer> countPerPartition(
            MessageProducer producer, int n, java.util.function.IntFunction<String> attribute) throws Exception {
        producer.publish("spread");
        Map<Partition, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            SendResult r = producer.sendMessage(new Message("spread", bytes("m" + i), attribute.apply(i)));
            assertThat(r.isSuccess()).isTrue();
            counts.merge(r.getPartition(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void aTopicWithoutPartitionsFailsWithTheOriginalMessage() {
        MessageProducer producer = factory.createProducer();
        producer.publish("nobody-publishes-this");
        assertThatThrownBy(() -> producer.sendMessage(new Message("nobody-publishes-this", bytes("x"))))
                .isInstanceOf(MetaClientException.class)
                .hasMessage("There is no aviable partition for topic nobody-publishes-this, maybe you don't publish"
                        + " it at first?");
    }

    @Test
    void aBrokerRefusalIsAFailedResultWithTheBrokersText() throws Exception {
        MessageSessionFactory own = new MetaMessageSessionFactory(
                ConsumerTesting.zkClient(BROKER.harness().zkConnect()));
        try {
            MessageProducer producer = own.createProducer();
            producer.setDefaultTopic("roundtrip"); // unpublished topics go to roundtrip's broker, which refuses them
            SendResult r = producer.sendMessage(new Message("not-accepted", bytes("x")));
            assertThat(r.isSuccess()).isFalse();
            assertThat(r.getErrorMessage()).contains("do not accept topic not-accepted");
        } finally {
            own.shutdown();
        }
    }

    @Test
    void aShutDownProducerRefusesToSend() throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish("roundtrip");
        producer.shutdown();
        producer.shutdown();
        assertThatThrownBy(() -> producer.sendMessage(new Message("roundtrip", bytes("x"))))
                .isInstanceOf(MetaClientException.class)
                .hasMessageContaining("shut down");
    }

    @Test
    void sendMessageAsyncCompletesTheFutureWithTheResult() throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish("future");
        List<java.util.concurrent.CompletableFuture<SendResult>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            futures.add(producer.sendMessageAsync(new Message("future", bytes("f" + i))));
        }
        for (var f : futures) {
            assertThat(f.get(10, TimeUnit.SECONDS).isSuccess()).isTrue();
        }
        assertThat(producer.sendMessageAsync(new Message("not-published-anywhere", bytes("x"))))
                .failsWithin(5, TimeUnit.SECONDS)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(MetaClientException.class);
    }

    /** About 15 s on the 2-core build machine, so it stays in the default suite. */
    @Test
    @Timeout(180)
    void aMillionAsyncSendsCallEachCallbackExactlyOnce() throws Exception {
        asyncSendsCallEachCallbackExactlyOnce("many", 1_000_000);
    }

    private static void asyncSendsCallEachCallbackExactlyOnce(String topic, int n) throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish(topic);
        LongAdder calls = new LongAdder();
        Set<Integer> called = ConcurrentHashMap.newKeySet();
        Set<Integer> twice = ConcurrentHashMap.newKeySet();
        Map<Integer, Object> failures = new ConcurrentHashMap<>();
        byte[] data = new byte[100];
        for (int i = 0; i < n; i++) {
            int seq = i;
            producer.sendMessage(
                    new Message(topic, data),
                    new SendMessageCallback() {
                        @Override
                        public void onMessageSent(SendResult result) {
                            record(seq, result.isSuccess() ? null : result);
                        }

                        @Override
                        public void onException(Throwable error) {
                            record(seq, error);
                        }

                        private void record(int s, Object failure) {
                            calls.increment();
                            if (!called.add(s)) {
                                twice.add(s);
                            }
                            if (failure != null) {
                                failures.put(s, failure);
                            }
                        }
                    },
                    30,
                    TimeUnit.SECONDS);
        }
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofMinutes(2))
                .until(() -> calls.sum() >= n);
        // a duplicate callback would arrive late: the count must stay at n for a while
        org.awaitility.Awaitility.await()
                .during(java.time.Duration.ofMillis(300))
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> calls.sum() == n);
        assertThat(twice).isEmpty();
        assertThat(called).hasSize(n);
        assertThat(failures).isEmpty();
        long stored = BROKER.harness().broker().partitions().topics().stream()
                .filter(t -> t.topic().equals(topic))
                .mapToLong(TopicLogs::appendedSinceStart)
                .sum();
        assertThat(stored).as("messages the broker acknowledged on %s", topic).isEqualTo(n);
    }

    @Test
    void getStatsParsesEveryConnectedBrokersReply() throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish("stats");
        assertThat(producer.sendMessage(new Message("stats", bytes("s"))).isSuccess())
                .isTrue();
        Map<InetSocketAddress, StatsResult> all = factory.getStats();
        InetSocketAddress broker =
                new InetSocketAddress("127.0.0.1", BROKER.harness().port());
        assertThat(all).containsOnlyKeys(broker);
        StatsResult general = all.get(broker);
        assertThat(general.getValue("broker_id")).isEqualTo("0");
        assertThat(general.getValue("port"))
                .isEqualTo(Integer.toString(BROKER.harness().port()));
        assertThat(Long.parseLong(general.getValue("cmd_put"))).isPositive();
        assertThat(general.getAllValues()).containsKeys("pid", "uptime", "version", "curr_connections");
        StatsResult topics = factory.getStats("topics").get(broker);
        assertThat(topics.getItem()).isEqualTo("topics");
        assertThat(topics.getValue("stats")).startsWith("partitions 1 message_count 1");
        StatsResult one = factory.getStats(broker, "stats");
        assertThat(one.getValue("resultCode")).isEqualTo("0");
        assertThat(factory.getStats(broker).getValue("broker_id")).isEqualTo("0");
    }
}
