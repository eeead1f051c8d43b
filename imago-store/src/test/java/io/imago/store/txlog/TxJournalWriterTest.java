package io.imago.store.txlog;

import static io.imago.store.txlog.Journals.config;
import static io.imago.store.txlog.Journals.message;
import static io.imago.store.txlog.Journals.open;
import static io.imago.store.txlog.Journals.starts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FaultInjectingStorageIo.FsyncGate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The writer thread: group commit, flushAtCommit, and going offline on a failed write or fsync. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TxJournalWriterTest {
    @TempDir
    Path dir;

    private final FaultInjectingStorageIo io = Journals.redoFaults();

    @Test
    void concurrentPreparesShareFsyncs() throws Exception {
        int n = 16;
        try (TxJournal journal = open(dir, config(1), io)) {
            for (int i = 0; i < n; i++) {
                journal.put("tx" + i, message("t", 0, i, "m" + i));
            }
            FsyncGate gate = io.holdFsyncs();
            CompletableFuture<Void> first = journal.prepare("tx0");
            assertThat(gate.awaitHeld(10, TimeUnit.SECONDS)).isTrue();
            // every other prepare is queued while the first fsync is held
            ExecutorService callers = Executors.newFixedThreadPool(4);
            List<CompletableFuture<Void>> prepared = new CopyOnWriteArrayList<>();
            try {
                for (int i = 1; i < n; i++) {
                    String key = "tx" + i;
                    callers.execute(() -> prepared.add(journal.prepare(key)));
                }
                callers.shutdown();
                assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
                assertThat(prepared).hasSize(n - 1);
                assertThat(first).isNotDone();
                assertThat(prepared).noneMatch(CompletableFuture::isDone);
                long fsyncsBefore = io.fsyncCount();
                gate.open();
                CompletableFuture.allOf(prepared.toArray(CompletableFuture[]::new))
                        .get(10, TimeUnit.SECONDS);
                first.get(10, TimeUnit.SECONDS);
                assertThat(io.fsyncCount() - fsyncsBefore).isLessThan(n).isLessThanOrEqualTo(2);
            } finally {
                callers.shutdownNow();
            }
            assertThat(journal.live().values()).allMatch(tx -> tx.state() == TxState.PREPARED);
        }
    }

    @Test
    void aFailedFsyncFailsTheFutureAndTakesTheJournalOffline() throws Exception {
        TxJournal journal = open(dir, config(1), io);
        journal.put("tx", message("t", 0, 1, "m"));
        io.failNextFsync();
        CompletableFuture<Void> prepare = journal.prepare("tx");

        assertThat(prepare)
                .failsWithin(10, TimeUnit.SECONDS)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(TxJournalOfflineException.class);
        assertThat(journal.stats().offline()).isTrue();
        assertThatThrownBy(() -> journal.put("other", message("t", 0, 2, "m")))
                .isInstanceOf(TxJournalOfflineException.class)
                .hasRootCauseMessage("injected fsync failure on " + dir.resolve("redo.0"));
        assertThat(journal.commit("tx2", starts("t", 0, 0)))
                .failsWithin(1, TimeUnit.SECONDS)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(TxJournalOfflineException.class);
        journal.close();
    }

    @Test
    void aFailedWriteFailsEveryPendingFuture() throws Exception {
        TxJournal journal = open(dir, config(0), io);
        io.failEveryWrite(true);
        CompletableFuture<Void> commit = journal.commit("tx", starts("t", 0, 0));
        assertThat(commit).failsWithin(10, TimeUnit.SECONDS);
        assertThat(journal.stats().offline()).isTrue();
        journal.close();
    }

    @Test
    void flushAtCommit0NeverForcesACommit() throws Exception {
        try (TxJournal journal = open(dir, config(0), io)) {
            journal.put("tx", message("t", 0, 1, "m"));
            journal.commit("tx", starts("t", 0, 0)).get(5, TimeUnit.SECONDS);
            journal.completed("tx");
            journal.rollback("none").get(5, TimeUnit.SECONDS);
            assertThat(io.fsyncCount()).isZero();
        }
    }

    @Test
    void flushAtCommit2ForcesOnceASecondNotPerCommit() throws Exception {
        try (TxJournal journal = open(dir, config(2), io)) {
            FsyncGate gate = io.holdFsyncs(); // the commit's future must not wait for any fsync
            journal.put("tx", message("t", 0, 1, "m"));
            journal.commit("tx", starts("t", 0, 0)).get(5, TimeUnit.SECONDS);
            assertThat(gate.awaitHeld(5, TimeUnit.SECONDS))
                    .as("the timer forces within about a second")
                    .isTrue();
            gate.open();
            await().atMost(Duration.ofSeconds(5)).until(() -> io.fsyncCount() == 1);
        }
    }

    @Test
    void aHeuristicCommitMayFollowTheCommitRecord() throws Exception {
        try (TxJournal journal = open(dir, config(1), io)) {
            journal.put("tx", message("t", 0, 1, "m"));
            journal.prepare("tx").get(5, TimeUnit.SECONDS);
            journal.commit("tx", starts("t", 0, 0)).get(5, TimeUnit.SECONDS);
            journal.heuristic("tx", TxState.HEURISTIC_COMMITTED).get(5, TimeUnit.SECONDS);
            assertThat(journal.get("tx").orElseThrow().state()).isEqualTo(TxState.HEURISTIC_COMMITTED);
            journal.put("other", message("t", 0, 2, "m"));
            journal.commit("other", starts("t", 0, 0)).get(5, TimeUnit.SECONDS);
            assertThat(journal.heuristic("other", TxState.HEURISTIC_ROLLED_BACK))
                    .failsWithin(1, TimeUnit.SECONDS);
        }
    }
}
