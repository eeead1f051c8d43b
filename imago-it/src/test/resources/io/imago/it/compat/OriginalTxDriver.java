import com.atomikos.datasource.ResourceException;
import com.atomikos.datasource.xa.XATransactionalResource;
import com.atomikos.icatch.config.Configuration;
import com.atomikos.icatch.jta.UserTransactionManager;
import com.atomikos.jdbc.AtomikosDataSourceBean;
import com.atomikos.recovery.PendingTransactionRecord;
import com.taobao.metamorphosis.Message;
import com.taobao.metamorphosis.client.MetaClientConfig;
import com.taobao.metamorphosis.client.MetaMessageSessionFactory;
import com.taobao.metamorphosis.client.XAMetaMessageSessionFactory;
import com.taobao.metamorphosis.client.producer.MessageProducer;
import com.taobao.metamorphosis.client.producer.SendResult;
import com.taobao.metamorphosis.client.producer.XAMessageProducer;
import com.taobao.metamorphosis.exception.MetaClientException;
import com.taobao.metamorphosis.transaction.XATransactionId;
import com.taobao.metamorphosis.utils.ZkUtils;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.transaction.Status;
import javax.transaction.Transaction;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * Transactions of the unmodified MetaQ 1.4.6.2 client (test resource of imago-it, compiled and run in
 * its own JVM by io.imago.it.compat.OriginalClient, like OriginalClientDriver). Commands come in on
 * stdin, one per line, words separated by single spaces; results go out on stdout, one line per event,
 * fields separated by tabs. A failing command prints ERROR and the program goes on; a failure outside
 * a command ends it with exit code 1. Closing stdin ends it with DONE and exit code 0.
 *
 * <pre>
 * local ZK TOPIC                      local transactions of MessageProducer
 *   begin | commit | rollback         stdout: OK op | ERROR op class message
 *   send ATTR DATA                    base64 each, "-" = none/empty; stdout: SENT ok partition offset id
 *                                     | SENT failed error | ERROR send class message
 *
 * xa ZK TOPIC UQ TM LOGDIR JDBCURL TABLE RECOVERY
 *     an XA producer (unique qualifier UQ) and MariaDB (JDBCURL, an XA datasource) enlisted in
 *     Atomikos (unique name TM, log in LOGDIR: a driver restarted on the same LOGDIR and TM recovers
 *     what its predecessor left). RECOVERY "open": Atomikos recovers the MetaQ resource from the start
 *     (every 2 s); "gated": only after the command "recover" (the DB resource is always recovered).
 *   tx OUTCOME KEY N                  one JTA transaction: enlist the MetaQ XAResource, insert (KEY, N)
 *                                     into TABLE, send N messages "KEY-i"; then OUTCOME:
 *                                       commit    tm.commit()
 *                                       rollback  tm.rollback()
 *                                       fail      the application throws before the commit; rolled back
 *                                       pause     tm.commit(), but the MetaQ commit prints PAUSED KEY and
 *                                                 waits for the line "go", then for the client to see its
 *                                                 broker connection down, then commits (and fails); the
 *                                                 TM's later retries of the commit fail (XAER_RMFAIL)
 *                                                 without reaching the broker until "recover" (gated)
 *                                       halt      tm.commit(), but the MetaQ commit prints HALTING KEY and
 *                                                 halts this JVM (exit code 3) before it reaches the broker
 *                                     stdout: XID KEY xidKey (MetaQ's key of the branch), SENT lines, then
 *                                     TX KEY committed | rolledback | failed class message
 *   recover                           opens the recovery gate (recovery scans, and commits through the
 *                                     recovery resource, reach the broker again); stdout: RECOVERY open
 *   xa OP FORMAT GTID BQUAL           OP on the producer's XAResource itself, no TM (GTID/BQUAL hex):
 *                                     start end prepare commit1 commit2 rollback forget;
 *                                     stdout: XA op ok [result] | XA op error errorCode message
 *   xa recover                        stdout: XA recover ok key,key,...
 *   send ATTR DATA                    as in local (inside an XA branch started with "xa start")
 * </pre>
 */
public final class OriginalTxDriver {
    private static final Object OUT = new Object();
    private static final String EOF = "\u0000eof";
    private static final BlockingQueue<String> INPUT = new LinkedBlockingQueue<>();
    private static volatile boolean recoveryOpen;

    public static void main(String[] args) {
        try {
            startInputReader();
            switch (args[0]) {
                case "local" -> local(args[1], args[2]);
                case "xa" -> xa(args);
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        out("DONE");
        System.exit(0); // the original client leaves non-daemon threads behind after shutdown
    }

    private static void local(String zk, String topic) throws Exception {
        MetaMessageSessionFactory factory = new MetaMessageSessionFactory(config(zk));
        MessageProducer producer = factory.createProducer();
        producer.publish(topic);
        for (String line = next(); !EOF.equals(line); line = next()) {
            String[] f = line.split(" ");
            try {
                switch (f[0]) {
                    case "begin" -> producer.beginTransaction();
                    case "commit" -> producer.commit();
                    case "rollback" -> producer.rollback();
                    case "send" -> send(producer, topic, f[1], f[2]);
                    default -> throw new IllegalArgumentException("unknown command " + line);
                }
                if (!f[0].equals("send")) {
                    out("OK", f[0]);
                }
            } catch (Exception e) {
                System.err.println("command " + line + " failed:");
                e.printStackTrace();
                out("ERROR", f[0], e.getClass().getName(), oneLine(e.getMessage()));
            }
        }
        producer.shutdown();
        factory.shutdown();
    }

    private static void xa(String[] args) throws Exception {
        String zk = args[1];
        String topic = args[2];
        String uq = args[3];
        String tmName = args[4];
        String logDir = args[5];
        String jdbcUrl = args[6];
        String table = args[7];
        recoveryOpen = switch (args[8]) {
            case "open" -> true;
            case "gated" -> false;
            default -> throw new IllegalArgumentException("RECOVERY is open or gated, not " + args[8]);
        };
        java.nio.file.Files.createDirectories(java.nio.file.Path.of(logDir));
        System.setProperty("com.atomikos.icatch.tm_unique_name", tmName);
        System.setProperty("com.atomikos.icatch.log_base_dir", logDir);
        System.setProperty("com.atomikos.icatch.log_base_name", "tmlog");
        // A COMMITTING record is replayed by recovery once the transaction's timeout has passed.
        System.setProperty("com.atomikos.icatch.default_jta_timeout", "15000");
        System.setProperty("com.atomikos.icatch.max_timeout", "60000");
        System.setProperty("com.atomikos.icatch.recovery_delay", "2000");
        // A failed commit is left to recovery instead of being retried in the committing thread.
        System.setProperty("com.atomikos.icatch.oltp_max_retries", "0");

        XAMetaMessageSessionFactory factory = new XAMetaMessageSessionFactory(config(zk));
        XAMessageProducer producer = factory.createXAProducer();
        producer.setUniqueQualifier(uq);
        producer.publish(topic);
        // Recovery runs on Atomikos' threads through a producer of its own: a MetaQ XAResource is bound
        // to its producer and thread.
        XAMessageProducer recoveryProducer = factory.createXAProducer();
        recoveryProducer.setUniqueQualifier(uq);
        recoveryProducer.publish(topic);

        UserTransactionManager tm = new UserTransactionManager();
        tm.setForceShutdown(true);
        tm.init();
        Configuration.addResource(new MetaqResource(recoveryProducer));

        MariaDbDataSource mariadb = new MariaDbDataSource();
        mariadb.setUrl(jdbcUrl);
        AtomikosDataSourceBean db = new AtomikosDataSourceBean();
        db.setUniqueResourceName("mariadb");
        db.setXaDataSource(mariadb);
        db.setMinPoolSize(1);
        db.setMaxPoolSize(2);
        db.init();
        out("READY");

        for (String line = next(); !EOF.equals(line); line = next()) {
            String[] f = line.split(" ");
            try {
                switch (f[0]) {
                    case "tx" -> transaction(tm, db, producer, factory, topic, table, f[1], f[2], Integer.parseInt(f[3]));
                    case "recover" -> {
                        recoveryOpen = true;
                        out("RECOVERY", "open");
                    }
                    case "xa" -> rawXa(producer, f);
                    case "send" -> send(producer, topic, f[1], f[2]);
                    default -> throw new IllegalArgumentException("unknown command " + line);
                }
            } catch (Exception e) {
                System.err.println("command " + line + " failed:");
                e.printStackTrace();
                out("ERROR", f[0], e.getClass().getName(), oneLine(e.getMessage()));
            }
        }
        db.close();
        tm.close();
        recoveryProducer.shutdown();
        producer.shutdown();
        factory.shutdown();
    }

    private static void transaction(
            UserTransactionManager tm,
            AtomikosDataSourceBean db,
            XAMessageProducer producer,
            MetaMessageSessionFactory factory,
            String topic,
            String table,
            String outcome,
            String key,
            int n)
            throws Exception {
        if (!List.of("commit", "rollback", "fail", "pause", "halt").contains(outcome)) {
            throw new IllegalArgumentException("unknown outcome " + outcome);
        }
        tm.begin();
        try {
            Transaction tx = tm.getTransaction();
            MetaqXAResource metaq = new MetaqXAResource(producer.getXAResource(), key, outcome, factory);
            tx.enlistResource(metaq);
            out("XID", key, metaq.key());
            try (Connection c = db.getConnection();
                    PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (k, n) VALUES (?, ?)")) {
                insert.setString(1, key);
                insert.setInt(2, n);
                insert.executeUpdate();
            }
            for (int i = 0; i < n; i++) {
                String data = Base64.getEncoder().encodeToString((key + "-" + i).getBytes(StandardCharsets.UTF_8));
                if (!send(producer, topic, "-", data)) {
                    throw new IllegalStateException("send " + i + " of " + key + " failed");
                }
            }
            switch (outcome) {
                case "rollback" -> {
                    tm.rollback();
                    out("TX", key, "rolledback");
                    return;
                }
                case "fail" -> throw new ApplicationFailure("the application failed after its sends");
                default -> {
                    tm.commit();
                    out("TX", key, "committed");
                }
            }
        } catch (Exception e) {
            System.err.println("transaction " + key + " failed:");
            e.printStackTrace();
            if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                tm.rollback();
            }
            out("TX", key, "failed", e.getClass().getName(), oneLine(e.getMessage()));
        }
    }

    /** XAResource calls of the original client, straight, as a TM would make them. */
    private static void rawXa(XAMessageProducer producer, String[] f) throws MetaClientException {
        String op = f[1];
        XAResource xares = producer.getXAResource();
        try {
            if (op.equals("recover")) {
                List<String> keys = new ArrayList<>();
                for (Xid xid : xares.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)) {
                    keys.add(((XATransactionId) xid).getTransactionKey());
                }
                out("XA", op, "ok", String.join(",", keys));
                return;
            }
            Xid xid = new SimpleXid(
                    Integer.parseInt(f[2]), HexFormat.of().parseHex(f[3]), HexFormat.of().parseHex(f[4]));
            String result = "";
            switch (op) {
                case "start" -> xares.start(xid, XAResource.TMNOFLAGS);
                case "end" -> xares.end(xid, XAResource.TMSUCCESS);
                case "prepare" -> result = Integer.toString(xares.prepare(xid));
                case "commit1" -> xares.commit(xid, true);
                case "commit2" -> xares.commit(xid, false);
                case "rollback" -> xares.rollback(xid);
                case "forget" -> xares.forget(xid);
                default -> throw new IllegalArgumentException("unknown XA operation " + op);
            }
            out("XA", op, "ok", result);
        } catch (XAException e) {
            out("XA", op, "error", Integer.toString(e.errorCode), oneLine(e.getMessage()));
        }
    }

    private static boolean send(MessageProducer producer, String topic, String attr, String data) throws Exception {
        String attribute = "-".equals(attr) ? null : new String(decode(attr), StandardCharsets.UTF_8);
        Message message = new Message(topic, "-".equals(data) ? new byte[0] : decode(data), attribute);
        SendResult result = producer.sendMessage(message, 10, TimeUnit.SECONDS);
        if (result.isSuccess()) {
            out("SENT", "ok", result.getPartition().toString(), Long.toString(result.getOffset()),
                    Long.toString(message.getId()));
        } else {
            out("SENT", "failed", String.valueOf(result.getErrorMessage()));
        }
        return result.isSuccess();
    }

    /**
     * The original client's XAResource as enlisted with the TM, with the test's hooks on its commit. The
     * TM tells resources apart by their class and isSameRM, so the recovery resource wraps too.
     */
    static final class MetaqXAResource implements XAResource {
        private final XAResource delegate;
        private final String txKey;
        private final String outcome;
        private final MetaMessageSessionFactory factory;
        private final String uq;
        private volatile Xid started;
        private volatile boolean paused;

        MetaqXAResource(XAResource delegate, String txKey, String outcome, MetaMessageSessionFactory factory) {
            this.delegate = delegate;
            this.txKey = txKey;
            this.outcome = outcome;
            this.factory = factory;
            this.uq = ((com.taobao.metamorphosis.client.transaction.TransactionContext) delegate).getUniqueQualifier();
        }

        /** MetaQ's transaction key of the branch this resource was started on. */
        String key() {
            Xid xid = started;
            return xid == null ? "-" : new XATransactionId(xid, uq).getTransactionKey();
        }

        @Override
        public void start(Xid xid, int flags) throws XAException {
            delegate.start(xid, flags);
            started = xid;
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
            delegate.end(xid, flags);
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            return delegate.prepare(xid);
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            if ("halt".equals(outcome)) {
                out("HALTING", txKey);
                Runtime.getRuntime().halt(3);
            }
            if ("pause".equals(outcome) && !paused) {
                paused = true;
                pauseThenAwaitDisconnect();
            } else if (("pause".equals(outcome) || "recover".equals(outcome)) && !recoveryOpen) {
                // The TM retries a failed commit by itself (Atomikos retries a heuristic hazard in the
                // background, through the XAResource of the recovery resource). Until the test opens the
                // recovery gate, those retries do not reach the broker, so the test sees the XID in
                // RECOVER after the broker's restart first.
                throw new XAException(XAException.XAER_RMFAIL);
            }
            try {
                delegate.commit(xid, onePhase);
                System.err.println(this + ": commit(" + new XATransactionId(xid, uq).getTransactionKey() + ", " + onePhase + ") ok");
            } catch (XAException e) {
                System.err.println(this + ": commit(" + new XATransactionId(xid, uq).getTransactionKey() + ", " + onePhase
                        + ") failed with " + e.errorCode);
                throw e;
            }
        }

        private void pauseThenAwaitDisconnect() {
            out("PAUSED", txKey);
            awaitGo();
            String url = ((com.taobao.metamorphosis.client.transaction.TransactionContext) delegate)
                    .getXareresourceURLs()[0];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (factory.getRemotingClient().isConnected(url)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("still connected to " + url + " after 60 s");
                }
                try {
                    Thread.sleep(20); // polls the client's view of its connection: nothing to wait on
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            out("DISCONNECTED", txKey);
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            delegate.rollback(xid);
        }

        @Override
        public void forget(Xid xid) throws XAException {
            delegate.forget(xid);
        }

        @Override
        public Xid[] recover(int flag) throws XAException {
            Xid[] xids = delegate.recover(flag);
            List<String> keys = new ArrayList<>();
            for (Xid xid : xids) {
                keys.add(((XATransactionId) xid).getTransactionKey());
            }
            System.err.println(this + ": recover(" + flag + ") = " + keys);
            return xids;
        }

        @Override
        public boolean isSameRM(XAResource other) throws XAException {
            return other instanceof MetaqXAResource m && delegate.isSameRM(m.delegate);
        }

        @Override
        public int getTransactionTimeout() throws XAException {
            return delegate.getTransactionTimeout();
        }

        @Override
        public boolean setTransactionTimeout(int seconds) throws XAException {
            return delegate.setTransactionTimeout(seconds);
        }

        @Override
        public String toString() {
            return "MetaqXAResource(" + txKey + ", " + delegate + ")";
        }
    }

    private static void awaitGo() {
        try {
            String line = INPUT.poll(300, TimeUnit.SECONDS);
            if (!"go".equals(line)) {
                throw new IllegalStateException("expected the line go, got " + line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The MetaQ resource as Atomikos knows it: for enlisting (by isSameRM) and for recovery. */
    static final class MetaqResource extends XATransactionalResource {
        private final XAMessageProducer producer;

        MetaqResource(XAMessageProducer producer) {
            super("metaq");
            this.producer = producer;
        }

        @Override
        protected XAResource refreshXAConnection() throws ResourceException {
            try {
                return new MetaqXAResource(producer.getXAResource(), "recovery", "recover", null);
            } catch (MetaClientException e) {
                throw new ResourceException("no XAResource from the original client: " + e);
            }
        }

        @Override
        public boolean recover(
                long startOfRecoveryScan,
                Collection<PendingTransactionRecord> expiredCommittingCoordinators,
                Collection<PendingTransactionRecord> indoubtForeignCoordinatorsToKeep) {
            if (!recoveryOpen) {
                return false; // not done: Atomikos keeps its records for a later scan
            }
            List<String> committing = new ArrayList<>();
            expiredCommittingCoordinators.forEach(r -> committing.add(r.id + "/" + r.state));
            boolean done =
                    super.recover(startOfRecoveryScan, expiredCommittingCoordinators, indoubtForeignCoordinatorsToKeep);
            System.err.println("recovery scan of metaq: expired committing " + committing + ", done " + done);
            return done;
        }

    }

    /** An Xid given by the test. */
    record SimpleXid(int formatId, byte[] gtid, byte[] bqual) implements Xid {
        @Override
        public int getFormatId() {
            return formatId;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return gtid.clone();
        }

        @Override
        public byte[] getBranchQualifier() {
            return bqual.clone();
        }
    }

    /** The application's own failure between its sends and its commit. */
    static final class ApplicationFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ApplicationFailure(String message) {
            super(message);
        }
    }

    private static MetaClientConfig config(String zk) {
        MetaClientConfig config = new MetaClientConfig();
        // (zkConnect, sessionTimeoutMs, connectionTimeoutMs, syncTimeMs); the root stays /meta
        config.setZkConfig(new ZkUtils.ZKConfig(zk, 10000, 10000, 200));
        return config;
    }

    private static void startInputReader() {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    INPUT.add(line);
                }
            } catch (java.io.IOException e) {
                e.printStackTrace();
            }
            INPUT.add(EOF);
        }, "stdin");
        reader.setDaemon(true);
        reader.start();
    }

    private static String next() throws InterruptedException {
        return INPUT.take();
    }

    private static byte[] decode(String base64) {
        return Base64.getDecoder().decode(base64);
    }

    private static String oneLine(String s) {
        return s == null ? "-" : s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    private static void out(String... fields) {
        synchronized (OUT) {
            System.out.println(String.join("\t", fields));
            System.out.flush();
        }
    }
}
