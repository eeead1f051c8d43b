package io.imago.client;

import static io.imago.client.ConsumerTesting.bytes;
import static io.imago.client.ConsumerTesting.consumerConfig;
import static io.imago.client.ConsumerTesting.zkClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarness;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.client.consumer.storage.LocalOffsetStorage;
import io.imago.client.internal.consumer.SimpleMessageConsumer;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.client.testing.LogCapture;
import io.imago.client.testing.ScriptedBroker;
import io.imago.consumer.ConsumerMessageFilter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetch path under faults (issue 12): a record that stays corrupt on the broker's disk, a listener
 * that throws a JVM error, a filter that throws, a 301 that does not move the offset, a record whose
 * length field is corrupt. Each must end in a bounded number of attempts, one report, and consumption
 * going on (or, where it cannot, one clear report of where it is stuck). Against a real broker and
 * ZooKeeper, except the 301 that no real broker sends (a {@link ScriptedBroker}).
 */
@Timeout(120)
@LeavesNoConsumerThreads
class FetchFaultsIT {
    static final List<String> TOPIC_NAMES = List.of("stuckcrc", "vmerror", "filterthrows", "badlength");

    @RegisterExtension
    static final BrokerHarnessExtension BROKER = BrokerHarnessExtension.of(
            "",
            TOPIC_NAMES.stream()
                    .map(t -> "[topic=" + t + "]\nnumPartitions=1\n")
                    .collect(Collectors.joining()));

    @TempDir
    static Path dir;

    static MetaMessageSessionFactory factory;

    @BeforeAll
    static void start() throws Exception {
        factory = new MetaMessageSessionFactory(zkClient(BROKER.harness().zkConnect()));
    }

    @AfterAll
    static void stop() throws Exception {
        ConsumerTesting.shutdown(factory);
    }

    /**
     * More messages than the id cache holds (4,096) sit before a record that is corrupt on disk and
     * stays so: after one resynchronisation finds it again, it is skipped and reported once (log,
     * counter, the dead-letter hook with its exact range); nothing below the position is delivered
     * again and the messages after it arrive.
     */
    @Test
    void aRecordThatStaysCorruptIsSkippedOnceReportedAndNothingIsRedelivered() throws Exception {
        MessageProducer producer = producer("stuckcrc");
        int before = 4_200;
        List<CompletableFuture<SendResult>> sends = new ArrayList<>();
        for (int i = 0; i < before; i++) {
            sends.add(producer.sendMessageAsync(new Message("stuckcrc", bytes("m-" + i))));
        }
        for (CompletableFuture<SendResult> s : sends) {
            assertThat(s.get().isSuccess()).isTrue();
        }
        SendResult bad = producer.sendMessage(new Message("stuckcrc", bytes("bad")));
        List<Long> after = ConsumerTesting.send(producer, "stuckcrc", "after", 2);
        flipByte("stuckcrc", bad.getOffset() + 20); // first payload byte: the checksum fails
        List<String> skipped = new CopyOnWriteArrayList<>();
        ConsumerConfig config = consumerConfig("stuckcrc", dir);
        config.setCorruptRecordHandler((topic, partition, start, end, reason) ->
                skipped.add(topic + "/" + partition + " [" + start + ", " + end + ")"));
        ConsumerTesting.Counting listener = new ConsumerTesting.Counting();
        try (LogCapture log = LogCapture.of("io.imago.client")) {
            MessageConsumer c = consume(config, "stuckcrc", listener, null);
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> listener.messages.size() >= before + 2);
                assertThat(listener.duplicates()).as("messages delivered again").isZero();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> listener.seen.keySet().containsAll(after));
                assertThat(listener.messages).hasSize(before + 2);
                assertThat(skipped)
                        .containsExactly("stuckcrc/" + bad.getPartition() + " [" + bad.getOffset() + ", "
                                + (bad.getOffset() + 20 + "bad".length()) + ")");
                SimpleMessageConsumer impl = (SimpleMessageConsumer) c;
                assertThat(impl.fetchManager().resyncCount()).isEqualTo(1);
                assertThat(impl.fetchManager().skippedRecordCount()).isEqualTo(1);
                assertThat(log.warnings("Skipped corrupt record"))
                        .singleElement()
                        .asString()
                        .contains("[" + bad.getOffset() + ", " + (bad.getOffset() + 23) + ")");
            } finally {
                c.shutdown();
                producer.shutdown();
            }
        }
    }

    /**
     * A listener that throws a JVM error (here a StackOverflowError) on one message: the message is
     * retried with back-off like any failure, then kept in the recover store, reported once, and the
     * partition moves on.
     */
    @Test
    void aJvmErrorFromTheListenerIsRetriedWithBackOffThenRecovered() throws Exception {
        MessageProducer producer = producer("vmerror");
        ConsumerTesting.send(producer, "vmerror", "before", 1);
        producer.sendMessage(new Message("vmerror", bytes("bad")));
        List<Long> after = ConsumerTesting.send(producer, "vmerror", "after", 1);
        AtomicInteger fetchCalls = new AtomicInteger();
        ConsumerTesting.Counting listener = new ConsumerTesting.Counting() {
            @Override
            public void receiveMessages(Message message) throws Exception {
                if (text(message).equals("bad")
                        && Thread.currentThread().getName().startsWith("imago-fetch-")) {
                    fetchCalls.incrementAndGet();
                    throw new StackOverflowError("listener blew its stack");
                }
                super.receiveMessages(message);
            }
        };
        ConsumerConfig config = consumerConfig("vmerror", dir);
        config.setMaxFetchRetries(2);
        try (LogCapture log = LogCapture.of("io.imago.client")) {
            MessageConsumer c = consume(config, "vmerror", listener, null);
            try {
                SimpleMessageConsumer impl = (SimpleMessageConsumer) c;
                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() -> assertThat(impl.fetchManager().recoveredCount())
                                .as("recovered (listener called %s times on 'bad')", fetchCalls)
                                .isEqualTo(1));
                assertThat(fetchCalls).hasValue(3); // the delivery and 2 retries
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> listener.seen.keySet().containsAll(after)
                                && listener.messages.stream().anyMatch(m -> text(m).equals("bad")));
                assertThat(log.warnings("StackOverflowError")).hasSize(1);
            } finally {
                c.shutdown();
                producer.shutdown();
            }
        }
    }

    /** A filter that throws on one message: retried with back-off, then recovered, reported once. */
    @Test
    void aFilterThatThrowsIsRetriedWithBackOffThenTheMessageIsRecovered() throws Exception {
        MessageProducer producer = producer("filterthrows");
        ConsumerTesting.send(producer, "filterthrows", "before", 1);
        producer.sendMessage(new Message("filterthrows", bytes("bad")));
        List<Long> after = ConsumerTesting.send(producer, "filterthrows", "after", 1);
        AtomicInteger filterCalls = new AtomicInteger();
        ConsumerMessageFilter filter = (group, m) -> {
            if (text(m).equals("bad")) {
                filterCalls.incrementAndGet();
                throw new IllegalArgumentException("filter cannot read this one");
            }
            return true;
        };
        ConsumerConfig config = consumerConfig("filterthrows", dir);
        config.setMaxFetchRetries(2);
        ConsumerTesting.Counting listener = new ConsumerTesting.Counting();
        try (LogCapture log = LogCapture.of("io.imago.client")) {
            MessageConsumer c = consume(config, "filterthrows", listener, filter);
            try {
                SimpleMessageConsumer impl = (SimpleMessageConsumer) c;
                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() -> assertThat(impl.fetchManager().recoveredCount())
                                .as("recovered (filter called %s times on 'bad')", filterCalls)
                                .isEqualTo(1));
                assertThat(filterCalls).hasValue(3);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> listener.seen.keySet().containsAll(after));
                assertThat(log.warnings("filter cannot read this one")).hasSize(1);
            } finally {
                c.shutdown();
                producer.shutdown();
            }
        }
    }

    /**
     * A corrupt length field (outside the CRC) makes a record look bigger than anything the broker
     * will send: the fetch size grows to its bound, then the partition and offset are reported stuck,
     * once, and the partition is fetched with back-off instead of in a loop.
     */
    @Test
    void aRecordWhoseLengthCannotBeFetchedIsReportedStuckOnce() throws Exception {
        MessageProducer producer = producer("badlength");
        List<Long> before = ConsumerTesting.send(producer, "badlength", "before", 2);
        SendResult bad = producer.sendMessage(new Message("badlength", bytes("bad")));
        ConsumerTesting.send(producer, "badlength", "after", 1);
        writeInt("badlength", bad.getOffset(), 0x7F00_0000); // the length field: ~2 GiB
        ConsumerConfig config = consumerConfig("badlength", dir);
        config.setMaxIncreaseFetchDataRetries(1);
        ConsumerTesting.Counting listener = new ConsumerTesting.Counting();
        String where = "badlength/" + bad.getPartition() + " is stuck at offset " + bad.getOffset();
        try (LogCapture log = LogCapture.of("io.imago.client")) {
            MessageConsumer c = consume(config, "badlength", listener, null);
            try {
                SimpleMessageConsumer impl = (SimpleMessageConsumer) c;
                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() -> assertThat(log.warnings(where)).hasSize(1));
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> impl.fetchManager().stuckAnswerCount() >= 3);
                assertThat(log.warnings(where)).hasSize(1);
                assertThat(listener.seen.keySet()).containsExactlyInAnyOrderElementsOf(before);
            } finally {
                c.shutdown();
                producer.shutdown();
            }
        }
    }

    /**
     * A record longer than the broker's transfer limit (written under a larger maxMessageSize, served
     * after a restart with a smaller one) can never be sent whole: the fetch size grows to what the
     * broker sends, then the partition is reported stuck there, once.
     */
    @Test
    void aRecordLongerThanTheBrokersTransferLimitIsReportedStuckOnce(@TempDir Path own) throws Exception {
        String sections = "[topic=oversized]\nnumPartitions=1\n";
        try (BrokerHarness h = BrokerHarness.start(own, "", sections)) {
            MetaMessageSessionFactory f = new MetaMessageSessionFactory(zkClient(h.zkConnect()));
            try {
                MessageProducer producer = f.createProducer();
                producer.publish("oversized");
                List<Long> before = ConsumerTesting.send(producer, "oversized", "before", 1);
                SendResult big = producer.sendMessage(
                        new Message("oversized", new byte[2 * 1024 * 1024]), 10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(big.isSuccess()).as(big.toString()).isTrue();
                ConsumerTesting.send(producer, "oversized", "after", 1);
                producer.shutdown();
                h.stopBroker();
                h.restartBrokerOnSamePort("maxMessageSize=524288\nmaxTransferSize=524288", sections);
                ConsumerConfig config = consumerConfig("oversized", own);
                config.setMaxIncreaseFetchDataRetries(1);
                ConsumerTesting.Counting listener = new ConsumerTesting.Counting();
                String where = "oversized/" + big.getPartition() + " is stuck at offset " + big.getOffset();
                try (LogCapture log = LogCapture.of("io.imago.client")) {
                    MessageConsumer c = f.createConsumer(config);
                    c.subscribe("oversized", 64 * 1024, listener);
                    c.completeSubscribe();
                    try {
                        SimpleMessageConsumer impl = (SimpleMessageConsumer) c;
                        await().atMost(Duration.ofSeconds(30))
                                .untilAsserted(
                                        () -> assertThat(log.warnings(where)).hasSize(1));
                        await().atMost(Duration.ofSeconds(20))
                                .until(() -> impl.fetchManager().stuckAnswerCount() >= 3);
                        assertThat(log.warnings(where))
                                .singleElement()
                                .asString()
                                .contains("declares 2097172 bytes");
                        assertThat(listener.seen.keySet()).containsExactlyInAnyOrderElementsOf(before);
                    } finally {
                        c.shutdown();
                    }
                }
            } finally {
                f.shutdown();
            }
        }
    }

    /**
     * A broker answering 301 with the very offset asked for (no real broker does; a scripted one):
     * the consumer backs off instead of asking again at once, and reports it once.
     */
    @Test
    void aMoveToTheSameOffsetIsBackedOffAndReportedOnce() throws Exception {
        AtomicInteger gets = new AtomicInteger();
        try (ScriptedBroker broker = ScriptedBroker.start(0, line -> {
                    String[] t =
                            line.split(" "); // get <topic> <group> <partition> <offset> <maxSize> [maxWaitMs] <opaque>
                    if (t[0].equals("get")) {
                        gets.incrementAndGet();
                        return Optional.of(ScriptedBroker.result(line, 301, t[4]));
                    }
                    return t[0].equals("version")
                            ? Optional.of(ScriptedBroker.result(line, 200, "scripted"))
                            : Optional.empty();
                });
                LogCapture log = LogCapture.of("io.imago.client")) {
            MetaClientConfig client = new MetaClientConfig();
            client.setServerUrl(broker.url());
            client.setZkConfig(null);
            MessageSessionFactory direct = new MetaMessageSessionFactory(client);
            try {
                ConsumerConfig config = consumerConfig("moved", dir);
                config.setPartition("0-0");
                config.setMaxDelayFetchTimeInMills(500);
                MessageConsumer c = direct.createConsumer(config, new LocalOffsetStorage(dir.resolve("moved-offsets")));
                c.subscribe("moved", 64 * 1024, new ConsumerTesting.Counting());
                c.completeSubscribe();
                try {
                    await().atMost(Duration.ofSeconds(10)).until(() -> gets.get() >= 1);
                    int first = gets.get();
                    await().during(Duration.ofSeconds(2))
                            .atMost(Duration.ofSeconds(5))
                            .until(() -> gets.get() - first < 40);
                    assertThat(log.warnings("301")).hasSize(1);
                } finally {
                    c.shutdown();
                }
            } finally {
                direct.shutdown();
            }
        }
    }

    static MessageProducer producer(String topic) {
        MessageProducer p = factory.createProducer();
        p.publish(topic);
        return p;
    }

    static MessageConsumer consume(
            ConsumerConfig config, String topic, MessageListener listener, ConsumerMessageFilter filter)
            throws Exception {
        MessageConsumer c = factory.createConsumer(config);
        c.subscribe(topic, 64 * 1024, listener, filter);
        c.completeSubscribe();
        return c;
    }

    static String text(Message m) {
        return new String(m.getData(), StandardCharsets.UTF_8);
    }

    private static Path segment(String topic) {
        return BROKER.harness().dataDir().resolve(topic + "-0").resolve(String.format("%020d.meta", 0));
    }

    /** Inverts one byte of the topic's first segment, as a disk error would. */
    private static void flipByte(String topic, long at) throws Exception {
        try (FileChannel ch = FileChannel.open(segment(topic), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) ~b.get(0)).rewind();
            ch.write(b, at);
        }
    }

    private static void writeInt(String topic, long at, int value) throws Exception {
        try (FileChannel ch = FileChannel.open(segment(topic), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).putInt(0, value), at);
        }
    }
}
