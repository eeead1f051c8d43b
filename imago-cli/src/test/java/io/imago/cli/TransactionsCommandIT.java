package io.imago.cli;

import static io.imago.cli.CliToolsIT.imago;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.broker.Broker;
import io.imago.broker.BrokerHarnessExtension;
import io.imago.cli.CliToolsIT.Run;
import io.imago.store.fs.FileChannelStorageIo;
import io.imago.store.txlog.TxJournal;
import io.imago.store.txlog.TxJournalConfig;
import io.imago.store.txlog.TxMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code imago transactions}: the operator lists a prepared XA branch with its age and decides it heuristically. */
@Timeout(60)
class TransactionsCommandIT {
    @TempDir
    Path dir;

    @RegisterExtension
    static final BrokerHarnessExtension BROKER = BrokerHarnessExtension.of("numPartitions=1", "[topic=ops]");

    private static String broker() {
        return "127.0.0.1:" + BROKER.harness().port();
    }

    @Test
    void listsAPreparedBranchAndCommitsRollsBackAndForgetsHeuristically() throws Exception {
        String committed = "XID:1:0a:01:uq-cli";
        String rolledBack = "XID:1:0a:02:uq-cli";
        try (Socket s = new Socket("127.0.0.1", BROKER.harness().port())) {
            s.setSoTimeout(10_000);
            for (String xid : new String[] {committed, rolledBack}) {
                request(s, "transaction " + xid + " s BEGIN 1\r\n");
                request(s, "put ops 0 1 0 -1 " + xid + " 2\r\nx");
                assertThat(request(s, "transaction " + xid + " s PREPARE 3\r\n"))
                        .isEqualTo("result 200 1 3 0");
            }
        }
        Run list = imago("transactions", "--broker", broker());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.lines().get(0)).matches("STATE +AGE +MESSAGES +KEY");
        assertThat(list.lines())
                .anyMatch(l -> l.matches("PREPARED +\\d+(ms|\\.\\ds) +1 +\\Q" + committed + "\\E"))
                .anyMatch(l -> l.matches("PREPARED +\\S+ +1 +\\Q" + rolledBack + "\\E"));

        assertThat(imago("transactions", "--broker", broker(), "commit", committed)
                        .out())
                .isEqualTo("commit " + committed + ": done\n");
        assertThat(imago("transactions", "--broker", broker(), "rollback", rolledBack)
                        .exitCode())
                .isZero();
        assertThat(imago("transactions", "--broker", broker()).lines())
                .anyMatch(l -> l.matches("HEURISTIC_COMMITTED +\\S+ +1 +\\Q" + committed + "\\E"))
                .anyMatch(l -> l.matches("HEURISTIC_ROLLED_BACK +\\S+ +1 +\\Q" + rolledBack + "\\E"));

        Run again = imago("transactions", "--broker", broker(), "commit", committed);
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err())
                .contains("refused txadmin commit: Transaction '" + committed + "' is HEURISTIC_COMMITTED");

        assertThat(imago("transactions", "--broker", broker(), "forget", committed)
                        .exitCode())
                .isZero();
        assertThat(imago("transactions", "--broker", broker(), "forget", rolledBack)
                        .exitCode())
                .isZero();
        assertThat(imago("transactions", "--broker", broker()).lines()).hasSize(1);
    }

    @Test
    void metaqReadyRemovesAnEmptyJournalAndRefusesOneHoldingATransaction() throws Exception {
        Path journalDir = dir.resolve(Broker.TRANSACTIONS_DIR);
        // MetaQ's own journal, from a run of the original broker on this directory: its own, left alone
        Path metaqJournal = Files.createDirectories(dir.resolve(Broker.METAQ_TRANSACTIONS_DIR));
        Files.write(metaqJournal.resolve("redo.1"), new byte[] {0, 0, 0, 7, 1, 2, 3});
        String xid = "XID:1:0b:01:uq-ready";
        try (TxJournal journal =
                TxJournal.open(journalDir, TxJournalConfig.defaults(), new FileChannelStorageIo(), Clock.systemUTC())) {
            journal.put(xid, new TxMessage("t", 0, 42, 0, ByteBuffer.wrap(new byte[] {1}), -1));
            journal.prepare(xid).get(10, TimeUnit.SECONDS);
        }
        Run held = imago("metaq-ready", "--data", dir.toString());
        assertThat(held.exitCode()).isEqualTo(1);
        assertThat(held.out()).contains("open transaction " + xid + " PREPARED (1 messages)");
        assertThat(held.out()).doesNotContain("not a partition directory");
        assertThat(journalDir).isDirectory();
        try (TxJournal journal =
                TxJournal.open(journalDir, TxJournalConfig.defaults(), new FileChannelStorageIo(), Clock.systemUTC())) {
            journal.rollback(xid).get(10, TimeUnit.SECONDS);
        }
        Run ready = imago("metaq-ready", "--data", dir.toString());
        assertThat(ready.exitCode()).as(ready.out()).isZero();
        assertThat(ready.out()).contains("removed Imago's transaction journal " + journalDir);
        assertThat(journalDir).doesNotExist();
        assertThat(metaqJournal.resolve("redo.1")).hasBinaryContent(new byte[] {0, 0, 0, 7, 1, 2, 3});
    }

    @Test
    void usageErrors() {
        assertThat(imago("transactions", "--broker", broker(), "commit").exitCode())
                .isEqualTo(2);
        assertThat(imago("transactions", "--broker", broker(), "bogus").exitCode())
                .isEqualTo(2);
        assertThat(imago("transactions", "--broker", broker(), "list", "XID:1:0a:01:q")
                        .exitCode())
                .isEqualTo(2);
    }

    @Test
    void formatsAges() {
        assertThat(TransactionsCommand.age(850)).isEqualTo("850ms");
        assertThat(TransactionsCommand.age(12_340)).isEqualTo("12.3s");
        assertThat(TransactionsCommand.age(245_000)).isEqualTo("4m05s");
        assertThat(TransactionsCommand.age(7_620_000)).isEqualTo("2h07m");
        assertThat(TransactionsCommand.age(273_600_000)).isEqualTo("3d04h");
    }

    /** Sends a request and returns its reply as {@code result <code> <len> <opaque> <body>}. */
    private static String request(Socket s, String request) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = s.getInputStream();
        String header = BrokerStatsClient.readLine(in);
        int length = Integer.parseInt(header.split(" ")[2]);
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        return body.isEmpty() ? header : header + " " + body;
    }
}
