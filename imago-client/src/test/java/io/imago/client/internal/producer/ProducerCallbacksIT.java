package io.imago.client.internal.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.client.MessageSessionFactory;
import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendMessageCallback;
import io.imago.client.producer.SendResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Where send callbacks run, against a real broker (issue 12: callbacks off the I/O threads). */
@Timeout(120)
class ProducerCallbacksIT {
    private static final String TOPIC = "callbacks";

    @RegisterExtension
    static final BrokerHarnessExtension BROKER =
            BrokerHarnessExtension.of("", "[topic=" + TOPIC + "]\nnumPartitions=2");

    static MessageSessionFactory factory;

    @AfterAll
    static void stop() throws Exception {
        if (factory != null) {
            factory.shutdown();
        }
    }

    private static Message message(String text) {
        return new Message(TOPIC, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A callback may send synchronously: its reply must not wait for a callback thread (they may all
     * be inside such callbacks), and no callback runs on a network thread.
     */
    @Test
    void aSynchronousSendInsideEveryCallbackCompletesAndNoCallbackRunsOnAnIoThread() throws Exception {
        MetaClientConfig c = new MetaClientConfig();
        c.setZkConnect(BROKER.harness().zkConnect());
        c.setZkSessionTimeoutMs(5_000);
        c.setZkConnectionTimeoutMs(5_000);
        c.setZkSyncTimeMs(500);
        factory = new MetaMessageSessionFactory(c);
        MessageProducer producer = factory.createProducer();
        producer.publish(TOPIC);
        SimpleMessageProducer simple = (SimpleMessageProducer) producer;
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            SendResult r = producer.sendMessage(message("warm-up"));
            assertThat(r.isSuccess()).as(r.toString()).isTrue();
            return simple.batchesSent() > 0;
        });
        int n = 8 * Math.max(2, Runtime.getRuntime().availableProcessors());
        AtomicInteger innerSent = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int i = 0; i < n; i++) {
            producer.sendMessage(
                    message("outer-" + i),
                    new SendMessageCallback() {
                        @Override
                        public void onMessageSent(SendResult result) {
                            threads.add(Thread.currentThread().getName());
                            try {
                                if (producer.sendMessage(message("inner"), 10, TimeUnit.SECONDS)
                                        .isSuccess()) {
                                    innerSent.incrementAndGet();
                                }
                            } catch (Exception e) {
                                errors.add(e);
                            }
                        }

                        @Override
                        public void onException(Throwable e) {
                            errors.add(e);
                        }
                    },
                    30,
                    TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> innerSent.get() + errors.size() >= n);
        assertThat(errors).isEmpty();
        assertThat(innerSent.get()).isEqualTo(n);
        assertThat(threads).allMatch(t -> t.startsWith("imago-client-callback-"), "a callback thread");
    }
}
