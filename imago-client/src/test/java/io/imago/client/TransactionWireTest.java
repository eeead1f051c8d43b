package io.imago.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.Message;
import io.imago.client.internal.transaction.SimpleXid;
import io.imago.client.producer.MessageProducer;
import io.imago.client.producer.SendResult;
import io.imago.client.producer.XAMessageProducer;
import io.imago.client.testing.ScriptedBroker;
import io.imago.exception.MetaClientException;
import io.imago.exception.TransactionInProgressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.zip.CRC32;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The exact lines the producer writes for local and XA transactions (spec section 1.4: the 8-token
 * put, {@code transaction} lines with the timeout only when positive and the qualifier only when not
 * blank), and how it reads the replies, against a scripted broker in direct mode.
 */
@Timeout(30)
class TransactionWireTest {
    static final String SESSION = "[0-9a-fA-F.\\-]+-\\d{13}-\\d+";
    static final String OPAQUE = "-?\\d+";

    /** Overrides of the default replies, by transaction type. */
    final ConcurrentHashMap<String, Function<String, Optional<String>>> overrides = new ConcurrentHashMap<>();

    ScriptedBroker broker;
    XAMetaMessageSessionFactory factory;

    ScriptedBroker start() throws Exception {
        broker = ScriptedBroker.start(0, line -> {
            String[] t = line.split(" ");
            if (t[0].equals("version")) {
                return Optional.of(ScriptedBroker.result(line, 200, "imago"));
            }
            if (t[0].equals("put")) {
                return Optional.of(ScriptedBroker.result(line, 200, "4242 0 -1"));
            }
            if (t[0].equals("transaction")) {
                Function<String, Optional<String>> o = overrides.get(t[3]);
                if (o != null) {
                    return o.apply(line);
                }
                return switch (t[3]) {
                    case "END" -> Optional.empty();
                    case "PREPARE" -> Optional.of(ScriptedBroker.result(line, 200, "0"));
                    default -> Optional.of(ScriptedBroker.result(line, 200, ""));
                };
            }
            return Optional.empty();
        });
        MetaClientConfig config = new MetaClientConfig();
        config.setServerUrl(broker.url());
        factory = new XAMetaMessageSessionFactory(config);
        return broker;
    }

    @AfterEach
    void stop() throws Exception {
        if (factory != null) {
            factory.shutdown();
        }
        if (broker != null) {
            broker.close();
        }
    }

    static Message message(String topic, String data) {
        return new Message(topic, data.getBytes(StandardCharsets.US_ASCII));
    }

    static int checksum(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        return (int) (crc.getValue() & 0x7FFFFFFF);
    }

    List<String> transactionLines() {
        return broker.received().stream()
                .filter(l -> l.startsWith("transaction ") || l.startsWith("put "))
                .toList();
    }

    @Test
    void aLocalTransactionBeginsLazilyPutsWithItsKeyAndCommitsOnePhase() throws Exception {
        start();
        MessageProducer producer = factory.createProducer();
        producer.publish("tx");
        producer.beginTransaction();
        assertThat(transactionLines()).as("BEGIN waits for the first send").isEmpty();
        SendResult r1 = producer.sendMessage(message("tx", "hello"));
        SendResult r2 = producer.sendMessage(message("tx", "world"));
        assertThat(r1.isSuccess()).isTrue();
        assertThat(r1.getOffset()).isEqualTo(-1);
        assertThat(r2.isSuccess()).isTrue();
        producer.commit();
        await().atMost(Duration.ofSeconds(5)).until(() -> transactionLines().size() == 4);
        List<String> lines = transactionLines();
        String key = "TX:" + SESSION + ":1";
        assertThat(lines.get(0)).matches("transaction (" + key + ") " + SESSION + " BEGIN " + OPAQUE);
        String actualKey = lines.get(0).split(" ")[1];
        String session = lines.get(0).split(" ")[2];
        assertThat(actualKey).isEqualTo("TX:" + session + ":1");
        assertThat(lines.get(1)).matches("put tx -1 5 0 " + checksum("hello") + " " + actualKey + " " + OPAQUE);
        assertThat(lines.get(2)).matches("put tx -1 5 0 " + checksum("world") + " " + actualKey + " " + OPAQUE);
        assertThat(lines.get(3)).matches("transaction " + actualKey + " " + session + " COMMIT_ONE_PHASE " + OPAQUE);
        assertThat(broker.bodies()).containsExactly("hello", "world");

        // the next transaction of the producer takes the next counter; its timeout is on BEGIN
        producer.setTransactionTimeout(7);
        assertThat(producer.getTransactionTimeout()).isEqualTo(7);
        producer.beginTransaction();
        producer.sendMessage(message("tx", "again"));
        producer.rollback();
        await().atMost(Duration.ofSeconds(5)).until(() -> transactionLines().size() == 7);
        lines = transactionLines();
        assertThat(lines.get(4)).matches("transaction TX:" + session + ":2 " + session + " BEGIN 7 " + OPAQUE);
        assertThat(lines.get(5)).matches("put tx -1 5 0 " + checksum("again") + " TX:" + session + ":2 " + OPAQUE);
        assertThat(lines.get(6)).matches("transaction TX:" + session + ":2 " + session + " ROLLBACK " + OPAQUE);
    }

    @Test
    void localTransactionsAreBoundToTheThreadThatBeganThem() throws Exception {
        start();
        MessageProducer producer = factory.createProducer();
        producer.publish("tx");
        producer.beginTransaction();
        assertThatThrownBy(producer::beginTransaction)
                .isInstanceOf(TransactionInProgressException.class)
                .hasMessage("A transaction has begun");
        // another thread is in no transaction: a plain 7-token put, and nothing to commit
        CompletableFuture.runAsync(() -> {
                    try {
                        producer.sendMessage(message("tx", "plain"));
                        assertThatThrownBy(producer::commit)
                                .isInstanceOf(MetaClientException.class)
                                .hasMessage("There is no transaction begun");
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                })
                .get(10, TimeUnit.SECONDS);
        assertThat(transactionLines())
                .singleElement()
                .asString()
                .matches("put tx -1 5 0 " + checksum("plain") + " " + OPAQUE);
        // as MetaQ: a transaction that sent nothing was never started
        assertThatThrownBy(producer::commit)
                .isInstanceOf(MetaClientException.class)
                .hasMessage("No transaction is started");
        assertThatThrownBy(producer::rollback)
                .isInstanceOf(MetaClientException.class)
                .hasMessage("There is no transaction begun");
        assertThatThrownBy(() -> producer.setTransactionTimeout(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRefusedCommitIsAMetaClientExceptionWithTheBrokersText() throws Exception {
        start();
        overrides.put(
                "COMMIT_ONE_PHASE",
                line -> Optional.of(ScriptedBroker.result(
                        line, 500, "Local transaction '" + line.split(" ")[1] + "' has not been started.")));
        MessageProducer producer = factory.createProducer();
        producer.beginTransaction();
        producer.sendMessage(message("tx", "x"));
        assertThatThrownBy(producer::commit)
                .isInstanceOf(MetaClientException.class)
                .hasMessageMatching("Local transaction 'TX:.*' has not been started\\.");
        // the thread is unbound whatever the outcome
        producer.beginTransaction();
        producer.sendMessage(message("tx", "y"));
        producer.rollback();
    }

    @Test
    void aSilentBrokerMakesTheCommitOutcomeUnknown() throws Exception {
        start();
        overrides.put("COMMIT_ONE_PHASE", line -> Optional.empty());
        MessageProducer producer = factory.createProducer();
        producer.setTransactionRequestTimeout(300, TimeUnit.MILLISECONDS);
        producer.beginTransaction();
        producer.sendMessage(message("tx", "x"));
        assertThatThrownBy(producer::commit)
                .isInstanceOf(MetaClientException.class)
                .hasMessageContaining("the transaction state is unknown");
    }

    static final Xid XID = new SimpleXid(1, new byte[] {0x0a, 0x0b}, new byte[] {0x0c, 0x0d});

    @Test
    void anXaBranchWritesMetaqsXidKeyWithTheQualifierOnEveryLine() throws Exception {
        start();
        XAMessageProducer producer = factory.createXAProducer();
        producer.setUniqueQualifier("uq-test");
        producer.publish("tx");
        XAResource xa = producer.getXAResource();
        assertThat(producer.getXAResource()).as("one resource per thread").isSameAs(xa);
        xa.setTransactionTimeout(30);
        xa.start(XID, XAResource.TMNOFLAGS);
        assertThatThrownBy(producer::beginTransaction).isInstanceOf(TransactionInProgressException.class);
        assertThat(transactionLines()).as("BEGIN waits for the first send").isEmpty();
        producer.sendMessage(message("tx", "xa"));
        xa.end(XID, XAResource.TMSUCCESS);
        assertThat(xa.prepare(XID)).isEqualTo(XAResource.XA_OK);
        xa.commit(XID, false);
        await().atMost(Duration.ofSeconds(5)).until(() -> transactionLines().size() == 5);
        List<String> lines = transactionLines();
        String key = "XID:1:0a0b:0c0d:uq-test";
        assertThat(lines.get(0)).matches("transaction " + key + " " + SESSION + " BEGIN 30 uq-test " + OPAQUE);
        assertThat(lines.get(1)).matches("put tx -1 2 0 " + checksum("xa") + " " + key + " " + OPAQUE);
        assertThat(lines.get(2)).matches("transaction " + key + " " + SESSION + " END uq-test " + OPAQUE);
        assertThat(lines.get(3)).matches("transaction " + key + " " + SESSION + " PREPARE uq-test " + OPAQUE);
        assertThat(lines.get(4)).matches("transaction " + key + " " + SESSION + " COMMIT_TWO_PHASE uq-test " + OPAQUE);

        // without a timeout the BEGIN has the qualifier only; one broker: a one-phase commit is one request
        Xid second = new SimpleXid(1, new byte[] {1}, new byte[] {2});
        xa.setTransactionTimeout(0);
        xa.start(second, XAResource.TMNOFLAGS);
        producer.sendMessage(message("tx", "xb"));
        xa.end(second, XAResource.TMSUCCESS);
        xa.commit(second, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> transactionLines().size() == 9);
        lines = transactionLines();
        assertThat(lines.get(5)).matches("transaction XID:1:01:02:uq-test " + SESSION + " BEGIN uq-test " + OPAQUE);
        assertThat(lines.get(8))
                .matches("transaction XID:1:01:02:uq-test " + SESSION + " COMMIT_ONE_PHASE uq-test " + OPAQUE);
    }

    @Test
    void xaErrorRepliesAreRebuiltAsMetaqDoes() throws Exception {
        start();
        XAMessageProducer producer = factory.createXAProducer();
        producer.setUniqueQualifier("uq-test");
        XAResource xa = producer.getXAResource();
        overrides.put(
                "COMMIT_ONE_PHASE",
                line -> Optional.of(ScriptedBroker.result(
                        line,
                        500,
                        "XAException:code=100,msg=XA transaction '" + line.split(" ")[1] + "' rolled back")));
        xa.start(XID, XAResource.TMNOFLAGS);
        producer.sendMessage(message("tx", "xa"));
        xa.end(XID, XAResource.TMSUCCESS);
        assertThatThrownBy(() -> xa.commit(XID, true))
                .isInstanceOfSatisfying(
                        XAException.class, e -> assertThat(e.errorCode).isEqualTo(XAException.XA_RBROLLBACK))
                .hasMessage("XA transaction 'XID:1:0a0b:0c0d:uq-test' rolled back");

        // any other error text is XAER_RMERR
        overrides.put("COMMIT_ONE_PHASE", line -> Optional.of(ScriptedBroker.result(line, 500, "disk on fire")));
        Xid second = new SimpleXid(7, new byte[] {1}, new byte[0]);
        xa.start(second, XAResource.TMNOFLAGS);
        producer.sendMessage(message("tx", "xb"));
        xa.end(second, XAResource.TMSUCCESS);
        assertThatThrownBy(() -> xa.commit(second, true))
                .isInstanceOfSatisfying(
                        XAException.class, e -> assertThat(e.errorCode).isEqualTo(XAException.XAER_RMERR))
                .hasMessage("disk on fire");

        // a prepare the broker refuses: the branch is rolled back and the TM told XA_RB*
        overrides.put(
                "PREPARE",
                line -> Optional.of(ScriptedBroker.result(
                        line,
                        500,
                        "XAException:code=-4,msg=XA transaction '" + line.split(" ")[1] + "' has not been started.")));
        Xid third = new SimpleXid(7, new byte[] {3}, new byte[] {3});
        xa.start(third, XAResource.TMNOFLAGS);
        producer.sendMessage(message("tx", "xc"));
        xa.end(third, XAResource.TMSUCCESS);
        assertThatThrownBy(() -> xa.prepare(third)).isInstanceOfSatisfying(XAException.class, e -> {
            assertThat(e.errorCode).isEqualTo(XAException.XA_RBOTHER);
            assertThat(((XAException) e.getCause()).errorCode).isEqualTo(XAException.XAER_NOTA);
        });
        await().atMost(Duration.ofSeconds(5))
                .until(() -> broker.received().stream()
                        .anyMatch(l -> l.matches(
                                "transaction XID:7:03:03:uq-test " + SESSION + " ROLLBACK uq-test " + OPAQUE)));
    }

    @Test
    void xaProtocolErrorsOfTheResourceItself() throws Exception {
        start();
        XAMessageProducer producer = factory.createXAProducer();
        XAResource xa = producer.getXAResource();
        assertThatThrownBy(() -> xa.start(XID, XAResource.TMJOIN))
                .isInstanceOfSatisfying(
                        XAException.class, e -> assertThat(e.errorCode).isEqualTo(XAException.XAER_NOTA));
        xa.start(XID, XAResource.TMNOFLAGS);
        assertThatThrownBy(() -> xa.prepare(XID)) // still associated
                .isInstanceOfSatisfying(
                        XAException.class, e -> assertThat(e.errorCode).isEqualTo(XAException.XAER_PROTO));
        assertThatThrownBy(() -> xa.commit(XID, false))
                .isInstanceOfSatisfying(
                        XAException.class, e -> assertThat(e.errorCode).isEqualTo(XAException.XAER_PROTO));
        xa.end(XID, XAResource.TMSUCCESS);
        assertThatThrownBy(() -> xa.commit(XID, false)) // not prepared
                .isInstanceOfSatisfying(
                        XAException.class, e -> assertThat(e.errorCode).isEqualTo(XAException.XAER_PROTO));
        assertThat(xa.prepare(XID)).as("nothing sent: read-only").isEqualTo(XAResource.XA_RDONLY);
        assertThat(xa.isSameRM(xa)).isTrue();
        assertThat(xa.isSameRM(CompletableFuture.supplyAsync(() -> resourceOf(producer))
                        .get()))
                .as("another thread's resource of the same producer")
                .isTrue();
        assertThat(xa.isSameRM(factory.createXAProducer().getXAResource())).isFalse();
        assertThatThrownBy(() -> xa.setTransactionTimeout(-1)).isInstanceOf(XAException.class);
        assertThatThrownBy(() -> producer.setUniqueQualifier("a:b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> producer.setUniqueQualifier(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThat(producer.getUniqueQualifier()).startsWith("XAMessageProducer-");
        producer.setUniqueQualifierPrefix("app");
        assertThat(producer.getUniqueQualifier()).startsWith("app-");
    }

    static XAResource resourceOf(XAMessageProducer producer) {
        try {
            return producer.getXAResource();
        } catch (MetaClientException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void recoverAsksWithTheQualifierAndKeepsOnlyItsOwnKeys() throws Exception {
        start();
        overrides.put(
                "RECOVER",
                line -> Optional.of(ScriptedBroker.result(
                        line, 200, "XID:1:0a0b:0c0d:uq-test\r\nXID:2:ff:00:someone-else\r\nXID:3::01:uq-test")));
        XAMessageProducer producer = factory.createXAProducer();
        producer.setUniqueQualifier("uq-test");
        XAResource xa = producer.getXAResource();
        Xid[] found = xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
        assertThat(found).containsExactly(XID, new SimpleXid(3, new byte[0], new byte[] {1}));
        assertThat(broker.received())
                .anyMatch(l -> l.matches("transaction null " + SESSION + " RECOVER uq-test " + OPAQUE));
        // a scan returns everything at its start, nothing on the calls after
        assertThat(xa.recover(XAResource.TMSTARTRSCAN)).hasSize(2);
        assertThat(xa.recover(XAResource.TMNOFLAGS)).isEmpty();
        assertThat(xa.recover(XAResource.TMENDRSCAN)).isEmpty();
        // a recovered branch this process never knew is committed by key
        xa.commit(XID, false);
        assertThat(broker.received())
                .anyMatch(l -> l.matches(
                        "transaction XID:1:0a0b:0c0d:uq-test " + SESSION + " COMMIT_TWO_PHASE uq-test " + OPAQUE));
    }
}
