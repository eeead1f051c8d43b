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
import io.imago.client.producer.MessageProducer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 10 against a real broker and ZooKeeper: a listener that does not return. Its consumer
 * gives up its partitions once the call passes {@code maxListenerTimeInMills} and leaves the group, so
 * another member delivers the message it hung on and everything after; its {@code shutdown()} returns
 * after {@code shutdownTimeoutInMills} although the call still runs.
 */
@Timeout(90)
@LeavesNoConsumerThreads
class HungListenerIT {
    private static final String TOPIC = "hung";

    @RegisterExtension
    static final BrokerHarnessExtension BROKER = BrokerHarnessExtension.of("", "[topic=hung]\nnumPartitions=4");

    @TempDir
    Path dir;

    /** A listener stuck where an interrupt does not reach it (a busy loop, blocking I/O). */
    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (latch.getCount() > 0) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aHungListenerLosesItsPartitionsToTheGroupAndDoesNotBlockShutdown() throws Exception {
        MetaMessageSessionFactory factory =
                new MetaMessageSessionFactory(zkClient(BROKER.harness().zkConnect()));
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong hungOn = new AtomicLong(-1);
        ConsumerTesting.Counting delivered = new ConsumerTesting.Counting();
        try {
            MessageProducer producer = factory.createProducer();
            producer.publish(TOPIC);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> factory.getPartitionsForTopic(TOPIC).size() == 4);

            ConsumerConfig hangingConfig = consumerConfig("hung-group", dir.resolve("a"));
            hangingConfig.setMaxListenerTimeInMills(1_500);
            hangingConfig.setShutdownTimeoutInMills(1_000);
            MessageConsumer hanging = factory.createConsumer(hangingConfig);
            hanging.subscribe(TOPIC, 1 << 20, new ConsumerTesting.Counting() {
                @Override
                public void receiveMessages(Message message) throws Exception {
                    if (hungOn.compareAndSet(-1, message.getId())) {
                        awaitIgnoringInterrupts(release); // never returns until the test ends
                    }
                    delivered.receiveMessages(message);
                }
            });
            hanging.completeSubscribe();

            List<Long> ids = send(producer, TOPIC, "m", 20);
            await("the listener hanging").atMost(Duration.ofSeconds(20)).until(() -> hungOn.get() != -1);

            MessageConsumer other = factory.createConsumer(consumerConfig("hung-group", dir.resolve("b")));
            other.subscribe(TOPIC, 1 << 20, delivered);
            other.completeSubscribe();

            await("every message delivered, the one the listener hung on by the other consumer")
                    .atMost(Duration.ofSeconds(40))
                    .until(() -> delivered.seen.keySet().containsAll(ids));

            long started = System.nanoTime();
            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> {
                try {
                    hanging.shutdown();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            shutdown.get(20, TimeUnit.SECONDS);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(release.getCount()).as("the listener still hangs").isEqualTo(1);
            System.out.printf("hung listener: shutdown returned after %d ms%n", tookMs);
            other.shutdown();
            producer.shutdown();
        } finally {
            release.countDown();
            factory.shutdown();
        }
    }
}
