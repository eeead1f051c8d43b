package io.imago.client;

import static io.imago.client.ConsumerTesting.bytes;
import static io.imago.client.ConsumerTesting.consumerConfig;
import static io.imago.client.ConsumerTesting.send;
import static io.imago.client.ConsumerTesting.zkClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.MessageConsumer;
import io.imago.client.consumer.MessageListener;
import io.imago.client.consumer.storage.LocalOffsetStorage;
import io.imago.client.consumer.storage.ZkOffsetStorage;
import io.imago.client.internal.consumer.SimpleMessageConsumer;
import io.imago.client.internal.storage.RecoverStore;
import io.imago.client.internal.storage.RecoverStoreDescriptor;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.cluster.Partition;
import io.imago.consumer.ConsumerMessageFilter;
import io.imago.consumer.MessageIterator;
import io.imago.exception.MetaClientException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumer features against one real broker (one partition per topic, so delivery order is known) and
 * ZooKeeper: listener failures and the recover store, rollback-only, transactional consumption,
 * filters, a 2 MiB message, empty data, pull {@code get}, broadcast, subscription rules.
 */
@Timeout(60)
@LeavesNoConsumerThreads
class ConsumerFeaturesIT {
    static final int FOUR_MIB = 4 * 1024 * 1024;
    static final String SYSTEM = "maxMessageSize=" + FOUR_MIB + "\nmaxTransferSize=" + FOUR_MIB;
    static final List<String> TOPIC_NAMES = List.of(
            "fail",
            "corrupt",
            "rollbackonly",
            "tx",
            "noack",
            "txmove",
            "txmode",
            "filter",
            "big",
            "empty",
            "pull",
            "broadcast",
            "rules",
            "crc");

    @RegisterExtension
    static final BrokerHarnessExtension BROKER = BrokerHarnessExtension.of(
            SYSTEM,
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

    static MessageProducer producer(String topic) {
        MessageProducer p = factory.createProducer();
        p.publish(topic);
        return p;
    }

    static MessageConsumer consume(
            ConsumerConfig config, String topic, int maxSize, MessageListener listener, ConsumerMessageFilter filter)
            throws Exception {
        MessageConsumer c = factory.createConsumer(config);
        c.subscribe(topic, maxSize, listener, filter);
        c.completeSubscribe();
        return c;
    }

    static String text(Message m) {
        return new String(m.getData(), StandardCharsets.UTF_8);
    }

    /** Fails each message while it has been delivered at most {@code failures} times. */
    static final class Failing extends ConsumerTesting.Counting {
        final Map<String, Integer> failuresOf;

        Failing(Map<String, Integer> failuresOf) {
            this.failuresOf = failuresOf;
        }

        final List<String> succeeded = new CopyOnWriteArrayList<>();

        @Override
        public void receiveMessages(Message message) throws Exception {
            super.receiveMessages(message);
            int attempt = seen.get(message.getId()).get();
            if (attempt <= failuresOf.getOrDefault(text(message), 0)) {
                throw new IllegalStateException("listener failure " + attempt + " on " + text(message));
            }
            succeeded.add(text(message));
        }
    }

    @Test
    void aMessageTheListenerKeepsFailingOnIsRetriedThenStoredAndRedeliveredWhileConsumptionMovesOn() throws Exception {
        MessageProducer producer = producer("fail");
        send(producer, "fail", "ok", 1);
        producer.sendMessage(new Message("fail", bytes("bad")));
        send(producer, "fail", "after", 2);
        Failing listener = new Failing(Map.of("bad", 6)); // 1 delivery + 5 retries fail, the recovered one succeeds
        MessageConsumer c = consume(consumerConfig("failing", dir), "fail", 64 * 1024, listener, null);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> listener.succeeded.contains("bad"));
            SimpleMessageConsumer impl = (SimpleMessageConsumer) c;
            assertThat(listener.succeeded).containsSubsequence("ok-0", "after-0", "after-1", "bad");
            assertThat(listener.seen.values().stream()
                            .mapToInt(AtomicInteger::get)
                            .max()
                            .getAsInt())
                    .isEqualTo(7);
            assertThat(impl.fetchManager().recoveredCount()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> impl.recoverManager().pending("fail") == 0);
            assertThat(impl.recoverManager().redelivered()).isEqualTo(1);
        } finally {
            c.shutdown();
            producer.shutdown();
        }
    }

    @Test
    void aCorruptRecoverEntryIsSkippedAndCountedAndTheOthersAreRedelivered() throws Exception {
        ConsumerConfig config = consumerConfig("corrupting", dir);
        Path recoverDir = Path.of(config.getRecoverDirectory());
        java.nio.file.Files.createDirectories(recoverDir);
        RecoverStore store = new RecoverStore(recoverDir, "corrupt", "corrupting", region -> {});
        store.open();
        store.append(new Message("corrupt", bytes("first-stored")));
        store.append(new Message("corrupt", bytes("second-stored")));
        store.close();
        try (FileChannel ch = FileChannel.open(store.file(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = RecoverStoreDescriptor.FILE_HEADER_SIZE + 24; // inside the first record
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) ~b.get(0)).rewind();
            ch.write(b, at);
        }
        ConsumerTesting.Counting listener = new ConsumerTesting.Counting();
        MessageConsumer c = consume(config, "corrupt", 64 * 1024, listener, null);
        try {
            SimpleMessageConsumer impl = (SimpleMessageConsumer) c;
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> impl.recoverManager().redelivered() == 1);
            assertThat(listener.messages).extracting(ConsumerFeaturesIT::text).containsExactly("second-stored");
            assertThat(impl.recoverManager().corruptEntries()).isEqualTo(1);
        } finally {
            c.shutdown();
        }
    }

    /**
     * A message corrupted on the broker's disk fails its CRC: the consumer resynchronises with
     * {@code offset} (to the segment start), passes over the messages it re-reads, finds the message
     * corrupt again, skips it and goes on; the listener never sees a message twice.
     */
    @Test
    void aCorruptMessageMakesTheConsumerResynchroniseThenSkipItWithoutDeliveringAnythingTwice() throws Exception {
        MessageProducer producer = producer("crc");
        List<SendResult> sent = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Message m = new Message("crc", bytes("crc-" + i));
            sent.add(producer.sendMessage(m));
            ids.add(m.getId());
        }
        Path segment = BROKER.harness().dataDir().resolve("crc-0").resolve(String.format("%020d.meta", 0));
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = sent.get(3).getOffset() + 20; // first data byte of message 3 (no attribute)
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) ~b.get(0)).rewind();
            ch.write(b, at);
        }
        ConsumerTesting.Counting listener = new ConsumerTesting.Counting();
        MessageConsumer c = consume(consumerConfig("crc", dir), "crc", 64 * 1024, listener, null);
        try {
            SimpleMessageConsumer impl = (SimpleMessageConsumer) c;
            await().atMost(Duration.ofSeconds(10)).until(() -> listener.seen.containsKey(ids.get(4)));
            assertThat(listener.seen.keySet())
                    .containsExactlyInAnyOrder(ids.get(0), ids.get(1), ids.get(2), ids.get(4));
            assertThat(listener.duplicates()).isZero();
            assertThat(impl.fetchManager().resyncCount()).isEqualTo(1);
            assertThat(impl.fetchManager().duplicateCount()).isEqualTo(3);
            assertThat(impl.fetchManager().skippedRecordCount()).isEqualTo(1);
        } finally {
            c.shutdown();
            producer.shutdown();
        }
    }

    @Test
    void aMessageMarkedRollbackOnlyIsDeliveredAgain() throws Exception {
        MessageProducer producer = producer("rollbackonly");
        List<Long> ids = send(producer, "rollbackonly", "r", 3);
        ConsumerTesting.Counting listener = new ConsumerTesting.Counting() {
            @Override
            public void receiveMessages(Message message) throws Exception {
                super.receiveMessages(message);
                if (seen.get(message.getId()).get() == 1) {
                    message.setRollbackOnly();
                }
            }
        };
        MessageConsumer c = consume(consumerConfig("rollbackers", dir), "rollbackonly", 64 * 1024, listener, null);
        try {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ids.stream()
                            .allMatch(id -> listener.seen.containsKey(id)
                                    && listener.seen.get(id).get() == 2));
        } finally {
            c.shutdown();
            producer.shutdown();
        }
    }

    /** Transactional: auto-ack off; a rollback rewinds to the last ack, an ack commits everything before. */
    @Test
    void transactionalConsumptionAdvancesOnlyOnAckAndRollbackRewinds() throws Exception {
        MessageProducer producer = producer("tx");
        send(producer, "tx", "tx", 6);
        AtomicInteger rollbacks = new AtomicInteger();
        List<String> order = new CopyOnWriteArrayList<>();
        MessageListener listener = listener(m -> {
            m.getPartition().setAutoAck(false);
            order.add(text(m));
            if (text(m).equals("tx-2") && rollbacks.getAndIncrement() == 0) {
                m.getPartition().rollback();
            } else if (text(m).equals("tx-5")) {
                m.getPartition().ack();
            }
        });
        MessageConsumer c = consume(consumerConfig("tx", dir), "tx", 64 * 1024, listener, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> order.contains("tx-5"));
        c.shutdown();
        assertThat(order).containsExactly("tx-0", "tx-1", "tx-2", "tx-0", "tx-1", "tx-2", "tx-3", "tx-4", "tx-5");
        send(producer, "tx", "later", 1);
        ConsumerTesting.Counting next = new ConsumerTesting.Counting();
        MessageConsumer restarted = consume(consumerConfig("tx", dir), "tx", 64 * 1024, next, null);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> next.messages.size() == 1);
            assertThat(next.messages).extracting(ConsumerFeaturesIT::text).containsExactly("later-0");
        } finally {
            restarted.shutdown();
            producer.shutdown();
        }
    }

    @Test
    void withoutAnAckTheMessagesAreConsumedAgainAfterARestart() throws Exception {
        MessageProducer producer = producer("noack");
        send(producer, "noack", "n", 3);
        List<String> first = new CopyOnWriteArrayList<>();
        MessageConsumer c = consume(
                consumerConfig("noack", dir),
                "noack",
                64 * 1024,
                listener(m -> {
                    m.getPartition().setAutoAck(false);
                    first.add(text(m));
                }),
                null);
        await().atMost(Duration.ofSeconds(10)).until(() -> first.size() == 3);
        c.shutdown();
        ConsumerTesting.Counting again = new ConsumerTesting.Counting();
        MessageConsumer restarted = consume(consumerConfig("noack", dir), "noack", 64 * 1024, again, null);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> again.messages.size() == 3);
            assertThat(again.messages).extracting(ConsumerFeaturesIT::text).containsExactly("n-0", "n-1", "n-2");
        } finally {
            restarted.shutdown();
            producer.shutdown();
        }
    }

    /**
     * Issue 12 item 1: a listener that turns auto-ack off once (on the first message it sees) keeps
     * manual acks when its partition comes back to it (moved away and back): the partition's ack mode
     * survives the re-claim, so the messages it did not ack are not acknowledged by default.
     */
    @Test
    void theAckModeOfAPartitionSurvivesItsComingBack() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean manual = new java.util.concurrent.atomic.AtomicBoolean();
        unackedMessagesComeBackWithTheirPartition("txmode", m -> {
            if (manual.compareAndSet(false, true)) {
                m.getPartition().setAutoAck(false); // once, as an application may
            }
        });
    }

    /**
     * Consumer "b" acks tx-0 and leaves tx-1 and tx-2 unacked; consumer "a" joins (it sorts first, so
     * it takes the one partition) and leaves again without acking; "b" claims the partition back. The
     * unacked messages must come to "b" again (not be dropped by its id cache as duplicates), and the
     * committed position must stay on the last ack.
     */
    @Test
    void unackedMessagesAreDeliveredAgainWhenThePartitionComesBack() throws Exception {
        unackedMessagesComeBackWithTheirPartition(
                "txmove", m -> m.getPartition().setAutoAck(false));
    }

    /**
     * The scenario of both tests above on {@code topic}, "b"'s listener setting its ack mode with
     * {@code ackMode} before it records, and acks tx-0 only.
     */
    private void unackedMessagesComeBackWithTheirPartition(String topic, Body ackMode) throws Exception {
        MessageProducer producer = producer(topic);
        send(producer, topic, "tx", 3);
        List<String> toB = new CopyOnWriteArrayList<>();
        ConsumerConfig configB = consumerConfig(topic, dir);
        configB.setConsumerId("b");
        MessageConsumer b = consume(
                configB,
                topic,
                64 * 1024,
                listener(m -> {
                    ackMode.accept(m);
                    toB.add(text(m));
                    if (text(m).equals("tx-0")) {
                        m.getPartition().ack();
                    }
                }),
                null);
        MessageConsumer a = null;
        MessageConsumer after = null;
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> toB.size() == 3);
            List<String> toA = new CopyOnWriteArrayList<>();
            ConsumerConfig configA = consumerConfig(topic, dir);
            configA.setConsumerId("a");
            a = consume(
                    configA,
                    topic,
                    64 * 1024,
                    listener(m -> {
                        m.getPartition().setAutoAck(false);
                        toA.add(text(m));
                    }),
                    null);
            await().atMost(Duration.ofSeconds(20)).until(() -> toA.size() == 2);
            a.shutdown(); // the partition goes back to "b"
            var fetchOfB = ((SimpleMessageConsumer) b).fetchManager();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> toB.size() + fetchOfB.duplicateCount() >= 5); // tx-1, tx-2 handled again
            assertThat(fetchOfB.duplicateCount())
                    .as("unacked messages dropped as duplicates")
                    .isZero();
            assertThat(toB).containsExactly("tx-0", "tx-1", "tx-2", "tx-1", "tx-2");
            b.shutdown();
            ConsumerTesting.Counting next = new ConsumerTesting.Counting();
            after = consume(consumerConfig(topic, dir), topic, 64 * 1024, next, null);
            await().atMost(Duration.ofSeconds(20)).until(() -> next.messages.size() == 2);
            assertThat(next.messages)
                    .as("delivered from the last ack")
                    .extracting(ConsumerFeaturesIT::text)
                    .containsExactly("tx-1", "tx-2");
        } finally {
            b.shutdown();
            if (a != null) {
                a.shutdown();
            }
            if (after != null) {
                after.shutdown();
            }
            producer.shutdown();
        }
    }

    @Test
    void anAttributeFilterDeliversOnlyAcceptedMessagesAndSkipsTheOthers() throws Exception {
        MessageProducer producer = producer("filter");
        for (int i = 0; i < 10; i++) {
            assertThat(producer.sendMessage(new Message("filter", bytes("f-" + i), i % 2 == 0 ? "keep" : "drop"))
                            .isSuccess())
                    .isTrue();
        }
        producer.sendMessage(new Message("filter", bytes("last"), "keep"));
        ConsumerTesting.Counting listener = new ConsumerTesting.Counting();
        MessageConsumer c = consume(
                consumerConfig("filtering", dir),
                "filter",
                64 * 1024,
                listener,
                (group, m) -> "keep".equals(m.getAttribute()));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> listener.messages.size() == 6);
            assertThat(listener.messages)
                    .extracting(ConsumerFeaturesIT::text)
                    .containsExactly("f-0", "f-2", "f-4", "f-6", "f-8", "last");
        } finally {
            c.shutdown();
            producer.shutdown();
        }
    }

    @Test
    void aTwoMebibyteMessageGrowsTheFetchSizeAndArrivesIntact() throws Exception {
        MessageProducer producer = producer("big");
        byte[] big = new byte[2 * 1024 * 1024];
        new Random(7).nextBytes(big);
        producer.sendMessage(new Message("big", bytes("small-before")));
        assertThat(producer.sendMessage(new Message("big", big), 10, java.util.concurrent.TimeUnit.SECONDS)
                        .isSuccess())
                .isTrue();
        producer.sendMessage(new Message("big", bytes("small-after")));
        ConsumerTesting.Counting listener = new ConsumerTesting.Counting();
        ConsumerConfig config = consumerConfig("big", dir);
        config.setMaxIncreaseFetchDataRetries(1);
        MessageConsumer c = consume(config, "big", 64 * 1024, listener, null);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> listener.messages.size() == 3);
            assertThat(listener.messages.get(0).getData()).isEqualTo(bytes("small-before"));
            assertThat(listener.messages.get(1).getData()).isEqualTo(big);
            assertThat(listener.messages.get(2).getData()).isEqualTo(bytes("small-after"));
        } finally {
            c.shutdown();
            producer.shutdown();
        }
    }

    @Test
    void messagesWithEmptyDataAreDelivered() throws Exception {
        MessageProducer producer = producer("empty");
        producer.sendMessage(new Message("empty", new byte[0]));
        producer.sendMessage(new Message("empty", new byte[0], ""));
        ConsumerTesting.Counting listener = new ConsumerTesting.Counting();
        MessageConsumer c = consume(consumerConfig("empties", dir), "empty", 1024, listener, null);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> listener.messages.size() == 2);
            assertThat(listener.messages).allMatch(m -> m.getData().length == 0);
            assertThat(listener.messages.get(0).hasAttribute()).isFalse();
            assertThat(listener.messages.get(1).getAttribute()).isEmpty();
        } finally {
            c.shutdown();
            producer.shutdown();
        }
    }

    @Test
    void pullGetReturnsTheMessagesAtAnOffsetOrNullPastTheEnd() throws Exception {
        MessageProducer producer = producer("pull");
        List<SendResult> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sent.add(producer.sendMessage(new Message("pull", bytes("p-" + i))));
        }
        MessageConsumer c = factory.createConsumer(consumerConfig("pullers", dir));
        try {
            Partition p = sent.get(0).getPartition();
            MessageIterator it =
                    c.get("pull", p, sent.get(0).getOffset(), 64 * 1024, 5, java.util.concurrent.TimeUnit.SECONDS);
            List<String> read = new ArrayList<>();
            while (it.hasNext()) {
                read.add(text(it.next()));
            }
            assertThat(read).containsExactly("p-0", "p-1", "p-2");
            assertThat(sent.get(0).getOffset() + it.getOffset())
                    .as("MetaQ's relative offset")
                    .isEqualTo(it.nextOffset());
            assertThat(c.get("pull", p, it.nextOffset(), 64 * 1024)).isNull();
        } finally {
            c.shutdown();
            producer.shutdown();
        }
    }

    @Test
    void aBroadcastConsumerHasItsHostsOwnGroupAndGetsEveryMessage() throws Exception {
        MessageProducer producer = producer("broadcast");
        List<Long> ids = send(producer, "broadcast", "b", 5);
        ConsumerConfig config = consumerConfig("bcast", dir);
        ConsumerTesting.Counting listener = new ConsumerTesting.Counting();
        MessageConsumer c =
                factory.createBroadcastConsumer(config, new LocalOffsetStorage(dir.resolve("broadcast-offsets")));
        ConsumerTesting.Counting normal = new ConsumerTesting.Counting();
        MessageConsumer plain = consume(consumerConfig("bcast", dir), "broadcast", 64 * 1024, normal, null);
        try {
            c.subscribe("broadcast", 64 * 1024, listener);
            c.completeSubscribe();
            String ip = io.imago.client.internal.rebalance.ConsumerIdGenerator.localIp();
            assertThat(config.getGroup())
                    .isEqualTo("bcast-" + ip.replace('.', '-').replace(':', '-'));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> listener.seen.keySet().containsAll(ids)
                            && normal.seen.keySet().containsAll(ids));
        } finally {
            c.shutdown();
            plain.shutdown();
            producer.shutdown();
        }
        assertThat(new LocalOffsetStorage(dir.resolve("broadcast-offsets"))
                        .load(
                                "broadcast",
                                config.getGroup(),
                                listener.messages.get(0).getPartition()))
                .isNotNull();
    }

    @Test
    void completeSubscribeRunsOnceAndNeedsASubscription() throws Exception {
        MessageConsumer empty = factory.createConsumer(consumerConfig("rules", dir));
        assertThatThrownBy(empty::completeSubscribe).isInstanceOf(MetaClientException.class);
        empty.shutdown();
        MessageConsumer c = factory.createConsumer(consumerConfig("rules", dir));
        try {
            c.subscribe("rules", 1024, new ConsumerTesting.Counting());
            assertThatThrownBy(() -> c.subscribe("rules", 1024, new ConsumerTesting.Counting()))
                    .isInstanceOf(MetaClientException.class);
            c.completeSubscribe();
            assertThatThrownBy(c::completeSubscribe).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> c.subscribe("other", 1024, new ConsumerTesting.Counting()))
                    .isInstanceOf(MetaClientException.class);
            assertThat(c.getConsumerConfig().getGroup()).isEqualTo("rules");
            assertThat(c.getOffsetStorage()).isInstanceOf(ZkOffsetStorage.class);
        } finally {
            c.shutdown();
        }
        c.shutdown(); // idempotent
        assertThatThrownBy(() -> factory.createConsumer(consumerConfig("bad.group", dir)))
                .isInstanceOf(IllegalArgumentException.class); // as MetaQ's InvalidConsumerConfigException
    }

    interface Body {
        void accept(Message m) throws Exception;
    }

    static MessageListener listener(Body body) {
        return new MessageListener() {
            @Override
            public void receiveMessages(Message message) throws Exception {
                body.accept(message);
            }

            @Override
            public Executor getExecutor() {
                return null;
            }
        };
    }
}
