package io.imago.it.compat;

import static io.imago.it.compat.OriginalTransactionsIT.awaitTx;
import static io.imago.it.compat.OriginalTransactionsIT.linesOf;
import static io.imago.it.compat.TxChecks.assertStoredOnce;
import static io.imago.it.compat.TxChecks.awaitReceived;
import static io.imago.it.compat.TxChecks.awaitStoredOnce;
import static io.imago.it.compat.TxChecks.received;
import static io.imago.it.compat.TxChecks.sentIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.it.harness.BrokerProcess;
import io.imago.it.harness.ClusterExtension;
import io.imago.it.harness.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes around the transactions of the unmodified MetaQ 1.4.6.2 client (issue 14 §3): the broker
 * killed (SIGKILL) after PREPARE and between a commit record and the appends, and the application (its
 * JTA transaction manager, Atomikos) halted after the prepare. Each test has its own broker and topic,
 * and an original consumer that runs from before the crash to the end: it must receive what the
 * recovery commits (issue 14 §3: "a consumer that was already running when the recovered transaction
 * commits receives it"). Exactly once is checked by counting the message ids in the partitions.
 */
@Timeout(240)
class OriginalTransactionsCrashIT {
    static final int PARTITIONS = 2;
    /** The broker test hook (imago-broker): halts the broker after the commit record of a transaction with a message in the named topic. */
    static final String HALT_AFTER_COMMIT_RECORD = "imago.test.haltAfterCommitRecord";

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    @TempDir
    static Path tmLogs;

    static TxChecks.Table table;
    static final List<String> TM_NAMES = new ArrayList<>();
    private static final AtomicInteger BROKER_IDS = new AtomicInteger();
    private static final AtomicInteger DRIVER_COUNT = new AtomicInteger();

    private final List<DriverProcess> drivers = new ArrayList<>();

    @BeforeAll
    static void createTable() throws Exception {
        table = TxChecks.Table.create();
    }

    @AfterAll
    static void dropTable() throws Exception {
        if (table != null) {
            table.close(TM_NAMES);
        }
    }

    @AfterEach
    void stopDrivers() {
        drivers.forEach(DriverProcess::close);
        drivers.clear();
    }

    /**
     * Broker kill -9 after PREPARE: the TM's commit fails (the broker is gone); after the restart the
     * broker lists the XID to RECOVER, and the TM commits it (Atomikos: its retry of the heuristic hazard
     * or its recovery scan, whichever comes first once the driver lets it reach the broker): stored once,
     * delivered to the consumer that ran through the crash, row there.
     */
    @Test
    void aTransactionPreparedBeforeABrokerCrashIsCommittedByTheTmsRecovery() throws Exception {
        String topic = "crash-prepared";
        BrokerProcess broker = broker(topic, false);
        DriverProcess consumer = consumer(topic);
        String uq = TxChecks.unique("uq");
        String tm = TxChecks.unique("tm");
        DriverProcess xa = xa(topic, uq, tm, "gated");

        xa.send("tx pause prepared 3");
        String[] paused =
                xa.awaitLine(f -> f[0].equals("PAUSED"), 1, "the MetaQ commit paused", Duration.ofSeconds(60));
        assertThat(paused[1]).isEqualTo("prepared");
        String xid = xa.lines("XID").get(0)[2];
        assertThat(TxChecks.recover(broker, uq)).as("prepared on the broker").containsExactly(xid);
        List<Long> ids = sentIds(linesOf(xa, "prepared", "SENT"));

        broker.kill();
        xa.send("go");
        String[] outcome = awaitTx(xa, "prepared", Duration.ofSeconds(90));
        assertThat(outcome[2])
                .as("the TM's commit with the broker down: %s", String.join(" ", outcome))
                .isNotEqualTo("rolledback");

        awaitStaleRegistrationGone(broker);
        BrokerProcess restarted = CLUSTER.cluster().restart(broker);
        assertThat(TxChecks.recover(restarted, uq))
                .as("RECOVER after the restart")
                .containsExactly(xid);
        assertThat(received(consumer).keySet())
                .as("delivered before the TM decided")
                .doesNotContainAnyElementsOf(ids);

        xa.send("recover"); // the TM may now reach the MetaQ resource again
        await("the TM commits the XID; RECOVER empty")
                .atMost(Duration.ofSeconds(90))
                .until(() -> TxChecks.recover(restarted, uq).isEmpty());
        assertThat(table.row("prepared")).as("the row of the transaction").isEqualTo(3);
        if (CLUSTER.target() == Target.METAQ) {
            // Seen with the original broker (the oracle run): it accepts the commit of the recovered
            // transaction, but its messages can be read neither by the running consumer nor by raw gets.
            finish(xa);
            return;
        }
        awaitStoredOnce(restarted, topic, PARTITIONS, ids);
        awaitReceived(consumer, ids);
        assertStoredOnce(restarted, topic, PARTITIONS, ids);
        finish(xa);
        finish(consumer);
    }

    /**
     * Broker kill -9 (its test hook halts it) after the commit record of a local transaction and before
     * its appends: after the restart every message is there exactly once and the running consumer gets it.
     */
    @Test
    void aLocalTransactionWhoseCommitRecordWasWrittenIsAppendedOnceAfterABrokerCrash() throws Exception {
        Assumptions.assumeTrue(CLUSTER.target() == Target.IMAGO, "the test hook is Imago's");
        String topic = "crash-committing";
        BrokerProcess broker = broker(topic, true);
        DriverProcess consumer = consumer(topic);
        DriverProcess local = track(
                OriginalClient.launchTx(log("local"), "local", CLUSTER.cluster().zkConnect(), topic));

        local.send("begin");
        for (int i = 0; i < 6; i++) {
            local.send("send - "
                    + Base64.getEncoder().encodeToString(("committing " + i).getBytes(StandardCharsets.UTF_8)));
        }
        local.awaitLines("SENT", 6, Duration.ofSeconds(60));
        List<Long> ids = sentIds(local.lines("SENT"));
        local.send("commit");

        assertThat(broker.awaitExit(Duration.ofSeconds(60)))
                .as("exit code of the halted broker")
                .isEqualTo(137);
        assertThat(broker.log()).contains(HALT_AFTER_COMMIT_RECORD);
        local.awaitLine(
                f -> f[0].equals("ERROR") || (f[0].equals("OK") && f[1].equals("commit")),
                1,
                "the commit's outcome",
                Duration.ofSeconds(60));

        BrokerProcess restarted =
                CLUSTER.cluster().restart(broker, b -> b.withoutJvmProperty(HALT_AFTER_COMMIT_RECORD));
        awaitReceived(consumer, ids);
        assertStoredOnce(restarted, topic, PARTITIONS, ids);
        finish(local);
        finish(consumer);
    }

    /**
     * The application halted after both resources were prepared and Atomikos logged its commit decision
     * (the MetaQ XAResource's commit halts the driver JVM): a driver restarted on the same log recovers,
     * commits both; delivered once, row there.
     */
    @Test
    void aTransactionOfAnApplicationKilledAfterThePrepareIsFinishedByTheTmsRecoveryOnRestart() throws Exception {
        String topic = "crash-tm";
        BrokerProcess broker = broker(topic, false);
        DriverProcess consumer = consumer(topic);
        String uq = TxChecks.unique("uq");
        String tm = TxChecks.unique("tm");
        DriverProcess xa = xa(topic, uq, tm, "open");

        xa.send("tx halt halted 4");
        assertThat(xa.awaitExit(Duration.ofSeconds(90)))
                .as("exit code of the halted driver\n%s", xa.logTail())
                .isEqualTo(3);
        assertThat(xa.lines("HALTING")).extracting(f -> f[1]).containsExactly("halted");
        String xid = xa.lines("XID").get(0)[2];
        List<Long> ids = sentIds(linesOf(xa, "halted", "SENT"));
        assertThat(ids).hasSize(4);
        assertThat(TxChecks.recover(broker, uq)).as("prepared on the broker").containsExactly(xid);

        DriverProcess recovering = xa(topic, uq, tm, "open");
        awaitReceived(consumer, ids);
        assertStoredOnce(broker, topic, PARTITIONS, ids);
        await("the row of the transaction").atMost(Duration.ofSeconds(60)).until(() -> table.row("halted") != null);
        assertThat(table.row("halted")).isEqualTo(4);
        await("RECOVER empty")
                .atMost(Duration.ofSeconds(30))
                .until(() -> TxChecks.recover(broker, uq).isEmpty());
        finish(recovering);
        finish(consumer);
    }

    private BrokerProcess broker(String topic, boolean haltHook) {
        var config = CLUSTER.cluster()
                .broker(BROKER_IDS.incrementAndGet())
                .numPartitions(PARTITIONS)
                .topic(topic);
        if (haltHook) {
            config.jvmProperty(HALT_AFTER_COMMIT_RECORD, topic);
        }
        if (CLUSTER.target() == Target.METAQ) {
            config.zkSessionTimeoutMs(2000); // see awaitStaleRegistrationGone
        }
        return CLUSTER.cluster().startBroker(config);
    }

    /**
     * The original broker (target metaq, the oracle) fails to start while the killed process's ephemeral
     * znodes live (issue 3 §3); Imago takes them over at once.
     */
    private static void awaitStaleRegistrationGone(BrokerProcess killed) {
        if (CLUSTER.target() == Target.METAQ) {
            String master = "/meta/brokers/ids/" + killed.brokerId() + "/master";
            await("stale registration of the killed broker expires")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> CLUSTER.cluster().zk().checkExists().forPath(master) == null);
        }
    }

    private DriverProcess xa(String topic, String uq, String tm, String recovery) {
        TM_NAMES.add(tm);
        DriverProcess driver = track(OriginalClient.launchTx(
                log("xa"),
                "xa",
                CLUSTER.cluster().zkConnect(),
                topic,
                uq,
                tm,
                tmLogs.resolve(tm).toString(),
                TxChecks.JDBC_URL,
                table.name,
                recovery));
        driver.awaitLine("READY", Duration.ofSeconds(60));
        return driver;
    }

    private DriverProcess consumer(String topic) {
        DriverProcess driver = track(OriginalClient.launch(
                log("consume-" + topic),
                "consume",
                CLUSTER.cluster().zkConnect(),
                topic,
                "it-" + topic,
                "1",
                Integer.toString(64 * 1024)));
        driver.awaitLine("READY", Duration.ofSeconds(60));
        return driver;
    }

    private DriverProcess track(DriverProcess driver) {
        drivers.add(driver);
        return driver;
    }

    private static void finish(DriverProcess driver) throws Exception {
        driver.closeInput();
        driver.awaitSuccess(Duration.ofSeconds(60));
    }

    private static Path log(String what) {
        return CLUSTER.cluster().logDir().resolve("driver-" + DRIVER_COUNT.incrementAndGet() + "-" + what + ".log");
    }
}
