package io.imago.broker;

import static io.imago.broker.TxWire.admin;
import static io.imago.broker.TxWire.body;
import static io.imago.broker.TxWire.get;
import static io.imago.broker.TxWire.put;
import static io.imago.broker.TxWire.result;
import static io.imago.broker.TxWire.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.broker.TxWire.Reply;
import io.imago.protocol.command.ValueCommand;
import io.imago.protocol.message.MessageSetIterator;
import io.imago.protocol.message.StoredMessage;
import io.imago.store.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every reply and error form of {@code transaction} and of a transactional {@code put} (spec section
 * 1.4), over a raw socket against an in-process broker, plus the operator's {@code txadmin}.
 */
@Timeout(60)
class TransactionProtocolIT {
    private static final String XID = "XID:1:0a0b:0c0d:uq-host";
    private static final String XID2 = "XID:1:0a0c:0c0d:uq-other";

    @RegisterExtension
    static final BrokerHarnessExtension BROKER =
            BrokerHarnessExtension.of("numPartitions=2\nmaxTxTimeoutInSeconds=1", "[topic=tx]\n[topic=lp]\n[topic=mp]");

    private static WireClient connect() throws Exception {
        return BROKER.harness().connect();
    }

    @Test
    void localCommitMakesTheMessagesVisibleAndTheyAreInvisibleBefore() throws Exception {
        try (WireClient c = connect()) {
            String key = "TX:sess-1:1";
            assertThat(tx(c, key, "BEGIN", 1)).isEqualTo(new Reply(200, "", 1));
            assertThat(tx(c, key, "BEGIN", 2)).as("BEGIN is idempotent").isEqualTo(new Reply(200, "", 2));
            Reply p1 = put(c, "tx", 0, "one", key, 3);
            Reply p2 = put(c, "tx", 0, "two", key, 4);
            assertThat(p1.code()).isEqualTo(200);
            assertThat(p1.text()).matches("\\d+ 0 -1");
            assertThat(p2.text()).matches("\\d+ 0 -1");
            long offset = log("tx", 0).maxOffset();
            assertThat(get(c, "tx", 0, offset)).as("invisible before commit").isEmpty();
            assertThat(tx(c, key, "COMMIT_ONE_PHASE", 5)).isEqualTo(new Reply(200, "", 5));
            List<StoredMessage> got = get(c, "tx", 0, offset);
            assertThat(got).extracting(TxWire::body).containsExactly("one", "two");
            assertThat(got.get(0).id()).isEqualTo(Long.parseLong(p1.text().split(" ")[0]));
            assertThat(got.get(1).id()).isEqualTo(Long.parseLong(p2.text().split(" ")[0]));
            assertThat(tx(c, key, "COMMIT_ONE_PHASE", 6))
                    .as("a finished local transaction is gone")
                    .isEqualTo(new Reply(500, "Local transaction 'TX:sess-1:1' has not been started.", 6));
        }
    }

    @Test
    void localRollbackDiscards() throws Exception {
        try (WireClient c = connect()) {
            String key = "TX:sess-1:2";
            tx(c, key, "BEGIN", 1);
            put(c, "tx", 1, "never", key, 2);
            long offset = log("tx", 1).maxOffset();
            assertThat(tx(c, key, "ROLLBACK", 3)).isEqualTo(new Reply(200, "", 3));
            assertThat(get(c, "tx", 1, offset)).isEmpty();
            assertThat(log("tx", 1).maxOffset()).isEqualTo(offset);
            assertThat(tx(c, key, "ROLLBACK", 4))
                    .isEqualTo(new Reply(500, "Local transaction 'TX:sess-1:2' has not been started.", 4));
        }
    }

    @Test
    void transactionalPutErrors() throws Exception {
        try (WireClient c = connect()) {
            assertThat(put(c, "tx", 0, "x", "TX:sess-1:99", 1))
                    .isEqualTo(new Reply(500, "Local transaction 'TX:sess-1:99' has not been started.", 1));
            assertThat(put(c, "tx", 0, "x", XID2, 2))
                    .as("as MetaQ: the XA error of a put is its bare message")
                    .isEqualTo(new Reply(500, "XA transaction '" + XID2 + "' has not been started.", 2));
            String key = "TX:sess-1:3";
            tx(c, key, "BEGIN", 3);
            assertThat(put(c, "tx", -1, "x", key, 4))
                    .isEqualTo(new Reply(500, "Invalid partition for transaction command:-1", 4));
            String uri = "meta://127.0.0.1:" + BROKER.harness().port();
            assertThat(put(c, "tx", 7, "x", key, 5))
                    .isEqualTo(new Reply(
                            500,
                            "Put message to [broker '" + uri + "'] [partition 'tx-7'] failed.Detail:wrong partition 7",
                            5));
            assertThat(put(c, "nope", 0, "x", key, 6).text()).endsWith("Detail:The server do not accept topic nope");
            c.send("put tx 0 1 0 12345 " + key + " 7\r\nx");
            assertThat(result(c))
                    .isEqualTo(new Reply(
                            500,
                            "Put message to [broker '" + uri + "'] [partition 'tx-0'] failed.Detail:Checksum failure,"
                                    + "message may be corrupted when transfering on networking.",
                            7));
            tx(c, key, "ROLLBACK", 8);
        }
    }

    @Test
    void localPrepareAndForgetAreXaErrors() throws Exception {
        try (WireClient c = connect()) {
            String key = "TX:sess-1:4";
            tx(c, key, "BEGIN", 1);
            assertThat(tx(c, key, "PREPARE", 2))
                    .isEqualTo(new Reply(
                            500, "XAException:code=-3,msg=Prepare not implemented on Local Transactions.", 2));
            assertThat(tx(c, key, "FORGET", 3))
                    .isEqualTo(new Reply(500, "XAException:code=-4,msg=" + key + " is not a valid xid", 3));
            assertThat(tx(c, key, "COMMIT_ONE_PHASE", 4))
                    .as("an empty local commit")
                    .isEqualTo(new Reply(200, "", 4));
        }
    }

    @Test
    void localTransactionsBelongToTheirConnection() throws Exception {
        try (WireClient a = connect();
                WireClient b = connect()) {
            String key = "TX:sess-1:5";
            tx(a, key, "BEGIN", 1);
            assertThat(put(b, "tx", 0, "x", key, 2))
                    .isEqualTo(new Reply(500, "Local transaction '" + key + "' has not been started.", 2));
            assertThat(tx(b, key, "COMMIT_ONE_PHASE", 3))
                    .isEqualTo(new Reply(500, "Local transaction '" + key + "' has not been started.", 3));
            tx(a, key, "ROLLBACK", 4);
        }
    }

    @Test
    void xaTwoPhaseCommitWithRecover() throws Exception {
        try (WireClient c = connect()) {
            assertThat(tx(c, XID, "BEGIN", "uq-host", 1)).isEqualTo(new Reply(200, "", 1));
            Reply p = put(c, "tx", 1, "xa", XID, 2);
            assertThat(p.text()).matches("\\d+ 1 -1");
            c.send("transaction " + XID + " sess-1 END uq-host 3\r\n"); // no reply: the next one is PREPARE's
            assertThat(tx(c, XID, "PREPARE", "uq-host", 4)).isEqualTo(new Reply(200, "0", 4));
            assertThat(tx(c, "null", "RECOVER", "uq-host", 5)).isEqualTo(new Reply(200, XID, 5));
            assertThat(tx(c, "null", "RECOVER", "uq-nobody", 6)).isEqualTo(new Reply(200, "", 6));
            assertThat(tx(c, "null", "RECOVER", 7)).as("all when no qualifier").isEqualTo(new Reply(200, XID, 7));
            long offset = log("tx", 1).maxOffset();
            assertThat(get(c, "tx", 1, offset))
                    .as("a prepared message is invisible")
                    .isEmpty();
            assertThat(tx(c, XID, "COMMIT_TWO_PHASE", 8)).isEqualTo(new Reply(200, "", 8));
            List<StoredMessage> got = get(c, "tx", 1, offset);
            assertThat(got).extracting(TxWire::body).containsExactly("xa");
            assertThat(got.get(0).id()).isEqualTo(Long.parseLong(p.text().split(" ")[0]));
            assertThat(tx(c, "null", "RECOVER", 9)).isEqualTo(new Reply(200, "", 9));
            assertThat(tx(c, XID, "COMMIT_TWO_PHASE", 10))
                    .isEqualTo(new Reply(
                            500, "XAException:code=-4,msg=XA transaction '" + XID + "' has not been started.", 10));
        }
    }

    @Test
    void xaStateErrors() throws Exception {
        try (WireClient c = connect()) {
            String xid = "XID:7:01:02:uq-state";
            tx(c, xid, "BEGIN", 1);
            assertThat(tx(c, xid, "PREPARE", 2))
                    .as("nothing put: read-only vote")
                    .isEqualTo(new Reply(200, "3", 2));
            assertThat(tx(c, xid, "COMMIT_TWO_PHASE", 3).text())
                    .as("a read-only branch is finished")
                    .isEqualTo("XAException:code=-4,msg=XA transaction '" + xid + "' has not been started.");
            tx(c, xid, "BEGIN", 4);
            put(c, "tx", 0, "m", xid, 5);
            assertThat(tx(c, xid, "COMMIT_TWO_PHASE", 6))
                    .isEqualTo(new Reply(
                            500,
                            "XAException:code=-6,msg=Cannot do 2 phase commit if the transaction has not been prepared.",
                            6));
            assertThat(tx(c, xid, "PREPARE", 7).text()).isEqualTo("0");
            assertThat(tx(c, xid, "PREPARE", 8))
                    .isEqualTo(new Reply(500, "XAException:code=-6,msg=Cannot call prepare now.", 8));
            assertThat(tx(c, xid, "ROLLBACK", 9))
                    .as("a prepared branch rolls back")
                    .isEqualTo(new Reply(200, "", 9));
            tx(c, xid, "BEGIN", 10);
            assertThat(tx(c, xid, "COMMIT_ONE_PHASE", 11))
                    .as("empty one-phase commit")
                    .isEqualTo(new Reply(200, "", 11));
            assertThat(tx(c, xid, "FORGET", 12))
                    .as("FORGET of an unknown XID is a no-op")
                    .isEqualTo(new Reply(200, "", 12));
        }
    }

    @Test
    void xaOnePhaseCommitOfAPreparedBranch() throws Exception {
        try (WireClient c = connect()) {
            String xid = "XID:7:03:04:uq-one";
            tx(c, xid, "BEGIN", 1);
            put(c, "tx", 0, "m", xid, 2);
            tx(c, xid, "PREPARE", 3);
            long offset = log("tx", 0).maxOffset();
            assertThat(tx(c, xid, "COMMIT_ONE_PHASE", 4)).isEqualTo(new Reply(200, "", 4));
            assertThat(get(c, "tx", 0, offset)).extracting(TxWire::body).containsExactly("m");
        }
    }

    @Test
    void heuristicOutcomesAnswerTheirXaCodesUntilForgotten() throws Exception {
        try (WireClient c = connect()) {
            String committed = "XID:9:aa:01:uq-heur";
            String rolledBack = "XID:9:aa:02:uq-heur";
            for (String xid : List.of(committed, rolledBack)) {
                tx(c, xid, "BEGIN", 1);
                put(c, "tx", 1, xid.equals(committed) ? "01" : "02", xid, 2);
                assertThat(tx(c, xid, "PREPARE", 3).text()).isEqualTo("0");
            }
            Reply list = admin(c, "list", 4);
            assertThat(list.code()).isEqualTo(200);
            assertThat(list.text().split("\r\n"))
                    .anySatisfy(l -> assertThat(l).matches("\\Q" + committed + "\\E PREPARED \\d+ 1"))
                    .anySatisfy(l -> assertThat(l).matches("\\Q" + rolledBack + "\\E PREPARED \\d+ 1"));
            long offset = log("tx", 1).maxOffset();
            assertThat(admin(c, "commit " + committed, 5)).isEqualTo(new Reply(200, "", 5));
            assertThat(admin(c, "rollback " + rolledBack, 6)).isEqualTo(new Reply(200, "", 6));
            assertThat(get(c, "tx", 1, offset)).extracting(TxWire::body).containsExactly("01");
            assertThat(tx(c, committed, "COMMIT_TWO_PHASE", 7))
                    .isEqualTo(new Reply(
                            500,
                            "XAException:code=7,msg=XA transaction '" + committed
                                    + "' has been heuristically committed.",
                            7));
            assertThat(tx(c, rolledBack, "ROLLBACK", 8))
                    .isEqualTo(new Reply(
                            500,
                            "XAException:code=6,msg=XA transaction '" + rolledBack
                                    + "' has been heuristically rolled back.",
                            8));
            assertThat(tx(c, "null", "RECOVER", "uq-heur", 9).text().split("\r\n"))
                    .containsExactly(committed, rolledBack);
            assertThat(admin(c, "commit " + committed, 10).text()).contains("not PREPARED");
            assertThat(tx(c, committed, "FORGET", 11)).isEqualTo(new Reply(200, "", 11));
            assertThat(admin(c, "forget " + rolledBack, 12)).isEqualTo(new Reply(200, "", 12));
            assertThat(tx(c, "null", "RECOVER", "uq-heur", 13)).isEqualTo(new Reply(200, "", 13));
            assertThat(admin(c, "forget " + rolledBack, 14))
                    .isEqualTo(new Reply(500, "No transaction '" + rolledBack + "'.", 14));
        }
    }

    @Test
    void closingTheConnectionRollsBackItsLocalTransactions() throws Exception {
        String key = "TX:sess-close:1";
        long offset;
        try (WireClient a = connect()) {
            tx(a, key, "BEGIN", 1);
            put(a, "tx", 0, "orphan", key, 2);
            offset = log("tx", 0).maxOffset();
            assertThat(keys()).contains(key);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !keys().contains(key));
        try (WireClient c = connect()) {
            assertThat(get(c, "tx", 0, offset)).isEmpty();
        }
    }

    @Test
    void anExpiredTransactionIsRolledBackAndTheClientTimeoutIsCapped() throws Exception {
        try (WireClient c = connect()) {
            String key = "TX:sess-1:60";
            // the client asks 100 s; maxTxTimeoutInSeconds=1 caps it
            assertThat(tx(c, key, "BEGIN", "100", 1)).isEqualTo(new Reply(200, "", 1));
            put(c, "tx", 0, "late", key, 2);
            long offset = log("tx", 0).maxOffset();
            await().atMost(Duration.ofSeconds(10)).until(() -> !keys().contains(key));
            assertThat(tx(c, key, "COMMIT_ONE_PHASE", 3))
                    .isEqualTo(new Reply(500, "Local transaction '" + key + "' has not been started.", 3));
            assertThat(get(c, "tx", 0, offset)).isEmpty();
            String xid = "XID:3:01:01:uq-timeout";
            tx(c, xid, "BEGIN", "1 uq-timeout", 4);
            put(c, "tx", 0, "p", xid, 5);
            tx(c, xid, "PREPARE", 6);
            Thread.sleep(2_500); // past the timeout on purpose: a prepared branch must survive it
            assertThat(tx(c, "null", "RECOVER", "uq-timeout", 7).text()).isEqualTo(xid);
            assertThat(tx(c, xid, "COMMIT_TWO_PHASE", 8).code()).isEqualTo(200);
        }
    }

    @Test
    void aCommitAnswersAGetAlreadyWaiting() throws Exception {
        try (WireClient consumer = connect();
                WireClient producer = connect()) {
            producer.put("lp", 0, "first".getBytes(StandardCharsets.UTF_8), 1);
            assertThat(result(producer).code()).isEqualTo(200);
            PartitionLog log = log("lp", 0);
            long end = log.maxOffset();
            String key = "TX:sess-1:70";
            tx(producer, key, "BEGIN", 2);
            put(producer, "lp", 0, "committed", key, 3);
            consumer.send("get lp g 0 " + end + " 1024 20000 9\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> log.dataWaiterCount() == 1);
            tx(producer, key, "COMMIT_ONE_PHASE", 4);
            ValueCommand value = (ValueCommand) consumer.read();
            try {
                assertThat(value.opaque()).isEqualTo(9);
                assertThat(body(new MessageSetIterator(value.body(), end).next()))
                        .isEqualTo("committed");
            } finally {
                value.release();
            }
        }
    }

    @Test
    void aMultiPartitionCommitIsOneContiguousBatchPerPartitionWithTheOriginalIds() throws Exception {
        try (WireClient c = connect();
                WireClient other = connect()) {
            String key = "TX:sess-1:80";
            tx(c, key, "BEGIN", 1);
            List<Long> ids0 = new ArrayList<>();
            List<Long> ids1 = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int partition = i % 2;
                Reply r = put(c, "mp", partition, "m" + i, key, 10 + i);
                (partition == 0 ? ids0 : ids1).add(Long.parseLong(r.text().split(" ")[0]));
                // another producer's plain puts land meanwhile; they must not split the batch
                other.put("mp", partition, ("plain" + i).getBytes(StandardCharsets.UTF_8), 100 + i);
                assertThat(result(other).code()).isEqualTo(200);
            }
            long start0 = log("mp", 0).maxOffset();
            long start1 = log("mp", 1).maxOffset();
            tx(c, key, "COMMIT_ONE_PHASE", 2);
            List<StoredMessage> got0 = get(c, "mp", 0, start0);
            List<StoredMessage> got1 = get(c, "mp", 1, start1);
            assertThat(got0).extracting(TxWire::body).containsExactly("m0", "m2", "m4");
            assertThat(got0).extracting(StoredMessage::id).containsExactlyElementsOf(ids0);
            assertThat(got1).extracting(TxWire::body).containsExactly("m1", "m3", "m5");
            assertThat(got1).extracting(StoredMessage::id).containsExactlyElementsOf(ids1);
            assertThat(got0.get(0).offset()).isEqualTo(start0);
            assertThat(got0.get(2).nextOffset()).isEqualTo(log("mp", 0).maxOffset());
        }
    }

    @Test
    void versionAnnouncesTxAdminAndStatsCountTransactions() throws Exception {
        try (WireClient c = connect()) {
            c.send("version 1\r\n");
            assertThat(result(c).text()).endsWith(" txadmin");
            String key = "TX:sess-1:90";
            tx(c, key, "BEGIN", 2);
            tx(c, key, "ROLLBACK", 3);
            tx(c, "XID:5:01:01:uq-stats", "BEGIN", 4);
            tx(c, "XID:5:01:01:uq-stats", "COMMIT_ONE_PHASE", 5);
            c.send("stats  6\r\n");
            String summary = result(c).text();
            assertThat(summary).containsPattern("\r\ntx_begin [1-9]\\d*\r\n");
            assertThat(summary).containsPattern("\r\ntx_xa_begin [1-9]\\d*\r\n");
            assertThat(summary).containsPattern("\r\ntx_commit [1-9]\\d*\r\n");
            assertThat(summary).containsPattern("\r\ntx_rollback [1-9]\\d*\r\n");
            assertThat(summary).doesNotContain("tx_prepared");
            c.send("stats transactions 7\r\n");
            assertThat(result(c).text()).contains("\r\ntx_prepared ").contains("\r\ntx_active ");
        }
    }

    private static List<String> keys() {
        return BROKER.harness().broker().transactions().list().stream()
                .map(io.imago.broker.tx.TxView::key)
                .toList();
    }

    private static PartitionLog log(String topic, int partition) throws Exception {
        BrokerHarness h = BROKER.harness();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> h.broker().partitions().find(topic, partition).isPresent() || create(topic, partition));
        return h.broker().partitions().find(topic, partition).orElseThrow().log();
    }

    /** Creates a partition with one plain message, so tests can read its end before a commit. */
    private static boolean create(String topic, int partition) throws Exception {
        try (WireClient c = connect()) {
            c.put(topic, partition, "seed".getBytes(StandardCharsets.UTF_8), 1);
            return result(c).code() == 200;
        }
    }
}
