package io.imago.store;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FileChannelStorageIo;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acknowledged-end marker of the checkpoint: recovery keeps (and reports) corruption below it in
 * the active segment, and truncates only a torn tail above it; the marker is written in the background,
 * never on a put's path.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AcknowledgedEndTest {
    /** Ten 50-byte records (30-byte payloads) in one active segment: offsets 0, 50, ..., 450; end 500. */
    private static final int RECORDS = 10;

    private static final int RECORD_BYTES = 50;
    private static final long END = RECORDS * RECORD_BYTES;
    /** The marker follows every fsync, as fast as its thread can write it. */
    private static final LogConfig EAGER_MARKER =
            LogConfig.builder().ackMarkerBytes(1).build();

    @TempDir
    Path tmp;

    private final StorageIo io = new FileChannelStorageIo();
    private final Clock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));

    /** Acknowledges the records, waits until the marker covers them, then loses power. */
    private Path acknowledgedThenPowerLoss(String name) throws Exception {
        Path dir = tmp.resolve(name);
        FaultInjectingStorageIo faulty = new FaultInjectingStorageIo();
        PartitionLog log = PartitionLog.open(dir, EAGER_MARKER, faulty, clock);
        for (int i = 0; i < RECORDS; i++) {
            log.append(i + 1, 0, payload(i, RECORD_BYTES - 20)).join();
        }
        assertThat(log.awaitAcknowledgedEndMarked(END, 10_000))
                .as("the marker reaches the acknowledged end")
                .isTrue();
        faulty.simulatePowerLoss();
        log.close();
        return dir;
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x10);
        }
    }

    @Test
    void corruptionInsideAcknowledgedDataOfTheActiveSegmentIsReportedAndKept() throws Exception {
        Path dir = acknowledgedThenPowerLoss("ack-corrupt-0");
        Path segment = dir.resolve(LogDescriptor.segmentFileName(0));
        flipByte(segment, 3 * RECORD_BYTES + 25);
        try (PartitionLog log = PartitionLog.open(dir, EAGER_MARKER, io, clock)) {
            RecoveryReport report = log.recovery();
            CorruptRange range = new CorruptRange(3 * RECORD_BYTES, 4 * RECORD_BYTES);
            assertThat(report.recovered()).isTrue();
            assertThat(report.truncatedBytes())
                    .as("acknowledged records are never truncated")
                    .isZero();
            assertThat(report.corruptRanges()).containsExactly(range);
            assertThat(Files.size(segment)).isEqualTo(END);
            assertThat(log.maxOffset()).isEqualTo(END);
            assertThatThrownBy(() -> log.read(range.startOffset(), 1000)).isInstanceOf(CorruptRecordException.class);
            LogRegion after = (LogRegion) log.read(range.endOffset(), 1000);
            byte[] bytes;
            try {
                bytes = StoredRecords.bytes(after);
            } finally {
                after.release();
            }
            List<StoredRecords.Stored> kept = new ArrayList<>();
            StoredRecords.parse(ByteBuffer.wrap(bytes), range.endOffset(), kept);
            assertThat(kept).as("the records after the corruption").hasSize(RECORDS - 4);
            assertThat(log.append(99, 0, payload(99, 3)).join()).isEqualTo(END);
        }
    }

    @Test
    void tornTailAboveTheMarkerIsStillTruncated() throws Exception {
        Path dir = acknowledgedThenPowerLoss("ack-torn-0");
        Path segment = dir.resolve(LogDescriptor.segmentFileName(0));
        byte[] halfRecord = new byte[RECORD_BYTES / 2];
        java.util.Arrays.fill(halfRecord, (byte) 0x55); // torn bytes (a zero tail would be zero fill)
        halfRecord[0] = 0;
        halfRecord[1] = 0;
        halfRecord[2] = 0;
        halfRecord[3] = 30; // a header claiming a 30-byte payload the file does not hold
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(halfRecord), END); // after the last record, maybe into zero fill
        }
        try (PartitionLog log = PartitionLog.open(dir, EAGER_MARKER, io, clock)) {
            RecoveryReport report = log.recovery();
            assertThat(report.truncatedBytes()).isEqualTo(halfRecord.length);
            assertThat(report.corruptRanges()).isEmpty();
            assertThat(log.maxOffset()).isEqualTo(END);
            assertThat(StoredRecords.readAll(log)).hasSize(RECORDS);
        }
    }

    @Test
    void corruptionAboveTheMarkerIsTruncatedAndBelowItIsKept() throws Exception {
        Path dir = acknowledgedThenPowerLoss("ack-split-0");
        // a marker at record 6: records 6..9 were never marked, so a failure there is a torn tail
        new RecoveryPoint(false, 0, 6 * RECORD_BYTES, List.of()).write(io, dir);
        Path segment = dir.resolve(LogDescriptor.segmentFileName(0));
        flipByte(segment, 2 * RECORD_BYTES + 30);
        flipByte(segment, 8 * RECORD_BYTES + 30);
        try (PartitionLog log = PartitionLog.open(dir, EAGER_MARKER, io, clock)) {
            RecoveryReport report = log.recovery();
            assertThat(report.corruptRanges()).containsExactly(new CorruptRange(2 * RECORD_BYTES, 3 * RECORD_BYTES));
            assertThat(report.truncatedBytes()).isEqualTo(END - 8 * RECORD_BYTES);
            assertThat(log.maxOffset()).isEqualTo(8 * RECORD_BYTES);
        }
    }

    @Test
    void aVersionOneCheckpointStillOpensAndItsDurableEndIsTheMarker() throws Exception {
        Path dir = acknowledgedThenPowerLoss("ack-v1-0");
        Files.write(dir.resolve(LogDescriptor.RECOVERY_POINT_FILE), versionOneCheckpoint(0));
        Path segment = dir.resolve(LogDescriptor.segmentFileName(0));
        flipByte(segment, 5 * RECORD_BYTES + 30);
        try (PartitionLog log = PartitionLog.open(dir, EAGER_MARKER, io, clock)) {
            RecoveryReport report = log.recovery();
            assertThat(report.recovered()).isTrue();
            assertThat(report.scanStartOffset()).isZero();
            assertThat(report.truncatedBytes())
                    .as("without a marker the first failure starts a torn tail, as before")
                    .isEqualTo(END - 5 * RECORD_BYTES);
        }
    }

    /** The checkpoint as Imago wrote it before the marker: version 1, no corrupt ranges, unclean. */
    private static byte[] versionOneCheckpoint(long durableEnd) {
        ByteBuffer bytes = ByteBuffer.allocate(28);
        bytes.putInt(LogDescriptor.CHECKPOINT_MAGIC)
                .putInt(1)
                .putInt(0)
                .putLong(durableEnd)
                .putInt(0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes.array(), 0, 24);
        bytes.putInt((int) crc.getValue());
        return bytes.array();
    }

    @Test
    void aPutDoesNotWaitForTheMarker() throws Exception {
        Path dir = tmp.resolve("ack-held-0");
        FaultInjectingStorageIo faulty = new FaultInjectingStorageIo()
                .faultTarget(p -> p.getFileName().toString().equals(LogDescriptor.RECOVERY_POINT_TEMP_FILE));
        try (PartitionLog log = PartitionLog.open(dir, EAGER_MARKER, faulty, clock)) {
            FaultInjectingStorageIo.FsyncGate gate = faulty.holdFsyncs();
            log.append(1, 0, payload(1, 30)).join();
            assertThat(gate.awaitHeld(10, TimeUnit.SECONDS))
                    .as("the marker's fsync is held")
                    .isTrue();
            for (int i = 2; i <= RECORDS; i++) {
                CompletableFuture<Long> put = log.append(i, 0, payload(i, 30));
                assertThat(put.get(10, TimeUnit.SECONDS)).isEqualTo((i - 1) * (long) RECORD_BYTES);
            }
            gate.open();
            assertThat(log.awaitAcknowledgedEndMarked(END, 10_000)).isTrue();
        }
    }

    @Test
    void theMarkerAddsNoFsyncToAPut() throws Exception {
        Path dir = tmp.resolve("ack-count-0");
        FaultInjectingStorageIo faulty = new FaultInjectingStorageIo(); // counts segment fsyncs only
        int puts = 200;
        LogConfig noFill = EAGER_MARKER.toBuilder().preallocateMaxBytes(0).build(); // its fsyncs would count
        try (PartitionLog log = PartitionLog.open(dir, noFill, faulty, clock)) {
            long before = faulty.fsyncCount();
            for (int i = 1; i <= puts; i++) {
                log.append(i, 0, payload(i, 30)).join();
            }
            assertThat(faulty.fsyncCount() - before)
                    .as("one segment fsync per sequential put, none for the marker")
                    .isEqualTo(puts);
            assertThat(log.awaitAcknowledgedEndMarked(puts * (long) RECORD_BYTES, 10_000))
                    .isTrue();
        }
    }

    @Test
    void inThresholdModeTheMarkerFollowsTheFsyncsNotTheAcknowledgements() throws Exception {
        LogConfig threshold = EAGER_MARKER.toBuilder()
                .unflushThreshold(RECORDS)
                .preallocateMaxBytes(0) // counts the writer's fsyncs: the fill's would count too
                .build();
        FaultInjectingStorageIo faulty = new FaultInjectingStorageIo();
        try (PartitionLog log = PartitionLog.open(tmp.resolve("ack-threshold-0"), threshold, faulty, clock)) {
            long fsyncsAtOpen = faulty.fsyncCount();
            for (int i = 1; i < RECORDS; i++) {
                log.append(i, 0, payload(i, RECORD_BYTES - 20)).join();
            }
            assertThat(faulty.fsyncCount()).as("acknowledged, not fsynced").isEqualTo(fsyncsAtOpen);
            assertThat(log.acknowledgedEndMarked()).isZero();
            log.append(RECORDS, 0, payload(RECORDS, RECORD_BYTES - 20)).join(); // the threshold: an fsync
            assertThat(log.awaitAcknowledgedEndMarked(END, 10_000)).isTrue();
            assertThat(log.acknowledgedEndMarked()).isEqualTo(END);
        }
    }

    @Test
    void theCleanCheckpointIsNeverFollowedByTheMarker() throws Exception {
        for (int round = 0; round < 20; round++) {
            Path dir = tmp.resolve("ack-close-" + round);
            try (PartitionLog log = PartitionLog.open(dir, EAGER_MARKER, io, clock)) {
                CompletableFuture<Long> last = null;
                for (int i = 1; i <= RECORDS; i++) {
                    last = log.append(i, 0, payload(i, RECORD_BYTES - 20));
                }
                last.join();
            }
            RecoveryPoint point = RecoveryPoint.read(io, dir).orElseThrow();
            assertThat(point.cleanShutdown()).as("round %d", round).isTrue();
            assertThat(point.durableEndOffset()).isEqualTo(END);
            assertThat(point.acknowledgedEndOffset()).isEqualTo(END);
        }
    }
}
