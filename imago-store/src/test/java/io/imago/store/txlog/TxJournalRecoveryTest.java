package io.imago.store.txlog;

import static io.imago.store.txlog.Journals.config;
import static io.imago.store.txlog.Journals.message;
import static io.imago.store.txlog.Journals.open;
import static io.imago.store.txlog.Journals.starts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.imago.store.fs.FileChannelStorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Recovery of the redo files: a torn tail is truncated, any other bad record refuses the open. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TxJournalRecoveryTest {
    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger recoveryLog = (Logger) LoggerFactory.getLogger(TxJournalRecovery.class);

    private Level previousLevel;

    @BeforeEach
    void captureLog() {
        logged.start();
        previousLevel = recoveryLog.getLevel();
        recoveryLog.setLevel(Level.WARN);
        recoveryLog.setAdditive(false); // captured, not printed
        recoveryLog.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        recoveryLog.detachAppender(logged);
        recoveryLog.setAdditive(true);
        recoveryLog.setLevel(previousLevel);
    }

    /** Three transactions in redo.0; returns live() at close. */
    private Map<String, JournalTx> writeThree() throws Exception {
        try (TxJournal journal = open(dir, config(1), new FileChannelStorageIo())) {
            journal.put("a", message("t", 0, 1, "first"));
            journal.prepare("a").get(5, TimeUnit.SECONDS);
            journal.put("b", message("t", 0, 2, "second"));
            journal.commit("b", starts("t", 0, 7)).get(5, TimeUnit.SECONDS);
            journal.put("c", message("t", 0, 3, "third"));
            journal.prepare("c").get(5, TimeUnit.SECONDS);
            return journal.live();
        }
    }

    private Path redo(long n) {
        return dir.resolve(TxLogDescriptor.redoName(n));
    }

    private static void append(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            ch.write(b, position);
        }
    }

    /** Bytes of one whole encoded record. */
    private static byte[] record(TxRecord record) {
        Encoder e = new Encoder(64);
        TxRecord.encode(record, e);
        return java.util.Arrays.copyOf(e.array(), e.length());
    }

    @Test
    void aTornTailOfTheLastRedoFileIsTruncatedAndLogged() throws Exception {
        Map<String, JournalTx> before = writeThree();
        long size = Files.size(redo(0));
        byte[] whole = record(new TxRecord.Put("d", 0, message("t", 0, 4, "torn away")));
        append(redo(0), java.util.Arrays.copyOf(whole, whole.length - 5)); // the write was cut

        try (TxJournal reopened = open(dir, config(1), new FileChannelStorageIo())) {
            assertThat(reopened.live()).isEqualTo(before);
            assertThat(reopened.stats().truncatedAtOpen()).isEqualTo(whole.length - 5);
        }
        assertThat(Files.size(redo(0))).isEqualTo(size);
        assertThat(logged.list)
                .anySatisfy(e -> assertThat(e.getFormattedMessage())
                        .contains("Truncating the torn tail of " + redo(0))
                        .contains((whole.length - 5) + " bytes from position " + size));
    }

    @Test
    void aWholeLastRecordWithABadCrcIsATornTail() throws Exception {
        Map<String, JournalTx> before = writeThree();
        long size = Files.size(redo(0));
        append(redo(0), record(new TxRecord.Rollback("a", 0)));
        flipByte(redo(0), Files.size(redo(0)) - 1);

        try (TxJournal reopened = open(dir, config(1), new FileChannelStorageIo())) {
            assertThat(reopened.live()).isEqualTo(before);
        }
        assertThat(Files.size(redo(0))).isEqualTo(size);
    }

    @Test
    void aBadRecordWithRecordsAfterItIsCorruptionNamingFileAndPosition() throws Exception {
        writeThree();
        long size = Files.size(redo(0));
        flipByte(redo(0), 12); // inside the first record's body

        assertThatThrownBy(() -> open(dir, config(1), new FileChannelStorageIo()))
                .isInstanceOf(TxJournalCorruptException.class)
                .hasMessageContaining(redo(0).toString())
                .hasMessageContaining("position 0")
                .hasMessageContaining("CRC");
        assertThat(Files.size(redo(0))).as("nothing truncated").isEqualTo(size);
    }

    @Test
    void aTornTailOfARedoFileThatIsNotTheLastIsCorruption() throws Exception {
        writeThree();
        try (TxJournal again = open(dir, config(1), new FileChannelStorageIo())) {
            again.put("d", message("t", 0, 4, "in redo.1"));
        }
        assertThat(redo(1)).exists();
        long size = Files.size(redo(0));
        append(redo(0), new byte[] {0, 0, 0, 40, 1, 2});

        assertThatThrownBy(() -> open(dir, config(1), new FileChannelStorageIo()))
                .isInstanceOf(TxJournalCorruptException.class)
                .hasMessageContaining(redo(0).toString())
                .hasMessageContaining("position " + size)
                .satisfies(e ->
                        assertThat(((TxJournalCorruptException) e).position()).isEqualTo(size));
    }

    @Test
    void aTailOfZerosIsTruncated() throws Exception {
        Map<String, JournalTx> before = writeThree();
        append(redo(0), new byte[4096]);

        try (TxJournal reopened = open(dir, config(1), new FileChannelStorageIo())) {
            assertThat(reopened.live()).isEqualTo(before);
            assertThat(reopened.stats().truncatedAtOpen()).isEqualTo(4096);
        }
    }

    @Test
    void manyRedoFilesReplayInOrder() throws Exception {
        TxJournalConfig small = new TxJournalConfig(1, 3_600_000, 3, 1024);
        Map<String, JournalTx> before;
        try (TxJournal journal = open(dir, small, new FileChannelStorageIo())) {
            for (int i = 0; i < 200; i++) {
                journal.put("tx" + (i % 7), message("t", i % 3, i, "message " + i));
            }
            journal.prepare("tx3").get(5, TimeUnit.SECONDS);
            journal.commit("tx4", starts("t", 1, 99)).get(5, TimeUnit.SECONDS);
            assertThat(journal.stats().redoFiles()).isGreaterThan(5);
            before = journal.live();
        }
        try (TxJournal reopened = open(dir, small, new FileChannelStorageIo())) {
            assertThat(reopened.live()).isEqualTo(before);
            assertThat(reopened.stats().replayedAtOpen()).isEqualTo(202);
        }
        assertThat(Files.size(redo(0))).isLessThanOrEqualTo(1024);
    }
}
