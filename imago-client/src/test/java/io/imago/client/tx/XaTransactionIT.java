package io.imago.client.tx;

import static io.imago.client.tx.TxTesting.stored;
import static io.imago.client.tx.TxTesting.toBroker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.atomikos.datasource.xa.XATransactionalResource;
import com.atomikos.icatch.config.Configuration;
import com.atomikos.icatch.jta.UserTransactionManager;
import com.atomikos.jdbc.AtomikosDataSourceBean;
import io.imago.broker.BrokerHarness;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.client.ConsumerTesting;
import io.imago.client.XAMetaMessageSessionFactory;
import io.imago.client.internal.transaction.SimpleXid;
import io.imago.client.producer.XAMessageProducer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import javax.transaction.Status;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Imago XA producer with a real JTA transaction manager (Atomikos) and MariaDB's XA datasource
 * (127.0.0.1:3306, db {@code test}) as the second resource, over two in-process brokers: one
 * broker's branch with the database (both commit, both roll back, an exception in between rolls
 * both back), and one branch that spans both brokers, including broker B down between the two
 * brokers' commits.
 */
@Timeout(180)
class XaTransactionIT {
    private static final Logger LOG = LoggerFactory.getLogger(XaTransactionIT.class);
    static final String TABLE = "imago_client_xa";
    static final String JDBC_URL = "jdbc:mariadb://127.0.0.1:3306/test";
    static final String SYSTEM = "";
    static final String TOPICS_A = "[topic=xa1]\n[topic=xa2]\n[topic=xa3]\n[topic=xa4]\n[topic=xa5]";
    static final String TOPICS_B = "[topic=xa2]\n[topic=xa3]\n[topic=xa4]\n[topic=xa5]";

    @RegisterExtension
    static final BrokerHarnessExtension BROKERS = BrokerHarnessExtension.onDemand();

    static BrokerHarness brokerB;
    static XAMetaMessageSessionFactory factory;
    static XAMessageProducer producer;
    static UserTransactionManager tm;
    static AtomikosDataSourceBean db;
    static Path tmLogs;
    static final StopAtPrepare HOOK = new StopAtPrepare();

    @BeforeAll
    static void start() throws Exception {
        BROKERS.start(SYSTEM, TOPICS_A);
        brokerB = BROKERS.startAnother(1, SYSTEM, TOPICS_B);
        factory = new XAMetaMessageSessionFactory(
                ConsumerTesting.zkClient(BROKERS.harness().zkConnect()));
        producer = factory.createXAProducer(TxTesting.byBroker());
        producer.setUniqueQualifier("imago-client-xa-it");
        for (String topic : new String[] {"xa1", "xa2", "xa3", "xa4", "xa5"}) {
            producer.publish(topic);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TxTesting.partitions(factory, "xa2").size() == 2);

        try (Connection c = DriverManager.getConnection(JDBC_URL, "root", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id VARCHAR(64) PRIMARY KEY)");
        }
        tmLogs = Files.createTempDirectory("imago-atomikos-");
        System.setProperty("com.atomikos.icatch.log_base_dir", tmLogs.toString());
        System.setProperty("com.atomikos.icatch.output_dir", tmLogs.toString());
        System.setProperty("com.atomikos.icatch.tm_unique_name", "imago-client-xa-it");
        System.setProperty("com.atomikos.icatch.recovery_delay", "1000");
        System.setProperty("com.atomikos.icatch.default_jta_timeout", "60000");
        System.setProperty("com.atomikos.icatch.enable_logging", "true");
        tm = new UserTransactionManager();
        tm.setForceShutdown(true);
        tm.init();
        // the producer's resource, for the manager's recovery (it matches enlisted ones by isSameRM)
        Configuration.addResource(new XATransactionalResource("imago-xa") {
            @Override
            protected XAResource refreshXAConnection() {
                return TxTesting.resource(producer);
            }
        });
        Configuration.addResource(new XATransactionalResource("stop-at-prepare") {
            @Override
            protected XAResource refreshXAConnection() {
                return HOOK;
            }
        });
        db = new AtomikosDataSourceBean();
        db.setUniqueResourceName("mariadb-xa");
        db.setXaDataSourceClassName("org.mariadb.jdbc.MariaDbDataSource");
        Properties p = new Properties();
        p.setProperty("url", JDBC_URL);
        p.setProperty("user", "root");
        p.setProperty("password", "");
        db.setXaProperties(p);
        db.setPoolSize(2);
        db.init();
    }

    @AfterAll
    static void stop() throws Exception {
        if (db != null) {
            db.close();
        }
        if (tm != null) {
            tm.close();
        }
        if (factory != null) {
            factory.shutdown();
        }
    }

    /** Every test starts with both brokers registered (a test before may have restarted B). */
    @BeforeEach
    void bothBrokersListed() {
        for (String topic : new String[] {"xa2", "xa3", "xa4", "xa5"}) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TxTesting.partitions(factory, topic).size() == 2);
        }
    }

    /** A test that failed half-way leaves no transaction behind for the next one. */
    @AfterEach
    void noTransactionLeft() throws Exception {
        if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
            tm.rollback();
        }
    }

    static void insert(String id) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("INSERT INTO " + TABLE + " (id) VALUES (?)")) {
            s.setString(1, id);
            s.executeUpdate();
        }
    }

    static boolean rowExists(String id) throws SQLException {
        try (Connection c = DriverManager.getConnection(JDBC_URL, "root", "");
                PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM " + TABLE + " WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1) == 1;
            }
        }
    }

    /** Begins a JTA transaction with the producer's resource enlisted. */
    static XAResource beginWithProducer() throws Exception {
        tm.begin();
        XAResource xa = producer.getXAResource();
        assertThat(tm.getTransaction().enlistResource(xa)).isTrue();
        return xa;
    }

    @Test
    void theMessageAndTheRowCommitTogether() throws Exception {
        String id = UUID.randomUUID().toString();
        XAResource xa = beginWithProducer();
        assertThat(producer.sendMessage(toBroker("xa1", id, 0)).isSuccess()).isTrue();
        insert(id);
        assertThat(stored(factory, "xa1")).doesNotContain(id);
        tm.getTransaction().delistResource(xa, XAResource.TMSUCCESS);
        tm.commit();
        assertThat(stored(factory, "xa1")).containsOnlyOnce(id);
        assertThat(rowExists(id)).isTrue();
    }

    @Test
    void theMessageAndTheRowRollBackTogether() throws Exception {
        String id = UUID.randomUUID().toString();
        int live = TxTesting.branches(producer); // another test may leave one its second producer finished
        beginWithProducer();
        assertThat(producer.sendMessage(toBroker("xa1", id, 0)).isSuccess()).isTrue();
        insert(id);
        tm.rollback();
        assertThat(stored(factory, "xa1")).doesNotContain(id);
        assertThat(rowExists(id)).isFalse();
        assertThat(TxTesting.branches(producer)).as("the branch is forgotten").isEqualTo(live);
    }

    @Test
    void anExceptionBetweenTheTwoRollsBothBack() throws Exception {
        String id = UUID.randomUUID().toString();
        boolean failed = false;
        try {
            beginWithProducer();
            insert(id);
            assertThat(producer.sendMessage(toBroker("xa1", id, 0)).isSuccess()).isTrue();
            throw new IllegalStateException("the application fails before the commit");
        } catch (IllegalStateException e) {
            failed = true;
            tm.rollback();
        }
        assertThat(failed).isTrue();
        assertThat(stored(factory, "xa1")).doesNotContain(id);
        assertThat(rowExists(id)).isFalse();
    }

    @Test
    void oneBranchOverTwoBrokersCommitsOnBoth() throws Exception {
        String id = UUID.randomUUID().toString();
        XAResource xa = beginWithProducer();
        assertThat(producer.sendMessage(toBroker("xa2", id + "-a", 0)).isSuccess())
                .isTrue();
        assertThat(producer.sendMessage(toBroker("xa2", id + "-b", 1)).isSuccess())
                .isTrue();
        insert(id);
        tm.getTransaction().delistResource(xa, XAResource.TMSUCCESS);
        tm.commit();
        assertThat(stored(factory, "xa2")).containsOnlyOnce(id + "-a", id + "-b");
        assertThat(rowExists(id)).isTrue();
    }

    @Test
    void oneBranchOverTwoBrokersRollsBackOnBoth() throws Exception {
        String id = UUID.randomUUID().toString();
        beginWithProducer();
        assertThat(producer.sendMessage(toBroker("xa2", id + "-a", 0)).isSuccess())
                .isTrue();
        assertThat(producer.sendMessage(toBroker("xa2", id + "-b", 1)).isSuccess())
                .isTrue();
        tm.rollback();
        assertThat(stored(factory, "xa2")).doesNotContain(id + "-a", id + "-b");
    }

    /**
     * Driven by hand as a manager would: prepared on both brokers, broker B stops before the
     * commit; the commit commits A and reports XA_RETRY; once B is back, the retried commit commits
     * B (A answers XAER_NOTA, already done): each message exactly once.
     */
    @Test
    void brokerBDownBetweenTheCommitsIsFinishedByTheRetriedCommit() throws Exception {
        String id = UUID.randomUUID().toString();
        Xid xid = new SimpleXid(4711, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8), new byte[] {1});
        XAResource xa = producer.getXAResource();
        xa.start(xid, XAResource.TMNOFLAGS);
        assertThat(producer.sendMessage(toBroker("xa4", id + "-a", 0)).isSuccess())
                .isTrue();
        assertThat(producer.sendMessage(toBroker("xa4", id + "-b", 1)).isSuccess())
                .isTrue();
        xa.end(xid, XAResource.TMSUCCESS);
        assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_OK);

        brokerB.stopBroker();
        assertThatThrownBy(() -> xa.commit(xid, false))
                .isInstanceOfSatisfying(
                        XAException.class, e -> assertThat(e.errorCode).isEqualTo(XAException.XA_RETRY));
        // A's half is there; B's is prepared on a stopped broker
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TxTesting.partitions(factory, "xa4").size() == 1);
        assertThat(stored(factory, "xa4")).containsExactly(id + "-a");

        brokerB.restartBrokerOnSamePort(SYSTEM, TOPICS_B);
        // B lists the branch again (it survived the restart prepared)
        await().atMost(Duration.ofSeconds(30))
                .until(() -> java.util.Arrays.asList(xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN))
                        .contains(xid));
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    try {
                        xa.commit(xid, false);
                        return true;
                    } catch (XAException e) {
                        if (e.errorCode == XAException.XA_RETRY) {
                            return false; // the client has not reconnected to B yet
                        }
                        throw e;
                    }
                });
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TxTesting.partitions(factory, "xa4").size() == 2);
        assertThat(stored(factory, "xa4"))
                .containsOnlyOnce(id + "-a", id + "-b")
                .hasSize(2);
        assertThat(xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)).doesNotContain(xid);
    }

    /**
     * The manager drives it: the producer's branch spans both brokers and the database; broker B
     * stops after every resource prepared (a test resource enlisted last stops it in its prepare),
     * so the producer's commit reaches A only and reports XA_RETRY to the manager; once B is back,
     * the manager's recovery commits B's half. Each message exactly once, the row there.
     */
    @Test
    void brokerBDownBetweenTheCommitsIsFinishedByTheManagersRecovery() throws Exception {
        String id = UUID.randomUUID().toString();
        XAResource xa = beginWithProducer();
        assertThat(producer.sendMessage(toBroker("xa3", id + "-a", 0)).isSuccess())
                .isTrue();
        assertThat(producer.sendMessage(toBroker("xa3", id + "-b", 1)).isSuccess())
                .isTrue();
        insert(id);
        HOOK.armed = true;
        assertThat(tm.getTransaction().enlistResource(HOOK)).isTrue();
        tm.getTransaction().delistResource(xa, XAResource.TMSUCCESS);
        Exception seen = null;
        try {
            tm.commit();
        } catch (Exception e) {
            seen = e; // the manager may report the pending participant; the outcome is still commit
        }
        LOG.warn("The manager's commit with broker B down ended with {}", String.valueOf(seen));
        assertThat(rowExists(id)).isTrue();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TxTesting.partitions(factory, "xa3").size() == 1);
        assertThat(stored(factory, "xa3")).contains(id + "-a").doesNotContain(id + "-b");

        brokerB.restartBrokerOnSamePort(SYSTEM, TOPICS_B);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TxTesting.partitions(factory, "xa3").size() == 2);
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> stored(factory, "xa3").contains(id + "-b"));
        assertThat(stored(factory, "xa3")).containsOnlyOnce(id + "-a", id + "-b");
    }

    /** A test resource that stops a broker when the manager prepares it (enlisted after the producer's). */
    static final class StopAtPrepare implements XAResource {
        volatile boolean armed;

        @Override
        public int prepare(Xid xid) {
            if (armed) {
                armed = false;
                brokerB.stopBroker();
            }
            return XA_OK;
        }

        @Override
        public void commit(Xid xid, boolean onePhase) {}

        @Override
        public void rollback(Xid xid) {}

        @Override
        public void start(Xid xid, int flags) {}

        @Override
        public void end(Xid xid, int flags) {}

        @Override
        public void forget(Xid xid) {}

        @Override
        public Xid[] recover(int flag) {
            return new Xid[0];
        }

        @Override
        public boolean isSameRM(XAResource other) {
            return other == this;
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            return false;
        }
    }

    @Test
    void anUnknownBranchIsCommittedByTheManagersRecoveryWhenTheProducerRestarts() throws Exception {
        // a branch prepared by one producer, committed by key through a new producer of the same
        // qualifier (the application restarted between prepare and commit)
        String id = UUID.randomUUID().toString();
        Xid xid = new SimpleXid(4712, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8), new byte[] {2});
        XAResource xa = producer.getXAResource();
        xa.start(xid, XAResource.TMNOFLAGS);
        producer.sendMessage(toBroker("xa5", id + "-a", 0));
        producer.sendMessage(toBroker("xa5", id + "-b", 1));
        xa.end(xid, XAResource.TMSUCCESS);
        assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_OK);

        XAMetaMessageSessionFactory other = new XAMetaMessageSessionFactory(
                ConsumerTesting.zkClient(BROKERS.harness().zkConnect()));
        try {
            XAMessageProducer restarted = other.createXAProducer();
            restarted.setUniqueQualifier("imago-client-xa-it");
            restarted.publish("xa5");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> TxTesting.partitions(other, "xa5").size() == 2);
            XAResource recovery = restarted.getXAResource();
            assertThat(recovery.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN))
                    .contains(xid);
            recovery.commit(xid, false);
            assertThat(stored(other, "xa5")).containsOnlyOnce(id + "-a", id + "-b");
            assertThat(recovery.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN))
                    .doesNotContain(xid);
        } finally {
            other.shutdown();
        }
    }
}
