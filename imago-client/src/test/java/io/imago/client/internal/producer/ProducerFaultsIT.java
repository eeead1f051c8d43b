package io.imago.client.internal.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.broker.BrokerHarness;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.client.MessageSessionFactory;
import io.imago.client.MetaClientConfig;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.TopicBrowser;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.exception.MessageNotSentException;
import io.imago.exception.MetaClientException;
import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FaultInjectingStorageIo.FsyncGate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The producer under faults of a real broker (issue 12): a broker whose fsyncs are held back (so puts
 * wait for their replies). What a failed send reports must say whether the message may have been
 * stored.
 */
@Timeout(90)
class ProducerFaultsIT {
    private static final String TOPIC = "faults";

    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();
    private final List<MessageSessionFactory> factories = new ArrayList<>();
    private FsyncGate gate;

    @AfterEach
    void stop() throws Exception {
        if (gate != null) {
            gate.open(); // a held fsync would keep the broker from closing
        }
        for (MessageSessionFactory f : factories) {
            f.shutdown();
        }
    }

    private MessageSessionFactory factory(BrokerHarness broker, int maxInFlight) throws MetaClientException {
        MetaClientConfig c = new MetaClientConfig();
        c.setZkConnect(broker.zkConnect());
        c.setZkSessionTimeoutMs(5_000);
        c.setZkConnectionTimeoutMs(5_000);
        c.setZkSyncTimeMs(500);
        c.setPutBatchMaxInFlight(maxInFlight);
        MessageSessionFactory f = new MetaMessageSessionFactory(c);
        factories.add(f);
        return f;
    }

    /** A broker of one partition of {@link #TOPIC} whose fsyncs the test can hold; a producer batching to it. */
    private MessageProducer batchingProducerOnAHoldableBroker(FaultInjectingStorageIo io) throws Exception {
        BrokerHarness broker = brokers.start("", "[topic=" + TOPIC + "]\nnumPartitions=1", io);
        MessageProducer producer = factory(broker, 1).createProducer();
        producer.publish(TOPIC);
        SimpleMessageProducer simple = (SimpleMessageProducer) producer;
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            SendResult r = producer.sendMessage(message("warm-up"));
            assertThat(r.isSuccess()).as(r.toString()).isTrue();
            return simple.batchesSent() > 0;
        });
        return producer;
    }

    private static Message message(String text) {
        return new Message(TOPIC, text.getBytes(StandardCharsets.UTF_8));
    }

    private List<String> stored(MessageSessionFactory f) {
        List<String> all = new ArrayList<>();
        TopicBrowser browser = f.createTopicBrowser(TOPIC, 1024 * 1024, 5, TimeUnit.SECONDS);
        browser.iterator().forEachRemaining(m -> all.add(new String(m.getData(), StandardCharsets.UTF_8)));
        browser.shutdown();
        all.removeIf("warm-up"::equals);
        return all;
    }

    private static Throwable failure(CompletableFuture<SendResult> f) {
        assertThat(f).failsWithin(20, TimeUnit.SECONDS);
        try {
            f.get();
            throw new AssertionError("unreachable");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Item 5: a message whose timeout passed while its batch waited behind a slow one is not sent. */
    @Test
    void aBatchWhoseTimeoutPassedWhileQueuedFailsAsNotSentAndIsNotStored() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        MessageProducer producer = batchingProducerOnAHoldableBroker(io);
        gate = io.holdFsyncs();
        CompletableFuture<SendResult> first = producer.sendMessageAsync(message("first"), 30, TimeUnit.SECONDS);
        assertThat(gate.awaitHeld(20, TimeUnit.SECONDS)).as("the first batch waits for its fsync").isTrue();
        long queuedAt = System.nanoTime();
        CompletableFuture<SendResult> late = producer.sendMessageAsync(message("late"), 300, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> System.nanoTime() - queuedAt > TimeUnit.MILLISECONDS.toNanos(500));
        gate.open();
        assertThat(first).succeedsWithin(20, TimeUnit.SECONDS).matches(SendResult::isSuccess);
        await().atMost(Duration.ofSeconds(20)).until(late::isDone);
        // a later send on the same partition: once it is acknowledged, anything sent before it is stored
        assertThat(producer.sendMessage(message("after"), 20, TimeUnit.SECONDS).isSuccess()).isTrue();
        assertThat(stored(factories.get(0))).as("what the broker stored").containsExactly("first", "after");
        assertThat(failure(late)).isInstanceOf(MessageNotSentException.class);
    }
}
