package io.imago.store.txlog;

import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Fixtures for journal tests. */
final class Journals {
    private Journals() {}

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    /** A config with the given flushAtCommit, checkpoints only on demand (an hour apart). */
    static TxJournalConfig config(int flushAtCommit) {
        return new TxJournalConfig(flushAtCommit, 3_600_000, 3, TxJournalConfig.DEFAULT_MAX_FILE_BYTES);
    }

    static TxJournal open(Path dir, TxJournalConfig config, StorageIo io) throws IOException {
        return TxJournal.open(dir, config, io, CLOCK);
    }

    /** A storage seam whose write and fsync faults (and fsync counts) hit the redo files. */
    static FaultInjectingStorageIo redoFaults() {
        return new FaultInjectingStorageIo()
                .faultTarget(p -> p.getFileName().toString().startsWith(TxLogDescriptor.REDO_PREFIX));
    }

    static TxMessage message(String topic, int partition, long id, String body) {
        return new TxMessage(
                topic, partition, id, 0, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), body.hashCode());
    }

    static List<PartitionStart> starts(String topic, int partition, long offset) {
        return List.of(new PartitionStart(topic, partition, offset));
    }
}
