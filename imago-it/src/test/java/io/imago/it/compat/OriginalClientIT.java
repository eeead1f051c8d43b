package io.imago.it.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.it.cluster.GroupView;
import io.imago.it.cluster.ImagoConsumerGroup;
import io.imago.it.harness.BrokerCluster;
import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.BrokerProcessConfig;
import io.imago.it.harness.ClusterExtension;
import io.imago.it.harness.PutAck;
import io.imago.it.harness.RawMetaqConnection;
import io.imago.it.harness.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imago as a drop-in MetaQ broker (issue 5 §1): the unmodified MetaQ 1.4.6.2 client, run in its own
 * JVMs by {@link OriginalClient}, produces to, consumes from, browses and asks statistics of Imago
 * broker processes. Broker 1 serves every topic with 4 partitions; broker 2 serves {@code spread}
 * too, so that topic has 8 partitions over two brokers. Both use group commit.
 */
@Timeout(90)
class OriginalClientIT {
    private static final Logger LOG = LoggerFactory.getLogger(OriginalClientIT.class);
    static final int PARTITIONS = 4;
    static final int ONE_AND_A_HALF_MIB = 3 * 512 * 1024;
    /** A consumer maxSize that holds the 1.5 MiB message; the original client cannot read replies much over 2 MiB. */
    static final int BIG_FETCH_BYTES = 1792 * 1024;

    static final int SMALL_FETCH_BYTES = 64 * 1024;
    static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(40);

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    static BrokerProcess broker1;
    static BrokerProcess broker2;
    /** The recover stores of Imago consumers. */
    @TempDir
    static Path recoverDir;

    /** Numbers the driver logs of one run; a new run overwrites them. */
    private static final AtomicInteger DRIVER_COUNT = new AtomicInteger();

    private final List<DriverProcess> drivers = new ArrayList<>();

    @BeforeAll
    static void startBrokers() {
        BrokerCluster cluster = CLUSTER.cluster();
        broker1 = cluster.startBroker(bigMessages(cluster.broker(1))
                .numPartitions(PARTITIONS)
                .topic("once")
                .topic("fanout")
                .topic("browsed")
                .topic("observed")
                .topic("spread")
                .topic("crossover")
                .topic("to-imago")
                .topic("handover"));
        broker2 = cluster.startBroker(
                bigMessages(cluster.broker(2)).numPartitions(PARTITIONS).topic("spread"));
    }

    private static BrokerProcessConfig.Builder bigMessages(BrokerProcessConfig.Builder broker) {
        broker.system("maxTransferSize", Integer.toString(2 * 1024 * 1024));
        if (CLUSTER.target() == Target.IMAGO) {
            broker.system("maxMessageSize", Integer.toString(2 * 1024 * 1024)); // unknown to the original
        }
        return broker;
    }

    @AfterEach
    void stopDrivers() {
        for (DriverProcess driver : drivers) {
            driver.close();
        }
        drivers.clear();
    }

    @Test
    void aGroupOfThreeOriginalConsumersReceivesEveryMessageOfTheOriginalProducer() throws Exception {
        DriverProcess group = consumers("once", "compat-once", 3, BIG_FETCH_BYTES);
        awaitBalanced("compat-once", "once", 3, PARTITIONS);
        List<Outgoing> messages = new ArrayList<>(Outgoing.smallBatch("once", 60, 1));
        messages.add(Outgoing.ofSize("big", ONE_AND_A_HALF_MIB, 2));
        messages.add(new Outgoing("empty data", new byte[0]));
        messages.add(new Outgoing(null, new byte[0]));

        Map<Long, Sent> sent = produce("once", messages);

        assertThat(sent.values())
                .extracting(Sent::partition)
                .isSubsetOf(partitions(1))
                .containsAll(partitions(1));
        Map<Long, List<String[]>> received = awaitDelivered(group, sent);
        assertThat(received.values())
                .flatMap(lines -> lines)
                .extracting(f -> f[1])
                .as("every consumer of the group owns a partition and receives from it")
                .contains("0", "1", "2");
        int duplicates = received.values().stream().mapToInt(List::size).sum() - sent.size();
        if (duplicates > 0) {
            LOG.warn(
                    "the original consumers received {} of {} messages twice (redelivery after a rebalance)",
                    duplicates,
                    sent.size());
        }
        group.closeInput();
        group.awaitSuccess(Duration.ofSeconds(30));
    }

    @Test
    void twoGroupsEachReceiveEveryMessage() throws Exception {
        DriverProcess a = consumers("fanout", "compat-a", 2, SMALL_FETCH_BYTES);
        DriverProcess b = consumers("fanout", "compat-b", 1, SMALL_FETCH_BYTES);

        Map<Long, Sent> sent = produce("fanout", Outgoing.smallBatch("fanout", 40, 3));

        awaitDelivered(a, sent);
        awaitDelivered(b, sent);
        a.closeInput();
        b.closeInput();
        a.awaitSuccess(Duration.ofSeconds(30));
        b.awaitSuccess(Duration.ofSeconds(30));
    }

    @Test
    void theOriginalProducerSpreadsOverThePartitionsOfBothBrokers() throws Exception {
        await("both brokers publish spread")
                .atMost(Duration.ofSeconds(20))
                .until(() -> new HashSet<>(
                                CLUSTER.cluster().zk().getChildren().forPath("/meta/brokers/topics-pub/spread"))
                        .containsAll(List.of("1-m", "2-m")));
        DriverProcess group = consumers("spread", "compat-spread", 2, SMALL_FETCH_BYTES);

        Map<Long, Sent> sent = produce("spread", Outgoing.smallBatch("spread", 40, 4));

        List<String> both = new ArrayList<>(partitions(1));
        both.addAll(partitions(2));
        assertThat(sent.values()).extracting(Sent::partition).isSubsetOf(both).containsAll(both);
        awaitDelivered(group, sent);
        group.closeInput();
        group.awaitSuccess(Duration.ofSeconds(30));
    }

    @Test
    void theOriginalClientParsesImagoStatsReplies() throws Exception {
        try (RawMetaqConnection conn = RawMetaqConnection.open(broker1)) {
            for (int i = 0; i < 3; i++) {
                PutAck.of(conn.put("observed", i, ("observed " + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
        DriverProcess stats = driver("stats", CLUSTER.cluster().zkConnect(), "observed", "-", "topics");
        stats.awaitSuccess(Duration.ofSeconds(30));

        String address = "127.0.0.1:" + broker1.port();
        Map<String, String> general = stats(stats, "-", address);
        assertThat(general)
                .containsEntry("broker_id", "1")
                .containsKeys("pid", "uptime", "version", "curr_connections", "cmd_get", "config_checksum");
        assertThat(Long.parseLong(general.get("cmd_put"))).isGreaterThanOrEqualTo(3);
        assertThat(Long.parseLong(general.get("total_messages"))).isGreaterThanOrEqualTo(3);
        Map<String, String> topics = stats(stats, "topics", address);
        // like the original, a partition counts once it holds data: 3 of the 4 here
        assertThat(topics.get("observed")).startsWith("partitions 3 message_count 3 message_bytes ");
    }

    @Test
    void theOriginalTopicBrowserWalksEveryMessageOfATopic() throws Exception {
        Map<Long, Sent> sent = produce("browsed", Outgoing.smallBatch("browsed", 30, 5));

        DriverProcess browser =
                driver("browse", CLUSTER.cluster().zkConnect(), "browsed", Integer.toString(SMALL_FETCH_BYTES));
        browser.awaitSuccess(Duration.ofSeconds(30));

        List<String[]> seen = browser.lines("MSG");
        assertThat(seen).extracting(f -> Long.parseLong(f[2])).containsExactlyInAnyOrderElementsOf(sent.keySet());
        for (String[] f : seen) {
            Sent s = sent.get(Long.parseLong(f[2]));
            assertThat(Outgoing.fingerprint(f[3], f[4], f[5]))
                    .isEqualTo(s.message().fingerprint());
        }
    }

    @Test
    void imagoProducerToOriginalConsumers() throws Exception {
        DriverProcess group = consumers("crossover", "compat-cross", 2, BIG_FETCH_BYTES);
        List<Outgoing> messages = new ArrayList<>(Outgoing.smallBatch("crossover", 30, 6));
        messages.add(Outgoing.ofSize("big", ONE_AND_A_HALF_MIB, 7));
        messages.add(new Outgoing(null, new byte[0]));

        Map<Long, Sent> sent = produceWithImago("crossover", messages);

        assertThat(sent.values()).extracting(Sent::partition).containsAll(partitions(1));
        awaitDelivered(group, sent);
        group.closeInput();
        group.awaitSuccess(Duration.ofSeconds(30));
    }

    @Test
    void anImagoConsumerGroupReceivesEveryMessageOfTheOriginalProducerOnce() throws Exception {
        try (ImagoConsumerGroup group = ImagoConsumerGroup.start(
                CLUSTER.cluster().zkConnect(), "to-imago", "compat-to-imago", 2, BIG_FETCH_BYTES, recoverDir)) {
            awaitBalanced("compat-to-imago", "to-imago", 2, PARTITIONS);
            List<Outgoing> messages = new ArrayList<>(Outgoing.smallBatch("to-imago", 40, 8));
            messages.add(Outgoing.ofSize("big", ONE_AND_A_HALF_MIB, 9));
            messages.add(new Outgoing("empty data", new byte[0]));
            messages.add(new Outgoing(null, new byte[0]));

            Map<Long, Sent> sent = produce("to-imago", messages);

            Map<Long, List<ImagoConsumerGroup.Received>> received = awaitDelivered(group, sent.keySet());
            received.forEach((id, deliveries) ->
                    assertThat(deliveries).as("deliveries of %s", id).hasSize(1));
            assertIntact(received, sent);
            assertThat(group.received())
                    .extracting(ImagoConsumerGroup.Received::consumer)
                    .as("both consumers of the group receive")
                    .contains(0, 1);
        }
    }

    @Test
    void aGroupMovedFromTheOriginalClientToImagoContinuesFromTheOffsetsCommittedInZooKeeper() throws Exception {
        String group = "compat-handover";
        DriverProcess original = consumers("handover", group, 2, SMALL_FETCH_BYTES);
        awaitBalanced(group, "handover", 2, PARTITIONS);
        Map<Long, Sent> first = produce("handover", Outgoing.smallBatch("handover", 40, 10));
        awaitDelivered(original, first);
        original.closeInput(); // the original consumers shut down, committing their positions
        original.awaitSuccess(Duration.ofSeconds(30));

        // The original commits where its fetches stand. A message it delivered just before it stopped may
        // still lie at or after that point (MetaQ delivers at least once; seen on a loaded machine), and
        // Imago, starting from the commit, must then deliver it again.
        // Its shutdown may also leave a partition without an offset node (seen under heavy load: the two
        // consumers hand partitions to each other while closing); Imago then starts that partition at the
        // group's configured offset, 0, and delivers all of it again.
        Map<String, Long> committed = committedOffsets(group, "handover");
        first.values().forEach(s -> committed.putIfAbsent(s.partition(), 0L));
        Set<Long> fromTheCommits = new HashSet<>();
        first.forEach((id, s) -> {
            if (s.offset() >= committed.get(s.partition())) {
                fromTheCommits.add(id);
            }
        });
        Map<Long, Sent> second = produce("handover", Outgoing.smallBatch("handover", 40, 11));
        fromTheCommits.addAll(second.keySet());

        try (ImagoConsumerGroup ours = ImagoConsumerGroup.start(
                CLUSTER.cluster().zkConnect(), "handover", group, 2, SMALL_FETCH_BYTES, recoverDir)) {
            Map<Long, List<ImagoConsumerGroup.Received>> received = awaitDelivered(ours, fromTheCommits);
            Map<Long, Sent> all = new LinkedHashMap<>(first);
            all.putAll(second);
            assertThat(all.keySet()).as("only sent messages").containsAll(received.keySet());
            assertIntact(received, all);
            List<Long> again =
                    received.keySet().stream().filter(first::containsKey).toList();
            for (Long id : again) {
                Sent s = first.get(id);
                assertThat(s.offset())
                        .as("redelivered %s lies after the last commit of %s", id, s.partition())
                        .isGreaterThanOrEqualTo(committed.get(s.partition()));
            }
            LOG.info(
                    "after the move to Imago, {} of the {} messages consumed by the original client were delivered"
                            + " again (committed offsets {})",
                    again.size(),
                    first.size(),
                    committed);
        }
    }

    /** The group's committed offsets of every partition of {@code topic}, read as MetaQ writes them: msgId-offset. */
    private static Map<String, Long> committedOffsets(String group, String topic) throws Exception {
        Map<String, String> raw = GroupView.offsets(CLUSTER.cluster().zk(), group, topic);
        assertThat(partitions(1)).as("committed partitions").containsAll(raw.keySet());
        if (raw.size() < PARTITIONS) {
            LOG.info("the original consumers left offsets of {} partitions only: {}", raw.size(), raw);
        }
        Map<String, Long> offsets = new HashMap<>();
        raw.forEach((partition, text) -> {
            assertThat(text).as("offset node of %s", partition).matches("-?\\d+-\\d+");
            offsets.put(partition, Long.parseLong(text.substring(text.lastIndexOf('-') + 1)));
        });
        return offsets;
    }

    /** Waits until the Imago group received every id of {@code ids}; returns every reception by id. */
    private static Map<Long, List<ImagoConsumerGroup.Received>> awaitDelivered(
            ImagoConsumerGroup group, Set<Long> ids) {
        await("all " + ids.size() + " messages at the Imago group")
                .atMost(DELIVERY_TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> group.ids().containsAll(ids));
        return group.byId();
    }

    /** Every reception came from the partition its message was sent to, with its attribute and data. */
    private static void assertIntact(Map<Long, List<ImagoConsumerGroup.Received>> received, Map<Long, Sent> sent) {
        assertThat(sent.keySet()).as("only sent messages").containsAll(received.keySet());
        received.forEach((id, deliveries) -> {
            Sent s = sent.get(id);
            for (ImagoConsumerGroup.Received r : deliveries) {
                assertThat(r.partition()).as("partition of %s", id).isEqualTo(s.partition());
                String attribute = r.attribute() == null
                        ? "-"
                        : Base64.getEncoder().encodeToString(r.attribute().getBytes(StandardCharsets.UTF_8));
                assertThat(Outgoing.fingerprint(
                                attribute, Integer.toString(r.data().length), Outgoing.sha256(r.data())))
                        .as("message %s", id)
                        .isEqualTo(s.message().fingerprint());
            }
        });
    }

    /** Sends {@code messages} with Imago's producer ({@code imago-client}) in this JVM. */
    private static Map<Long, Sent> produceWithImago(String topic, List<Outgoing> messages) throws Exception {
        io.imago.client.MetaClientConfig config = new io.imago.client.MetaClientConfig();
        config.setZkConnect(CLUSTER.cluster().zkConnect());
        io.imago.client.MetaMessageSessionFactory factory = new io.imago.client.MetaMessageSessionFactory(config);
        Map<Long, Sent> sent = new LinkedHashMap<>();
        try {
            io.imago.client.producer.MessageProducer producer = factory.createProducer();
            producer.publish(topic);
            for (Outgoing m : messages) {
                io.imago.Message message = new io.imago.Message(topic, m.data(), m.attribute());
                io.imago.client.producer.SendResult result = producer.sendMessage(message);
                assertThat(result.isSuccess()).as(result.getErrorMessage()).isTrue();
                sent.put(message.getId(), new Sent(result.getPartition().toString(), result.getOffset(), m));
            }
        } finally {
            factory.shutdown();
        }
        assertThat(sent).as("distinct message ids").hasSize(messages.size());
        return sent;
    }

    /** What a producer reported for one message. */
    record Sent(String partition, long offset, Outgoing message) {}

    private DriverProcess driver(String... args) {
        String name = "driver-" + DRIVER_COUNT.incrementAndGet() + "-" + args[0] + ".log";
        DriverProcess driver = OriginalClient.launch(CLUSTER.cluster().logDir().resolve(name), args);
        drivers.add(driver);
        return driver;
    }

    /** Sends {@code messages} with the original producer; every send must succeed. Keyed by message id. */
    private Map<Long, Sent> produce(String topic, List<Outgoing> messages) throws Exception {
        DriverProcess producer = driver("produce", CLUSTER.cluster().zkConnect(), topic);
        for (Outgoing message : messages) {
            producer.send(message.produceLine());
        }
        producer.closeInput();
        producer.awaitSuccess(Duration.ofSeconds(60));
        List<String[]> results = producer.lines("SENT");
        assertThat(results)
                .hasSize(messages.size())
                .allSatisfy(f -> assertThat(f[1]).as(String.join(" ", f)).isEqualTo("ok"));
        Map<Long, Sent> sent = new LinkedHashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            String[] f = results.get(i);
            sent.put(Long.parseLong(f[4]), new Sent(f[2], Long.parseLong(f[3]), messages.get(i)));
        }
        assertThat(sent).as("distinct message ids").hasSize(messages.size());
        return sent;
    }

    private DriverProcess consumers(String topic, String group, int n, int maxSize) {
        DriverProcess driver = driver(
                "consume", CLUSTER.cluster().zkConnect(), topic, group, Integer.toString(n), Integer.toString(maxSize));
        driver.awaitLine("READY", Duration.ofSeconds(30));
        return driver;
    }

    /** Waits until {@code consumers} distinct consumers of the group own all {@code partitions} (spec §4.4). */
    private static void awaitBalanced(String group, String topic, int consumers, int partitions) {
        String owners = "/meta/consumers/" + group + "/owners/" + topic;
        await(group + " balanced").atMost(Duration.ofSeconds(30)).until(() -> {
            if (CLUSTER.cluster().zk().checkExists().forPath(owners) == null) {
                return false;
            }
            Set<String> ownerIds = new HashSet<>();
            List<String> children = CLUSTER.cluster().zk().getChildren().forPath(owners);
            for (String child : children) {
                byte[] data = CLUSTER.cluster().zk().getData().forPath(owners + "/" + child);
                ownerIds.add(new String(data, StandardCharsets.UTF_8));
            }
            return children.size() == partitions && ownerIds.size() == consumers;
        });
    }

    /**
     * Waits until the consumer driver received every sent message, then checks each one arrived
     * from the partition it was sent to with its attribute and data intact. Redeliveries (the
     * original may redeliver after a rebalance) are allowed; returns the receptions by id.
     */
    private static Map<Long, List<String[]>> awaitDelivered(DriverProcess consumer, Map<Long, Sent> sent) {
        await("all " + sent.size() + " messages at " + consumer)
                .atMost(DELIVERY_TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> byId(consumer).keySet().containsAll(sent.keySet()));
        Map<Long, List<String[]>> received = byId(consumer);
        assertThat(received.keySet()).as("only sent messages").isEqualTo(sent.keySet());
        received.forEach((id, lines) -> {
            Sent s = sent.get(id);
            for (String[] f : lines) {
                assertThat(f[2]).as("partition of %s", id).isEqualTo(s.partition());
                assertThat(Outgoing.fingerprint(f[4], f[5], f[6]))
                        .as("message %s", id)
                        .isEqualTo(s.message().fingerprint());
            }
        });
        return received;
    }

    private static Map<Long, List<String[]>> byId(DriverProcess consumer) {
        Map<Long, List<String[]>> byId = new HashMap<>();
        for (String[] f : consumer.lines("RECV")) {
            byId.computeIfAbsent(Long.parseLong(f[3]), id -> new ArrayList<>()).add(f);
        }
        return byId;
    }

    private static Map<String, String> stats(DriverProcess stats, String item, String address) {
        Map<String, String> values = stats.lines("STAT").stream()
                .filter(f -> f[1].equals(item) && f[2].equals(address))
                .collect(Collectors.toMap(f -> f[3], f -> f[4], (x, y) -> y, LinkedHashMap::new));
        assertThat(values).as("stats %s of %s", item, address).isNotEmpty();
        return values;
    }

    private static List<String> partitions(int brokerId) {
        return IntStream.range(0, PARTITIONS).mapToObj(p -> brokerId + "-" + p).toList();
    }
}
