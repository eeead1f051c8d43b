package io.imago.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.protocol.RecordDescriptor;
import io.imago.store.GarbageSegments.Layout;
import io.imago.store.StoredRecords.Stored;
import io.imago.store.fs.FileChannelStorageIo;
import io.imago.store.fs.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resynchronising after garbage in a sealed segment (issue 13 section 2.3) costs bounded work per byte
 * scanned: a candidate record whose length is implausible is skipped before any CRC, and no CRC runs
 * over more than {@code maxMessageBytes}. Before, each garbage byte could cost a CRC over the rest of
 * the segment, and a few KiB of garbage in a big segment hung recovery. The timeouts are bounds on a
 * hang, not timing assertions: the scan itself takes well under a second per 64 MiB.
 */
class ResyncTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void recoveryResyncsAfterGarbageIn64MiBSegmentInBoundedTime() throws IOException {
        GarbageSegments segments = new GarbageSegments(64);
        Path dir = tmp.resolve("garbage-0");
        // 64 KiB: the old scan took 250 s over this garbage (about 3.8 ms per byte), now well under 1 s
        Layout layout = segments.write(dir, 64L * MiB, MiB, segments.smallByteGarbage(64 * 1024));
        assertRecoveredAroundGarbage(dir, layout);
    }

    /**
     * Tagged {@code fault} (run with {@code -Pfault}) for its footprint, not its time (2.5 to 5 s here): it
     * writes a 1 GiB file to the temporary directory, which is memory where that is a tmpfs.
     */
    @Test
    @Tag("fault")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void recoveryOfA1GiBSegmentWithGarbageFinishesAndKeepsTheRecordsAfterIt() throws IOException {
        GarbageSegments segments = new GarbageSegments(1024);
        Path dir = tmp.resolve("garbage-1");
        Layout layout = segments.write(dir, 1024L * MiB, MiB, segments.numericTextGarbage(4096));
        assertRecoveredAroundGarbage(dir, layout);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void resyncResumesOnlyAtRecordsNoLargerThanMaxMessageBytes() throws IOException {
        Path path = tmp.resolve(LogDescriptor.segmentFileName(0));
        byte[] garbage = new GarbageSegments(7).randomGarbage(64);
        ByteBuffer bytes = ByteBuffer.allocate(4 * 20 + 100 + 64 + 5000 + 100 + 100)
                .put(record(1, 100))
                .put(garbage)
                .put(record(2, 5000))
                .put(record(3, 100))
                .put(record(4, 100))
                .flip();
        Files.write(path, Arrays.copyOf(bytes.array(), bytes.limit()));
        long size = bytes.limit();
        try (StorageFile file = new FileChannelStorageIo().open(path)) {
            assertThat(new SegmentScanner(file, size, 5000).corruptRanges(0, 0))
                    .as("resumes at the big record")
                    .containsExactly(new CorruptRange(120, 184));
            assertThat(new SegmentScanner(file, size, 4999).corruptRanges(0, 0))
                    .as("skips the record over the limit, resumes after it")
                    .containsExactly(new CorruptRange(120, 184 + 5020));
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aValidRecordLargerThanMaxMessageBytesIsKeptByRecovery() throws IOException {
        Path dir = tmp.resolve("big-0");
        LogConfig config = LogConfig.builder()
                .maxSegmentBytes(10_000)
                .maxMessageBytes(1000)
                .build();
        try (PartitionLog log = PartitionLog.open(dir, config, new FileChannelStorageIo(), clock)) {
            for (int i = 0; i < 4; i++) {
                log.append(i + 1, 0, StoredRecords.payload(i, 6000)).join();
            }
        }
        new RecoveryPoint(false, 0, List.of()).write(new FileChannelStorageIo(), dir);
        try (PartitionLog log = PartitionLog.open(dir, config, new FileChannelStorageIo(), clock)) {
            assertThat(log.recovery().scannedBytes()).isEqualTo(4 * 6020);
            assertThat(log.recovery().truncatedBytes()).isZero();
            assertThat(log.corruptRanges()).isEmpty();
            assertThat(StoredRecords.readAll(log)).hasSize(4);
        }
    }

    /** A valid record with message id {@code id} and a payload of {@code payloadBytes}. */
    private static ByteBuffer record(long id, int payloadBytes) {
        ByteBuffer payload = StoredRecords.payload(id, payloadBytes);
        return ByteBuffer.allocate(RecordDescriptor.recordLength(payloadBytes))
                .putInt(payloadBytes)
                .putInt(RecordDescriptor.checksum(payload))
                .putLong(id)
                .putInt(0)
                .put(payload)
                .flip();
    }

    private void assertRecoveredAroundGarbage(Path dir, Layout layout) throws IOException {
        try (PartitionLog log = PartitionLog.open(dir, LogConfig.defaults(), new FileChannelStorageIo(), clock)) {
            RecoveryReport report = log.recovery();
            assertThat(report.recovered()).isTrue();
            assertThat(report.truncatedBytes()).isZero();
            assertThat(report.corruptRanges())
                    .as("the garbage, exactly")
                    .containsExactly(new CorruptRange(layout.garbageStart(), layout.garbageEnd()));
            assertThat(log.minOffset()).isZero();
            assertThat(log.segmentCount()).isEqualTo(2);
            assertThatThrownBy(() -> log.read(layout.garbageStart(), 100)).isInstanceOf(CorruptRecordException.class);
            assertRecordAt(log, layout.garbageEnd());
            assertRecordAt(log, layout.lastSealed());
            assertRecordAt(log, layout.sealedEnd());
        }
    }

    /** A whole, valid record starts at {@code offset} (payloads are at most 60 KiB). */
    private static void assertRecordAt(PartitionLog log, long offset) {
        LogRegion region = (LogRegion) log.read(offset, 64 * 1024);
        byte[] bytes;
        try {
            bytes = StoredRecords.bytes(region);
        } finally {
            region.release();
        }
        List<Stored> records = new ArrayList<>();
        StoredRecords.parse(ByteBuffer.wrap(bytes), offset, records);
        assertThat(records).as("records at %d", offset).isNotEmpty();
        assertThat(records.get(0).offset()).isEqualTo(offset);
    }
}
