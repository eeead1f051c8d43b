package io.imago.store.txlog;

import static io.imago.store.txlog.Journals.message;
import static io.imago.store.txlog.Journals.open;
import static io.imago.store.txlog.Journals.starts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FaultInjectingStorageIo.FsyncGate;
import io.imago.store.fs.FileChannelStorageIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints: a restart replays only what follows the newest usable one; the journal stays bounded. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TxJournalCheckpointTest {
    /** Small redo files, so that a few hundred records roll several times. */
    private static final TxJournalConfig SMALL = new TxJournalConfig(1, 3_600_000, 3, 1024);

    @TempDir
    Path dir;

    private List<String> files(String prefix) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && !n.endsWith(TxLogDescriptor.TMP_SUFFIX))
                    .sorted()
                    .toList();
        }
    }

    /** Puts {@code n} messages spread over keys prefix0..prefix4, some of them then finished. */
    private static void traffic(TxJournal journal, String prefix, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            journal.put(prefix + (i % 5), message("t", i % 2, i, prefix + " message " + i));
        }
        journal.prepare(prefix + "1").get(5, TimeUnit.SECONDS);
        journal.commit(prefix + "2", starts("t", 0, 10)).get(5, TimeUnit.SECONDS);
        journal.rollback(prefix + "3").get(5, TimeUnit.SECONDS);
    }

    @Test
    void aRestartReplaysOnlyAfterTheCheckpointAndOlderRedoFilesAreDeleted() throws Exception {
        Map<String, JournalTx> before;
        try (TxJournal journal = open(dir, SMALL, new FileChannelStorageIo())) {
            traffic(journal, "early", 100);
            assertThat(files("redo.")).hasSizeGreaterThan(3);
            journal.checkpoint();
            journal.put("late", message("t", 0, 1000, "after the checkpoint"));
            journal.prepare("late").get(5, TimeUnit.SECONDS);
            before = journal.live();
            assertThat(journal.stats().checkpoints()).isEqualTo(1);
        }
        // only the file the checkpoint replays from (and later ones) is left
        assertThat(files("redo.")).hasSizeLessThanOrEqualTo(2);
        assertThat(files("checkpoint.")).containsExactly("checkpoint.0");

        try (TxJournal reopened = open(dir, SMALL, new FileChannelStorageIo())) {
            assertThat(reopened.live()).isEqualTo(before);
            assertThat(reopened.stats().replayedAtOpen()).isEqualTo(2); // the put and prepare of "late"
        }
    }

    @Test
    void maxCheckpointsAreKept() throws Exception {
        TxJournalConfig twoKept = new TxJournalConfig(1, 3_600_000, 2, 1024);
        try (TxJournal journal = open(dir, twoKept, new FileChannelStorageIo())) {
            for (int round = 0; round < 5; round++) {
                traffic(journal, "r" + round, 30);
                journal.checkpoint();
            }
        }
        assertThat(files("checkpoint.")).containsExactly("checkpoint.3", "checkpoint.4");
    }

    @Test
    void aCorruptNewestCheckpointFallsBackToThePreviousOne() throws Exception {
        Map<String, JournalTx> before;
        try (TxJournal journal = open(dir, SMALL, new FileChannelStorageIo())) {
            traffic(journal, "a", 50);
            journal.checkpoint();
            traffic(journal, "b", 50);
            journal.checkpoint();
            traffic(journal, "c", 20);
            before = journal.live();
        }
        assertThat(files("checkpoint.")).containsExactly("checkpoint.0", "checkpoint.1");
        Path newest = dir.resolve("checkpoint.1");
        try (FileChannel ch = FileChannel.open(newest, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x13, 0x37}), Files.size(newest) / 2);
        }

        try (TxJournal reopened = open(dir, SMALL, new FileChannelStorageIo())) {
            assertThat(reopened.live()).isEqualTo(before);
        }
        assertThat(files("checkpoint.")).contains("checkpoint.0", "checkpoint.1.corrupt");
    }

    @Test
    void scheduledCheckpointsKeepTheJournalBounded() throws Exception {
        TxJournalConfig often = new TxJournalConfig(0, 50, 2, 1024);
        try (TxJournal journal = open(dir, often, new FileChannelStorageIo())) {
            for (int round = 0; round < 20; round++) {
                traffic(journal, "r" + round, 20);
                for (int i = 0; i < 5; i++) {
                    String key = "r" + round + i;
                    if (journal.get(key)
                            .map(tx -> tx.state() == TxState.COMMITTING)
                            .orElse(false)) {
                        journal.completed(key);
                    } else {
                        journal.rollback(key).get(5, TimeUnit.SECONDS);
                    }
                }
            }
            assertThat(journal.live()).isEmpty();
            // idle now: the timer's checkpoints catch up with the end and free every older redo file
            await().atMost(Duration.ofSeconds(10)).until(() -> files("redo.").size() == 1);
            assertThat(journal.stats().checkpoints()).isPositive();
            assertThat(files("checkpoint.")).hasSizeLessThanOrEqualTo(2);
            assertThat(journal.stats().redoFiles()).isEqualTo(1);
        }
    }

    @Test
    void aCheckpointIsWrittenOnlyOnceTheRedoRecordsItSkipsAreFsynced() throws Exception {
        FaultInjectingStorageIo io = Journals.redoFaults();
        TxJournal journal = open(dir, SMALL, io);
        traffic(journal, "x", 40); // ends with a forced rollback
        Map<String, JournalTx> durable = journal.live();
        journal.put("unforced", message("t", 0, 99, "a put is only written"));
        FsyncGate gate = io.holdFsyncs();
        CompletableFuture<Void> checkpoint = CompletableFuture.runAsync(() -> {
            try {
                journal.checkpoint();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(gate.awaitHeld(10, TimeUnit.SECONDS)).isTrue();
        await().during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(2))
                .until(() -> files("checkpoint.").isEmpty());
        io.simulatePowerLoss(); // the put after the last fsync is lost
        gate.open();
        assertThat(checkpoint).failsWithin(10, TimeUnit.SECONDS);
        journal.close();

        try (TxJournal reopened = open(dir, SMALL, new FileChannelStorageIo())) {
            assertThat(reopened.live()).isEqualTo(durable);
        }
    }
}
