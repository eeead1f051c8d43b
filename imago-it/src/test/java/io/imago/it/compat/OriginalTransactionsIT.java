package io.imago.it.compat;

import static io.imago.it.compat.TxChecks.assertNotStored;
import static io.imago.it.compat.TxChecks.assertStoredOnce;
import static io.imago.it.compat.TxChecks.awaitReceived;
import static io.imago.it.compat.TxChecks.received;
import static io.imago.it.compat.TxChecks.sentIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.ClusterExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions of the unmodified MetaQ 1.4.6.2 client against a broker process (issue 14 §3): its
 * local transactions, and its XA producer enlisted by a real JTA transaction manager (Atomikos) beside
 * MariaDB's XA datasource, both run by {@code OriginalTxDriver} in child JVMs; what was committed is
 * consumed by the original consumer ({@code OriginalClientDriver consume}) and counted in the
 * partitions with raw gets; the database is read over JDBC.
 *
 * <p>A "never delivered" claim is checked after a later committed transaction on the same topic was
 * delivered (the consumer has read past where the rolled back messages would be) and by scanning the
 * partitions.
 */
@Timeout(180)
class OriginalTransactionsIT {
    static final int PARTITIONS = 4;
    static final String LOCAL = "tx-local";
    static final String XA = "tx-xa";

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    @TempDir
    static Path tmLogs;

    static BrokerProcess broker;
    static TxChecks.Table table;
    static DriverProcess localConsumer;
    static DriverProcess xaConsumer;
    static final List<String> TM_NAMES = new ArrayList<>();
    private static final AtomicInteger DRIVER_COUNT = new AtomicInteger();

    private final List<DriverProcess> drivers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        broker = CLUSTER.cluster()
                .startBroker(CLUSTER.cluster()
                        .broker(1)
                        .numPartitions(PARTITIONS)
                        .topic(LOCAL)
                        .topic(XA));
        table = TxChecks.Table.create();
        localConsumer = consumer(LOCAL);
        xaConsumer = consumer(XA);
    }

    @AfterAll
    static void stop() throws Exception {
        for (DriverProcess consumer : new DriverProcess[] {localConsumer, xaConsumer}) {
            if (consumer != null) {
                consumer.close();
            }
        }
        if (table != null) {
            table.close(TM_NAMES);
        }
    }

    @AfterEach
    void stopDrivers() {
        drivers.forEach(DriverProcess::close);
        drivers.clear();
    }

    @Test
    void aCommittedLocalTransactionIsDeliveredOnce() throws Exception {
        DriverProcess producer = local();
        List<Long> ids = localTransaction(producer, "commit", 6);

        awaitReceived(localConsumer, ids);
        assertStoredOnce(broker, LOCAL, PARTITIONS, ids);
        finish(producer);
    }

    @Test
    void aRolledBackLocalTransactionIsNeverDelivered() throws Exception {
        DriverProcess producer = local();
        List<Long> rolledBack = localTransaction(producer, "rollback", 4);
        List<Long> later = localTransaction(producer, "commit", 2);

        awaitReceived(localConsumer, later);
        assertThat(received(localConsumer).keySet()).doesNotContainAnyElementsOf(rolledBack);
        assertNotStored(broker, LOCAL, PARTITIONS, rolledBack);
        assertStoredOnce(broker, LOCAL, PARTITIONS, later);
        finish(producer);
    }

    @Test
    void anXaTransactionCommitsTheMessagesAndTheRowTogether() throws Exception {
        String uq = TxChecks.unique("uq");
        DriverProcess xa = xa(uq);
        List<Long> ids = xaTransaction(xa, "commit", "both-commit", 5, "committed");

        awaitReceived(xaConsumer, ids);
        assertStoredOnce(broker, XA, PARTITIONS, ids);
        assertThat(table.row("both-commit")).as("the row of the transaction").isEqualTo(5);
        assertThat(TxChecks.recover(broker, uq))
                .as("prepared transactions left")
                .isEmpty();
        finish(xa);
    }

    @Test
    void anXaTransactionRollsBackTheMessagesAndTheRowTogether() throws Exception {
        String uq = TxChecks.unique("uq");
        DriverProcess xa = xa(uq);
        List<Long> rolledBack = xaTransaction(xa, "rollback", "both-rollback", 4, "rolledback");
        List<Long> later = xaTransaction(xa, "commit", "after-rollback", 1, "committed");

        awaitReceived(xaConsumer, later);
        assertThat(received(xaConsumer).keySet()).doesNotContainAnyElementsOf(rolledBack);
        assertNotStored(broker, XA, PARTITIONS, rolledBack);
        assertThat(table.row("both-rollback"))
                .as("the row of the rolled back transaction")
                .isNull();
        assertThat(table.row("after-rollback")).isEqualTo(1);
        assertThat(TxChecks.recover(broker, uq))
                .as("prepared transactions left")
                .isEmpty();
        finish(xa);
    }

    @Test
    void anApplicationFailureBetweenTheSendsAndTheCommitRollsBackBoth() throws Exception {
        String uq = TxChecks.unique("uq");
        DriverProcess xa = xa(uq);
        xa.send("tx fail app-failure 3");
        String[] outcome = awaitTx(xa, "app-failure", Duration.ofSeconds(60));
        assertThat(outcome[2]).as(String.join(" ", outcome)).isEqualTo("failed");
        assertThat(outcome[3]).endsWith("ApplicationFailure");
        List<Long> rolledBack = sentIds(linesOf(xa, "app-failure", "SENT"));
        assertThat(rolledBack).hasSize(3);
        List<Long> later = xaTransaction(xa, "commit", "after-failure", 1, "committed");

        awaitReceived(xaConsumer, later);
        assertThat(received(xaConsumer).keySet()).doesNotContainAnyElementsOf(rolledBack);
        assertNotStored(broker, XA, PARTITIONS, rolledBack);
        assertThat(table.row("app-failure"))
                .as("the row of the failed transaction")
                .isNull();
        assertThat(TxChecks.recover(broker, uq))
                .as("prepared transactions left")
                .isEmpty();
        finish(xa);
    }

    /**
     * The original client's XAResource as a TM drives it, without one: the broker's errors come back as
     * the XAException codes the original client rebuilds from {@code XAException:code=<n>,msg=<text>}.
     */
    @Test
    void theOriginalXaResourceRebuildsTheBrokersXaErrors() throws Exception {
        String uq = TxChecks.unique("uq");
        DriverProcess xa = xa(uq);
        String unknown = "1 " + hex("never-started") + " " + hex("b1");
        String unknownKey = "XID:1:" + hex("never-started") + ":" + hex("b1") + ":" + uq;

        assertThat(xaCall(xa, "commit2 " + unknown)).containsExactly("error", "-4", notStarted(unknownKey));
        assertThat(xaCall(xa, "commit1 " + unknown)).containsExactly("error", "-4", notStarted(unknownKey));
        assertThat(xaCall(xa, "prepare " + unknown)).containsExactly("error", "-4", notStarted(unknownKey));
        assertThat(xaCall(xa, "rollback " + unknown)).containsExactly("error", "-4", notStarted(unknownKey));

        // a branch with a message, committed in two phases without a prepare: XAER_PROTO
        String unprepared = "1 " + hex("unprepared") + " " + hex("b1");
        assertThat(xaCall(xa, "start " + unprepared)).containsExactly("ok", "");
        xa.send("send - " + Base64.getEncoder().encodeToString("unprepared".getBytes(StandardCharsets.UTF_8)));
        assertThat(xaCall(xa, "end " + unprepared)).containsExactly("ok", "");
        String[] protocolError = xaCall(xa, "commit2 " + unprepared);
        assertThat(protocolError[0]).isEqualTo("error");
        assertThat(protocolError[1])
                .as("XAER_PROTO, %s", String.join(" ", protocolError))
                .isEqualTo("-6");
        assertThat(xaCall(xa, "rollback " + unprepared)).containsExactly("ok", "");

        // a branch without messages votes read-only (XA_RDONLY = 3)
        String empty = "1 " + hex("empty") + " " + hex("b1");
        assertThat(xaCall(xa, "start " + empty)).containsExactly("ok", "");
        assertThat(xaCall(xa, "end " + empty)).containsExactly("ok", "");
        assertThat(xaCall(xa, "prepare " + empty)).containsExactly("ok", "3");

        // a prepared branch is listed by the original client's recover and ends with a commit
        String prepared = "1 " + hex("prepared") + " " + hex("b1");
        String preparedKey = "XID:1:" + hex("prepared") + ":" + hex("b1") + ":" + uq;
        assertThat(xaCall(xa, "start " + prepared)).containsExactly("ok", "");
        xa.send("send - " + Base64.getEncoder().encodeToString("prepared".getBytes(StandardCharsets.UTF_8)));
        assertThat(xaCall(xa, "end " + prepared)).containsExactly("ok", "");
        assertThat(xaCall(xa, "prepare " + prepared)).containsExactly("ok", "0");
        assertThat(xaCall(xa, "recover")).containsExactly("ok", preparedKey);
        assertThat(xaCall(xa, "commit2 " + prepared)).containsExactly("ok", "");
        assertThat(xaCall(xa, "recover")).containsExactly("ok", "");
        assertThat(xaCall(xa, "commit2 " + prepared))
                .as("a second commit of a finished branch")
                .containsExactly("error", "-4", notStarted(preparedKey));
        List<Long> ids = sentIds(xa.lines("SENT"));
        assertThat(ids).hasSize(2);
        awaitReceived(xaConsumer, ids.subList(1, 2));
        assertNotStored(broker, XA, PARTITIONS, ids.subList(0, 1));
        assertStoredOnce(broker, XA, PARTITIONS, ids.subList(1, 2));
        finish(xa);
    }

    private static String notStarted(String key) {
        return "XA transaction '" + key + "' has not been started.";
    }

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** Runs {@code xa <call>} on the driver; returns the fields after {@code XA <op>}. */
    private static String[] xaCall(DriverProcess xa, String call) throws Exception {
        int before = xa.lines("XA").size();
        xa.send("xa " + call);
        xa.awaitLines("XA", before + 1, Duration.ofSeconds(30));
        String[] f = xa.lines("XA").get(before);
        assertThat(f[1]).isEqualTo(call.split(" ")[0]);
        return java.util.Arrays.copyOfRange(f, 2, f.length);
    }

    /** One local transaction of {@code n} messages ending with {@code end}; returns the sent ids. */
    private static List<Long> localTransaction(DriverProcess producer, String end, int n) throws Exception {
        int sentBefore = producer.lines("SENT").size();
        int okBefore = producer.lines("OK").size();
        producer.send("begin");
        for (int i = 0; i < n; i++) {
            producer.send("send - "
                    + Base64.getEncoder().encodeToString(("local " + end + " " + i).getBytes(StandardCharsets.UTF_8)));
        }
        producer.send(end);
        producer.awaitLines("OK", okBefore + 2, Duration.ofSeconds(60));
        assertThat(producer.lines("ERROR")).as("errors of the local producer").isEmpty();
        List<String[]> ok = producer.lines("OK");
        assertThat(ok.subList(okBefore, okBefore + 2)).extracting(f -> f[1]).containsExactly("begin", end);
        List<String[]> sent = producer.lines("SENT");
        List<Long> ids = sentIds(sent.subList(sentBefore, sent.size()));
        assertThat(ids).hasSize(n).doesNotHaveDuplicates();
        return ids;
    }

    /** One XA transaction through the TM; returns the sent ids after checking the TX line. */
    static List<Long> xaTransaction(DriverProcess xa, String outcome, String key, int n, String expected)
            throws Exception {
        xa.send("tx " + outcome + " " + key + " " + n);
        String[] tx = awaitTx(xa, key, Duration.ofSeconds(60));
        assertThat(tx[2]).as(String.join(" ", tx)).isEqualTo(expected);
        List<Long> ids = sentIds(linesOf(xa, key, "SENT"));
        assertThat(ids).hasSize(n).doesNotHaveDuplicates();
        return ids;
    }

    /** Waits for the TX line of transaction {@code key}. */
    static String[] awaitTx(DriverProcess xa, String key, Duration timeout) {
        return xa.awaitLine(f -> f[0].equals("TX") && f[1].equals(key), 1, "outcome of transaction " + key, timeout);
    }

    /** The lines tagged {@code tag} a driver printed for transaction {@code key}: after its XID line, before its TX line. */
    static List<String[]> linesOf(DriverProcess xa, String key, String tag) {
        List<String[]> of = new ArrayList<>();
        boolean in = false;
        for (String[] f : xa.lines()) {
            if (f[0].equals("XID") && f[1].equals(key)) {
                in = true;
            } else if (in && f[0].equals("TX") && f[1].equals(key)) {
                break;
            } else if (in && f[0].equals(tag)) {
                of.add(f);
            }
        }
        return of;
    }

    private static void finish(DriverProcess driver) throws Exception {
        driver.closeInput();
        driver.awaitSuccess(Duration.ofSeconds(60));
    }

    private DriverProcess local() {
        DriverProcess driver =
                OriginalClient.launchTx(log("local"), "local", CLUSTER.cluster().zkConnect(), LOCAL);
        drivers.add(driver);
        return driver;
    }

    private DriverProcess xa(String uq) {
        String tm = TxChecks.unique("tm");
        TM_NAMES.add(tm);
        DriverProcess driver = OriginalClient.launchTx(
                log("xa"),
                "xa",
                CLUSTER.cluster().zkConnect(),
                XA,
                uq,
                tm,
                tmLogs.resolve(tm).toString(),
                TxChecks.JDBC_URL,
                table.name,
                "open");
        drivers.add(driver);
        driver.awaitLine("READY", Duration.ofSeconds(60));
        return driver;
    }

    private static DriverProcess consumer(String topic) {
        DriverProcess driver = OriginalClient.launch(
                log("consume-" + topic),
                "consume",
                CLUSTER.cluster().zkConnect(),
                topic,
                "it-" + topic,
                "1",
                Integer.toString(64 * 1024));
        driver.awaitLine("READY", Duration.ofSeconds(60));
        return driver;
    }

    private static Path log(String what) {
        return CLUSTER.cluster().logDir().resolve("driver-" + DRIVER_COUNT.incrementAndGet() + "-" + what + ".log");
    }
}
