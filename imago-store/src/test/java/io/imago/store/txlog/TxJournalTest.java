package io.imago.store.txlog;

import static io.imago.store.txlog.Journals.config;
import static io.imago.store.txlog.Journals.message;
import static io.imago.store.txlog.Journals.open;
import static io.imago.store.txlog.Journals.starts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FileChannelStorageIo;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The journal's records and state through close and open. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TxJournalTest {
    @TempDir
    Path dir;

    @Test
    void everyRecordTypeSurvivesCloseAndOpen() throws Exception {
        Map<String, JournalTx> before;
        try (TxJournal journal = open(dir, config(1), new FileChannelStorageIo())) {
            journal.put("active", message("t", 0, 1, "a1"));
            journal.put("active", message("t", 1, 2, "a2"));
            journal.put("prepared", message("t", 0, 3, "p1"));
            journal.prepare("prepared").get(5, TimeUnit.SECONDS);
            journal.put("committing", message("t", 0, 4, "c1"));
            journal.put("committing", message("u", 2, 5, "c2"));
            journal.commit("committing", starts("t", 0, 100)).get(5, TimeUnit.SECONDS);
            journal.put("done", message("t", 0, 6, "d1"));
            journal.commit("done", starts("t", 0, 100)).get(5, TimeUnit.SECONDS);
            journal.completed("done");
            journal.put("rolledBack", message("t", 0, 7, "r1"));
            journal.rollback("rolledBack").get(5, TimeUnit.SECONDS);
            journal.prepare("heuristic").get(5, TimeUnit.SECONDS);
            journal.heuristic("heuristic", TxState.HEURISTIC_MIXED).get(5, TimeUnit.SECONDS);
            journal.prepare("forgotten").get(5, TimeUnit.SECONDS);
            journal.heuristic("forgotten", TxState.HEURISTIC_COMMITTED).get(5, TimeUnit.SECONDS);
            journal.forget("forgotten").get(5, TimeUnit.SECONDS);
            before = journal.live();
        }
        assertThat(before).containsOnlyKeys("active", "prepared", "committing", "heuristic");
        assertThat(before.get("active").state()).isEqualTo(TxState.ACTIVE);
        assertThat(before.get("prepared").state()).isEqualTo(TxState.PREPARED);
        assertThat(before.get("prepared").wasPrepared()).isTrue();
        assertThat(before.get("committing").state()).isEqualTo(TxState.COMMITTING);
        assertThat(before.get("committing").starts()).isEqualTo(starts("t", 0, 100));
        assertThat(before.get("heuristic").state()).isEqualTo(TxState.HEURISTIC_MIXED);
        assertThat(before.get("committing").messages())
                .containsExactly(message("t", 0, 4, "c1"), message("u", 2, 5, "c2"));
        assertThat(before.get("active").firstRecordMs()).isEqualTo(Journals.CLOCK.millis());

        try (TxJournal reopened = open(dir, config(1), new FileChannelStorageIo())) {
            assertThat(reopened.live()).isEqualTo(before);
        }
    }

    @Test
    void aTransitionTheStateDoesNotAllowFailsAndJournalsNothing() throws Exception {
        try (TxJournal journal = open(dir, config(1), new FileChannelStorageIo())) {
            journal.put("tx", message("t", 0, 1, "a"));
            journal.commit("tx", starts("t", 0, 0)).get(5, TimeUnit.SECONDS);
            assertThat(journal.rollback("tx")).failsWithin(5, TimeUnit.SECONDS);
            assertThatThrownBy(() -> journal.put("tx", message("t", 0, 2, "b")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("COMMITTING");
            long records = journal.stats().records();
            assertThat(records).isEqualTo(2);
        }
    }

    @Test
    void aPreparedTransactionSurvivesPowerLossOncePrepareCompleted() throws Exception {
        FaultInjectingStorageIo io = Journals.redoFaults();
        TxJournal journal = open(dir, config(0), io);
        journal.put("xa", message("t", 0, 1, "m1"));
        journal.put("xa", message("t", 1, 2, "m2"));
        journal.prepare("xa").get(5, TimeUnit.SECONDS);
        journal.put("local", message("t", 0, 3, "unforced")); // never forced: may be lost
        io.simulatePowerLoss();
        journal.close();

        try (TxJournal reopened = open(dir, config(0), new FileChannelStorageIo())) {
            JournalTx xa = reopened.get("xa").orElseThrow();
            assertThat(xa.state()).isEqualTo(TxState.PREPARED);
            assertThat(xa.messages()).containsExactly(message("t", 0, 1, "m1"), message("t", 1, 2, "m2"));
        }
    }

    @Test
    void aCommitSurvivesPowerLossWithFlushAtCommit1() throws Exception {
        FaultInjectingStorageIo io = Journals.redoFaults();
        TxJournal journal = open(dir, config(1), io);
        journal.put("tx", message("t", 0, 1, "m1"));
        journal.commit("tx", starts("t", 0, 42)).get(5, TimeUnit.SECONDS);
        io.simulatePowerLoss();
        journal.close();

        try (TxJournal reopened = open(dir, config(1), new FileChannelStorageIo())) {
            JournalTx tx = reopened.get("tx").orElseThrow();
            assertThat(tx.state()).isEqualTo(TxState.COMMITTING);
            assertThat(tx.starts()).isEqualTo(starts("t", 0, 42));
        }
    }

    @Test
    void aCommitWithFlushAtCommit0SurvivesAProcessCrashButNotPowerLoss() throws Exception {
        FaultInjectingStorageIo crashed = Journals.redoFaults();
        TxJournal journal = open(dir.resolve("crash"), config(0), crashed);
        journal.put("tx", message("t", 0, 1, "m1"));
        journal.commit("tx", starts("t", 0, 42)).get(5, TimeUnit.SECONDS);
        crashed.simulateProcessCrash();
        journal.close();
        assertThat(crashed.fsyncCount()).isZero();
        try (TxJournal reopened = open(dir.resolve("crash"), config(0), new FileChannelStorageIo())) {
            assertThat(reopened.get("tx").orElseThrow().state()).isEqualTo(TxState.COMMITTING);
        }

        FaultInjectingStorageIo powerLost = Journals.redoFaults();
        journal = open(dir.resolve("power"), config(0), powerLost);
        journal.put("tx", message("t", 0, 1, "m1"));
        journal.commit("tx", starts("t", 0, 42)).get(5, TimeUnit.SECONDS);
        powerLost.simulatePowerLoss();
        journal.close();
        try (TxJournal reopened = open(dir.resolve("power"), config(0), new FileChannelStorageIo())) {
            assertThat(reopened.live()).isEmpty(); // flushAtCommit 0 promises nothing across power loss
        }
    }

    @Test
    void operationsAfterCloseFailOffline() throws Exception {
        TxJournal journal = open(dir, config(1), new FileChannelStorageIo());
        journal.close();
        journal.close();
        assertThatThrownBy(() -> journal.put("tx", message("t", 0, 1, "a")))
                .isInstanceOf(TxJournalOfflineException.class);
        assertThat(journal.prepare("tx")).failsWithin(1, TimeUnit.SECONDS);
    }
}
