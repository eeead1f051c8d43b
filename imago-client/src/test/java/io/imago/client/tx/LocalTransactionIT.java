package io.imago.client.tx;

import static io.imago.client.tx.TxTesting.message;
import static io.imago.client.tx.TxTesting.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.broker.BrokerHarnessExtension;
import io.imago.client.ConsumerTesting;
import io.imago.client.MessageSessionFactory;
import io.imago.client.MetaMessageSessionFactory;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.exception.MetaClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Imago producer's local transactions against a real broker (in process) and ZooKeeper. */
@Timeout(120)
class LocalTransactionIT {
    static final String TOPICS = String.join(
            "\n", "[topic=ltx]", "numPartitions=2", "[topic=lrb]", "[topic=lto]", "[topic=lth]", "[topic=lab]");

    @RegisterExtension
    static final BrokerHarnessExtension BROKER = BrokerHarnessExtension.of("", TOPICS);

    static MessageSessionFactory factory;

    @BeforeAll
    static void start() throws Exception {
        factory = new MetaMessageSessionFactory(
                ConsumerTesting.zkClient(BROKER.harness().zkConnect()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (factory != null) {
            factory.shutdown();
        }
    }

    @Test
    void aCommittedTransactionIsStoredOnceAndOnlyAtCommit() throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish("ltx");
        producer.beginTransaction();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            var m = message("ltx", "c" + i);
            SendResult r = producer.sendMessage(m);
            assertThat(r.isSuccess()).as(r.toString()).isTrue();
            assertThat(r.getOffset()).isEqualTo(-1);
            ids.add(m.getId());
        }
        assertThat(stored(factory, "ltx")).as("invisible before the commit").isEmpty();
        producer.commit();
        assertThat(stored(factory, "ltx")).containsExactlyInAnyOrder("c0", "c1", "c2", "c3", "c4", "c5");
        assertThat(ids).doesNotHaveDuplicates().doesNotContain(0L);
    }

    @Test
    void aRolledBackTransactionIsNeverStored() throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish("lrb");
        producer.beginTransaction();
        for (int i = 0; i < 3; i++) {
            assertThat(producer.sendMessage(message("lrb", "r" + i)).isSuccess())
                    .isTrue();
        }
        producer.rollback();
        assertThat(producer.sendMessage(message("lrb", "plain")).isSuccess()).isTrue();
        assertThat(stored(factory, "lrb")).containsExactly("plain");
    }

    @Test
    void theBrokerRollsBackATransactionPastItsTimeout() throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish("lto");
        producer.setTransactionTimeout(1);
        producer.beginTransaction();
        assertThat(producer.sendMessage(message("lto", "t0")).isSuccess()).isTrue();
        // once the broker rolled it back, a put of the transaction is refused (polled on this thread:
        // the transaction is bound to it)
        await().pollInSameThread()
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !producer.sendMessage(message("lto", "probe")).isSuccess());
        assertThatThrownBy(producer::commit).isInstanceOf(MetaClientException.class);
        assertThat(stored(factory, "lto")).isEmpty();
    }

    @Test
    void aTransactionBelongsToTheThreadThatBeganIt() throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish("lth");
        producer.beginTransaction();
        assertThat(producer.sendMessage(message("lth", "in-tx")).isSuccess()).isTrue();
        CountDownLatch otherDone = new CountDownLatch(1);
        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
            try {
                // a thread without a transaction sends plainly (stored at once), and has none to commit
                assertThat(producer.sendMessage(message("lth", "plain")).isSuccess())
                        .isTrue();
                assertThatThrownBy(producer::commit).hasMessage("There is no transaction begun");
                // it may run its own transaction at the same time
                producer.beginTransaction();
                producer.sendMessage(message("lth", "other-tx"));
                producer.rollback();
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                otherDone.countDown();
            }
        });
        other.get(30, TimeUnit.SECONDS);
        assertThat(stored(factory, "lth")).containsExactly("plain");
        producer.commit();
        assertThat(stored(factory, "lth")).containsExactlyInAnyOrder("plain", "in-tx");
    }

    @Test
    void asynchronousSendsInATransactionBelongToIt() throws Exception {
        MessageProducer producer = factory.createProducer();
        producer.publish("lab");
        producer.beginTransaction();
        List<CompletableFuture<SendResult>> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sent.add(producer.sendMessageAsync(message("lab", "a" + i)));
        }
        for (CompletableFuture<SendResult> f : sent) {
            assertThat(f.get(10, TimeUnit.SECONDS).isSuccess()).isTrue();
        }
        assertThat(stored(factory, "lab")).isEmpty();
        producer.commit();
        assertThat(stored(factory, "lab")).containsExactlyInAnyOrder("a0", "a1", "a2", "a3");
    }
}
