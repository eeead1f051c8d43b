package io.imago.client.internal.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.client.MessageSessionFactory;
import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.TopicBrowser;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendMessageCallback;
import io.imago.client.producer.SendResult;
import io.imago.exception.MetaClientException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The producer's {@code putb} batching against a real broker. */
@Timeout(120)
class ProducerBatchIT {
    private static final String TOPICS = String.join(
            "\n",
            "[topic=batched]",
            "numPartitions=4",
            "[topic=single]",
            "numPartitions=2",
            "[topic=mixed]",
            "numPartitions=2");

    @RegisterExtension
    static final BrokerHarnessExtension BROKER = BrokerHarnessExtension.of("", TOPICS);

    static List<MessageSessionFactory> factories = new ArrayList<>();

    @AfterAll
    static void stop() throws Exception {
        for (MessageSessionFactory f : factories) {
            f.shutdown();
        }
    }

    private static MessageSessionFactory factory(boolean batching) throws MetaClientException {
        MetaClientConfig c = new MetaClientConfig();
        c.setZkConnect(BROKER.harness().zkConnect());
        c.setZkSessionTimeoutMs(5_000);
        c.setZkConnectionTimeoutMs(5_000);
        c.setZkSyncTimeMs(500);
        c.setPutBatchEnabled(batching);
        c.setPutBatchMaxInFlight(2);
        c.setPutBatchMaxBytes(8 * 1024); // small batches: many of them, some closed early by the cap
        MessageSessionFactory f = new MetaMessageSessionFactory(c);
        factories.add(f);
        return f;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Message> browse(MessageSessionFactory f, String topic) {
        List<Message> all = new ArrayList<>();
        TopicBrowser browser = f.createTopicBrowser(topic, 1024 * 1024, 5, TimeUnit.SECONDS);
        browser.iterator().forEachRemaining(all::add);
        browser.shutdown();
        return all;
    }

    /** Sends once, synchronously, until the connection's capability answer arrived and a batch went out. */
    private static void awaitBatching(MessageProducer producer, String topic) {
        SimpleMessageProducer simple = (SimpleMessageProducer) producer;
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            SendResult r = producer.sendMessage(new Message(topic, bytes("warm-up")));
            assertThat(r.isSuccess()).as(r.toString()).isTrue();
            return simple.batchesSent() > 0;
        });
    }

    @Test
    void manyAsyncSendsCompleteOnceEachWithTheIdsAndOffsetsTheyAreReadBackWith() throws Exception {
        MessageSessionFactory f = factory(true);
        MessageProducer producer = f.createProducer();
        producer.publish("batched");
        awaitBatching(producer, "batched");
        long batchesBefore = ((SimpleMessageProducer) producer).batchesSent();

        int n = 20_000;
        Map<Integer, Message> sent = new HashMap<>();
        Map<Integer, SendResult> results = new ConcurrentHashMap<>();
        AtomicInteger completions = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<CompletableFuture<SendResult>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Message m = new Message("batched", bytes("message " + i), i % 3 == 0 ? "attr-" + i : null);
            sent.put(i, m);
            int index = i;
            if (i % 2 == 0) {
                producer.sendMessage(m, new SendMessageCallback() {
                    @Override
                    public void onMessageSent(SendResult result) {
                        completions.incrementAndGet();
                        if (results.putIfAbsent(index, result) != null || !result.isSuccess()) {
                            failures.incrementAndGet();
                        }
                    }

                    @Override
                    public void onException(Throwable e) {
                        errors.add(e);
                        completions.incrementAndGet();
                        failures.incrementAndGet();
                    }
                });
            } else {
                futures.add(producer.sendMessageAsync(m).whenComplete((result, e) -> {
                    if (e != null) {
                        errors.add(e);
                    }
                    completions.incrementAndGet();
                    if (e != null || results.putIfAbsent(index, result) != null || !result.isSuccess()) {
                        failures.incrementAndGet();
                    }
                }));
            }
        }
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> completions.get() >= n);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "completions " + completions + " failures " + failures + " lanes "
                            + ((SimpleMessageProducer) producer).describeBatching() + " missing "
                            + java.util.stream.IntStream.range(0, n)
                                    .filter(i -> !results.containsKey(i))
                                    .limit(20)
                                    .boxed()
                                    .toList()
                            + " errors " + errors,
                    e);
        }
        assertThat(failures.get()).isZero();
        assertThat(completions.get()).isEqualTo(n);
        // a callback that threw shows here
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        long batches = ((SimpleMessageProducer) producer).batchesSent() - batchesBefore;
        assertThat(batches).as("putb frames for %d messages", n).isPositive().isLessThan(n / 2);

        Map<Long, Message> byId = sent.values().stream().collect(Collectors.toMap(Message::getId, m -> m));
        assertThat(byId).hasSize(n);
        for (Map.Entry<Integer, SendResult> e : results.entrySet()) {
            Message m = sent.get(e.getKey());
            assertThat(m.getOffset()).isEqualTo(e.getValue().getOffset());
            assertThat(m.getPartition()).isEqualTo(e.getValue().getPartition());
        }
        List<Message> read = browse(f, "batched");
        assertThat(read.stream().filter(m -> !new String(m.getData(), StandardCharsets.UTF_8).equals("warm-up")))
                .hasSize(n)
                .allSatisfy(r -> {
                    Message s = byId.get(r.getId());
                    assertThat(s).as("message %d was sent", r.getId()).isNotNull();
                    assertThat(r.getData()).isEqualTo(s.getData());
                    assertThat(r.getAttribute()).isEqualTo(s.getAttribute());
                    assertThat(r.getPartition()).isEqualTo(s.getPartition());
                    assertThat(r.getOffset()).isEqualTo(s.getOffset());
                });
        assertThat(read).extracting(m -> m.getPartition().getPartition()).containsOnly(0, 1, 2, 3);
    }

    @Test
    void withBatchingOffEverySendIsASinglePut() throws Exception {
        MessageSessionFactory f = factory(false);
        MessageProducer producer = f.createProducer();
        producer.publish("single");
        List<CompletableFuture<SendResult>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            futures.add(producer.sendMessageAsync(new Message("single", bytes("m" + i))));
        }
        for (CompletableFuture<SendResult> future : futures) {
            assertThat(future.get(30, TimeUnit.SECONDS).isSuccess()).isTrue();
        }
        assertThat(((SimpleMessageProducer) producer).batchesSent()).isZero();
        assertThat(browse(f, "single")).hasSize(500);
    }

    @Test
    void aBigMessageGoesAloneAsASinglePutBetweenBatchedOnes() throws Exception {
        MessageSessionFactory f = factory(true);
        MessageProducer producer = f.createProducer();
        producer.publish("mixed");
        awaitBatching(producer, "mixed");
        byte[] big = new byte[20 * 1024]; // above the 8 KiB batch cap
        List<CompletableFuture<SendResult>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            futures.add(producer.sendMessageAsync(new Message("mixed", i == 50 ? big : bytes("small " + i))));
        }
        for (CompletableFuture<SendResult> future : futures) {
            assertThat(future.get(30, TimeUnit.SECONDS).isSuccess()).isTrue();
        }
        assertThat(browse(f, "mixed"))
                .filteredOn(m -> !new String(m.getData(), StandardCharsets.UTF_8).equals("warm-up"))
                .hasSize(100)
                .anySatisfy(m -> assertThat(m.getData()).hasSize(big.length));
    }
}
