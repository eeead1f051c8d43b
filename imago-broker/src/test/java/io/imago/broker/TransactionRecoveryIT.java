package io.imago.broker;

import static io.imago.broker.TxWire.get;
import static io.imago.broker.TxWire.put;
import static io.imago.broker.TxWire.result;
import static io.imago.broker.TxWire.tx;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.broker.TxWire.Reply;
import io.imago.protocol.message.StoredMessage;
import io.imago.store.LogDescriptor;
import io.imago.store.fs.FaultInjectingStorageIo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a broker crash leaves of transactions (the process dies: every later write fails, nothing
 * written is lost; the broker is then restarted over the same data): prepared XA branches come back and
 * RECOVER lists them, unfinished ones are rolled back, and a commit whose appends failed after its commit
 * record is completed exactly once — the messages a partition already holds are not appended again.
 */
@Timeout(90)
class TransactionRecoveryIT {
    private static final String SYSTEM = "numPartitions=2";
    private static final String TOPICS = "[topic=rtx]\n[topic=ftx]";

    @RegisterExtension
    final BrokerHarnessExtension brokers = BrokerHarnessExtension.onDemand();

    @Test
    void preparedBranchesSurviveACrashAndUnfinishedTransactionsAreRolledBack() throws Exception {
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        BrokerHarness harness = brokers.start(SYSTEM, TOPICS, io);
        String prepared = "XID:1:0a:01:uq-r";
        String activeXa = "XID:1:0a:02:uq-r";
        String local = "TX:sess-r:1";
        long end;
        try (WireClient c = harness.connect()) {
            seed(c, "rtx", 0);
            end = harness.broker()
                    .partitions()
                    .find("rtx", 0)
                    .orElseThrow()
                    .log()
                    .maxOffset();
            tx(c, prepared, "BEGIN", "uq-r", 1);
            put(c, "rtx", 0, "prepared", prepared, 2);
            assertThat(tx(c, prepared, "PREPARE", 3).text()).isEqualTo("0");
            tx(c, activeXa, "BEGIN", 4);
            put(c, "rtx", 0, "unprepared", activeXa, 5);
            tx(c, local, "BEGIN", 6);
            put(c, "rtx", 0, "local", local, 7);
            io.simulateProcessCrash();
        }
        harness.stopBroker();
        harness.startBroker(new FaultInjectingStorageIo(), SYSTEM, TOPICS);
        try (WireClient c = harness.connect()) {
            assertThat(tx(c, "null", "RECOVER", "uq-r", 1)).isEqualTo(new Reply(200, prepared, 1));
            assertThat(tx(c, activeXa, "COMMIT_ONE_PHASE", 2).text())
                    .as("an unprepared branch is rolled back at start")
                    .isEqualTo("XAException:code=-4,msg=XA transaction '" + activeXa + "' has not been started.");
            assertThat(get(c, "rtx", 0, end))
                    .as("nothing visible before the TM decides")
                    .isEmpty();
            assertThat(tx(c, prepared, "COMMIT_TWO_PHASE", 3)).isEqualTo(new Reply(200, "", 3));
            assertThat(get(c, "rtx", 0, end)).extracting(TxWire::body).containsExactly("prepared");
            assertThat(harness.broker().transactions().list()).isEmpty();
        }
        harness.stopBroker();
        harness.startBroker(new FaultInjectingStorageIo(), SYSTEM, TOPICS);
        try (WireClient c = harness.connect()) {
            assertThat(tx(c, "null", "RECOVER", 1)).isEqualTo(new Reply(200, "", 1));
            assertThat(get(c, "rtx", 0, end)).extracting(TxWire::body).containsExactly("prepared");
        }
    }

    @Test
    void aCommitWhoseAppendFailedAfterItsRecordIsCompletedExactlyOnceAtRestart() throws Exception {
        // writes to partition ftx-1's segments fail once armed; ftx-0's go through
        FaultInjectingStorageIo io = new FaultInjectingStorageIo()
                .faultTarget(p -> p.getFileName().toString().endsWith(LogDescriptor.SEGMENT_SUFFIX)
                        && p.getParent().getFileName().toString().equals("ftx-1"));
        BrokerHarness harness = brokers.start(SYSTEM, TOPICS, io);
        String xid = "XID:2:0b:01:uq-f";
        long end0;
        long end1;
        List<Long> ids = new ArrayList<>();
        try (WireClient c = harness.connect()) {
            seed(c, "ftx", 0);
            seed(c, "ftx", 1);
            end0 = harness.broker()
                    .partitions()
                    .find("ftx", 0)
                    .orElseThrow()
                    .log()
                    .maxOffset();
            end1 = harness.broker()
                    .partitions()
                    .find("ftx", 1)
                    .orElseThrow()
                    .log()
                    .maxOffset();
            tx(c, xid, "BEGIN", 1);
            for (int i = 0; i < 4; i++) {
                Reply r = put(c, "ftx", i % 2, "m" + i, xid, 10 + i);
                ids.add(Long.parseLong(r.text().split(" ")[0]));
            }
            assertThat(tx(c, xid, "PREPARE", 2).text()).isEqualTo("0");
            io.failEveryWrite(true);
            Reply commit = tx(c, xid, "COMMIT_TWO_PHASE", 3);
            assertThat(commit.code()).isEqualTo(500);
            assertThat(commit.text()).startsWith("XAException:code=-7,msg=Commit of transaction '" + xid + "' failed");
            assertThat(get(c, "ftx", 0, end0))
                    .as("the partition whose append worked has its batch")
                    .extracting(TxWire::body)
                    .containsExactly("m0", "m2");
            assertThat(tx(c, xid, "COMMIT_TWO_PHASE", 4).text())
                    .as("a retry while the partition is still offline fails the same way")
                    .startsWith("XAException:code=-7,");
            assertThat(tx(c, xid, "ROLLBACK", 5).text())
                    .as("a recorded commit cannot be rolled back")
                    .isEqualTo("XAException:code=-6,msg=Cannot call rollback now.");
            io.simulateProcessCrash();
        }
        harness.stopBroker();
        harness.startBroker(new FaultInjectingStorageIo(), SYSTEM, TOPICS);
        try (WireClient c = harness.connect()) {
            List<StoredMessage> p0 = get(c, "ftx", 0, end0);
            List<StoredMessage> p1 = get(c, "ftx", 1, end1);
            assertThat(p0).extracting(TxWire::body).as("not appended twice").containsExactly("m0", "m2");
            assertThat(p0).extracting(StoredMessage::id).containsExactly(ids.get(0), ids.get(2));
            assertThat(p1).extracting(TxWire::body).containsExactly("m1", "m3");
            assertThat(p1).extracting(StoredMessage::id).containsExactly(ids.get(1), ids.get(3));
            assertThat(tx(c, "null", "RECOVER", 1)).isEqualTo(new Reply(200, "", 1));
            assertThat(tx(c, xid, "COMMIT_TWO_PHASE", 2).text())
                    .isEqualTo("XAException:code=-4,msg=XA transaction '" + xid + "' has not been started.");
        }
    }

    private static void seed(WireClient c, String topic, int partition) throws Exception {
        c.put(topic, partition, "seed".getBytes(StandardCharsets.UTF_8), 99);
        assertThat(result(c).code()).isEqualTo(200);
    }
}
