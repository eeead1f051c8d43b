package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.Message;
import io.imago.broker.BrokerHarness;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.client.internal.remoting.RemotingConfig;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.client.testing.StoredTexts;
import io.imago.exception.MessageNotSentException;
import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FaultInjectingStorageIo.FsyncGate;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12 item 5, the connection's in-flight slots: a put whose timeout passes while it waits for a
 * slot (every slot of the connection taken by puts the broker has not answered) fails as
 * {@link MessageNotSentException} and is never sent, so the broker does not store it.
 */
@Timeout(90)
class InFlightSlotIT {
    private static final String TOPIC = "slots";

    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

    @Test
    void aPutWhoseTimeoutPassesWhileItWaitsForASlotFailsAsNotSentAndIsNotStored() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        BrokerHarness broker = brokers.start("", "[topic=" + TOPIC + "]\nnumPartitions=1", io);
        MetaClientConfig config = ConsumerTesting.zkClient(broker.zkConnect());
        config.setPutBatchEnabled(false); // single puts: one request each
        MetaMessageSessionFactory factory =
                new MetaMessageSessionFactory(config, RemotingConfig.defaults().withMaxInFlightPerConnection(1));
        FsyncGate gate = null;
        try {
            MessageProducer producer = factory.createProducer();
            producer.publish(TOPIC);
            assertThat(producer.sendMessage(message("warm-up"), 20, TimeUnit.SECONDS)
                            .isSuccess())
                    .isTrue();

            gate = io.holdFsyncs();
            CompletableFuture<SendResult> first = producer.sendMessageAsync(message("first"), 30, TimeUnit.SECONDS);
            assertThat(gate.awaitHeld(20, TimeUnit.SECONDS))
                    .as("the first put holds the connection's only slot")
                    .isTrue();
            CompletableFuture<SendResult> waiting =
                    producer.sendMessageAsync(message("waiting"), 300, TimeUnit.MILLISECONDS);
            Throwable failure = failure(waiting);
            gate.open();
            assertThat(first).succeedsWithin(20, TimeUnit.SECONDS).matches(SendResult::isSuccess);
            assertThat(producer.sendMessage(message("after"), 20, TimeUnit.SECONDS)
                            .isSuccess())
                    .isTrue();

            assertThat(failure).isInstanceOf(MessageNotSentException.class);
            assertThat(StoredTexts.of(factory, TOPIC))
                    .as("what the broker stored")
                    .containsExactly("first", "after");
            producer.shutdown();
        } finally {
            if (gate != null) {
                gate.open();
            }
            factory.shutdown();
        }
    }

    private static Message message(String text) {
        return new Message(TOPIC, text.getBytes(StandardCharsets.UTF_8));
    }

    private static Throwable failure(CompletableFuture<SendResult> f) throws InterruptedException {
        try {
            SendResult result = f.get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected a failed send, got " + result);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the send did not end", e);
        }
    }
}
