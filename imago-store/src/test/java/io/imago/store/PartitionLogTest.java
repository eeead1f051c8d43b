package io.imago.store;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.protocol.RecordDescriptor;
import io.imago.store.StoredRecords.Stored;
import io.imago.store.fs.FileChannelStorageIo;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PartitionLogTest {
    /** Spec section 3.3: maxSegmentSize=100 with 60-byte records gives segments of 120, 120, 60 bytes. */
    private static final int SPEC_RECORD_PAYLOAD = 40;

    @TempDir
    Path tmp;

    private final StorageIo io = new FileChannelStorageIo();
    private final Clock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
    private final List<PartitionLog> opened = new ArrayList<>();

    @AfterEach
    void closeLogs() {
        opened.forEach(PartitionLog::close);
    }

    private PartitionLog open(LogConfig config) throws IOException {
        PartitionLog log = PartitionLog.open(tmp.resolve("topic-0"), config, io, clock);
        opened.add(log);
        return log;
    }

    private static LogConfig segmentsOf(long bytes) {
        return LogConfig.builder().maxSegmentBytes(bytes).build();
    }

    private static long append(PartitionLog log, long id, int payloadBytes) {
        return log.append(id, 0, payload(id, payloadBytes)).join();
    }

    @Test
    void aVerifiedChecksumPassedInIsStoredAsGivenNotComputedAgain() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        ByteBuffer payload = payload(1, 10);
        // not the payload's checksum: only a log that trusts what it is given stores this value
        int given = RecordDescriptor.checksum(payload) ^ 1;

        log.append(1, 0, payload, given).join();

        assertThat(storedChecksums(log)).containsExactly(given);
    }

    @Test
    void aBatchStoresTheVerifiedChecksumsItIsGivenAndComputesTheOthers() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        ByteBuffer first = payload(1, 10);
        ByteBuffer second = payload(2, 10);
        int given = RecordDescriptor.checksum(first) ^ 1;

        log.appendBatch(List.of(new Record(1, 0, first, given), new Record(2, 0, second)))
                .join();

        assertThat(storedChecksums(log)).containsExactly(given, RecordDescriptor.checksum(second));
    }

    @Test
    void aNegativeChecksumOtherThanNoChecksumIsRefused() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        assertThatThrownBy(() -> log.append(1, 0, payload(1, 10), -2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Record(1, 0, payload(1, 10), Integer.MIN_VALUE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The checksum field of every record header, read raw (no check against the payload). */
    private static List<Integer> storedChecksums(PartitionLog log) {
        LogRegion region = (LogRegion) log.read(log.minOffset(), (int) log.sizeBytes());
        ByteBuffer bytes;
        try {
            bytes = ByteBuffer.wrap(StoredRecords.bytes(region));
        } finally {
            region.release();
        }
        List<Integer> checksums = new ArrayList<>();
        for (int at = 0;
                at < bytes.limit();
                at += RecordDescriptor.recordLength(RecordDescriptor.payloadLength(bytes, at))) {
            checksums.add(RecordDescriptor.storedChecksum(bytes, at));
        }
        return checksums;
    }

    @Test
    void openCreatesTheDirectoryAndAnEmptyFirstSegment() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        assertThat(tmp.resolve("topic-0").resolve("00000000000000000000.meta")).exists();
        assertThat(log.minOffset()).isZero();
        assertThat(log.maxOffset()).isZero();
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.isOnline()).isTrue();
    }

    @Test
    void appendReturnsBytePositionsAndReadsBackTheExactRecord() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        assertThat(log.append(7, 1, payload(7, 10)).join()).isZero();
        assertThat(log.append(8, 0, payload(8, 5)).join()).isEqualTo(30);
        assertThat(log.maxOffset()).isEqualTo(55);

        LogRegion region = (LogRegion) log.read(0, 1000);
        byte[] bytes = StoredRecords.bytes(region);
        region.release();
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        assertThat(bytes).hasSize(55);
        assertThat(RecordDescriptor.payloadLength(buf, 0)).isEqualTo(10);
        assertThat(RecordDescriptor.storedChecksum(buf, 0)).isEqualTo(RecordDescriptor.checksum(payload(7, 10)));
        assertThat(RecordDescriptor.messageId(buf, 0)).isEqualTo(7);
        assertThat(RecordDescriptor.flag(buf, 0)).isEqualTo(1);
        assertThat(StoredRecords.readAll(log))
                .containsExactly(
                        new Stored(0, 7, 1, payload(7, 10).array()),
                        new Stored(30, 8, 0, payload(8, 5).array()));
    }

    @Test
    void appendBatchIsContiguousWithOneOffsetPerRecord() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        append(log, 1, 3);
        long[] offsets = log.appendBatch(List.of(
                        new Record(2, 0, payload(2, 10)),
                        new Record(3, 1, payload(3, 0)),
                        new Record(4, 0, payload(4, 7))))
                .join();
        assertThat(offsets).containsExactly(23, 53, 73);
        assertThat(StoredRecords.readAll(log)).extracting(Stored::messageId).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void callerMayReuseThePayloadBufferOnceAppendReturns() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        ByteBuffer reused = ByteBuffer.wrap(new byte[] {1, 2, 3, 4});
        var first = log.append(1, 0, reused);
        assertThat(reused.position()).isZero();
        reused.put(0, (byte) 9);
        var second = log.append(2, 0, reused);
        first.join();
        second.join();
        assertThat(StoredRecords.readAll(log)).extracting(s -> s.payload()[0]).containsExactly((byte) 1, (byte) 9);
    }

    @Test
    void refusesARecordIndistinguishableFromZeroFill() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        assertThatThrownBy(() -> log.append(0, 0, ByteBuffer.allocate(0))).isInstanceOf(IllegalArgumentException.class);
        assertThat(log.append(0, 0, ByteBuffer.allocate(1)).join()).isZero();
    }

    @Test
    void rollsOnceTheActiveSegmentReachesMaxSegmentBytesAsTheOriginal() throws IOException {
        PartitionLog log = open(segmentsOf(100));
        for (int i = 0; i < 5; i++) {
            append(log, i + 1, SPEC_RECORD_PAYLOAD);
        }
        assertThat(log.segmentCount()).isEqualTo(3);
        Path dir = log.directory();
        assertThat(log.maxOffset()).isEqualTo(300);
        assertThat(StoredRecords.readAll(log)).hasSize(5);
        log.close(); // the active segment may hold zero fill ahead of the writer until then
        assertThat(Files.size(dir.resolve("00000000000000000000.meta"))).isEqualTo(120);
        assertThat(Files.size(dir.resolve("00000000000000000120.meta"))).isEqualTo(120);
        assertThat(Files.size(dir.resolve("00000000000000000240.meta"))).isEqualTo(60);
    }

    @Test
    void aRollCreatesTheNextSegmentRightAfterTheAppendThatFilledIt() throws IOException {
        PartitionLog log = open(segmentsOf(100));
        append(log, 1, 80);
        assertThat(log.segmentCount()).isEqualTo(2);
        assertThat(log.directory().resolve("00000000000000000100.meta")).exists();
    }

    @Test
    void batchStaysInOneSegmentAndRollsAfterIt() throws IOException {
        PartitionLog log = open(segmentsOf(100));
        List<Record> batch = List.of(
                new Record(1, 0, payload(1, 40)), new Record(2, 0, payload(2, 40)), new Record(3, 0, payload(3, 40)));
        assertThat(log.appendBatch(batch).join()).containsExactly(0, 60, 120);
        assertThat(log.segmentCount()).isEqualTo(2);
        assertThat(log.nearestOffset(179)).isZero();
        assertThat(log.nearestOffset(180)).isEqualTo(180);
    }

    @Test
    void readIsCutAtMaxSizeEvenInsideARecord() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        append(log, 1, 5);
        append(log, 2, 5);
        LogRegion region = (LogRegion) log.read(0, 30);
        assertThat(region.length()).isEqualTo(30);
        assertThat(region.offset()).isZero();
        region.release();
    }

    @Test
    void readStopsAtTheEndOfItsSegment() throws IOException {
        PartitionLog log = open(segmentsOf(100));
        for (int i = 0; i < 5; i++) {
            append(log, i + 1, SPEC_RECORD_PAYLOAD);
        }
        LogRegion first = (LogRegion) log.read(60, 10_000);
        assertThat(first.length()).isEqualTo(60);
        assertThat(first.segmentStartOffset()).isZero();
        assertThat(first.filePosition()).isEqualTo(60);
        first.release();
        LogRegion second = (LogRegion) log.read(120, 10_000);
        assertThat(second.length()).isEqualTo(120);
        assertThat(second.filePosition()).isZero();
        second.release();
        LogRegion middle = (LogRegion) log.read(125, 10_000);
        assertThat(middle.length())
                .as("an offset inside a record is served as is")
                .isEqualTo(115);
        middle.release();
    }

    @Test
    void readAtOrAfterMaxAnswersWithTheMaxOffset() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        append(log, 1, 5);
        assertThat(log.read(25, 100)).isEqualTo(new ReadResult.OffsetAtOrAfterMax(25, 25));
        assertThat(log.read(Long.MAX_VALUE, 100)).isEqualTo(new ReadResult.OffsetAtOrAfterMax(Long.MAX_VALUE, 25));
    }

    @Test
    void readBelowMinAnswersWithTheMinOffset() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        append(log, 1, 5);
        assertThat(log.read(-1, 100)).isEqualTo(new ReadResult.OffsetBelowMin(-1, 0));
    }

    @Test
    void readRefusesANonPositiveMaxSize() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        assertThatThrownBy(() -> log.read(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nearestOffsetIsTheSegmentStartClampedToMinAndMax() throws IOException {
        PartitionLog log = open(segmentsOf(100));
        for (int i = 0; i < 5; i++) {
            append(log, i + 1, SPEC_RECORD_PAYLOAD);
        }
        assertThat(log.nearestOffset(70)).isZero();
        assertThat(log.nearestOffset(130)).isEqualTo(120);
        assertThat(log.nearestOffset(240)).isEqualTo(240);
        assertThat(log.nearestOffset(299)).isEqualTo(240);
        assertThat(log.nearestOffset(300)).isEqualTo(300);
        assertThat(log.nearestOffset(1000)).isEqualTo(300);
        assertThat(log.nearestOffset(-5)).isZero();
    }

    @Test
    void regionTransfersOnlyItsOwnBytes() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        append(log, 1, 5);
        append(log, 2, 5);
        LogRegion region = (LogRegion) log.read(25, 100);
        assertThat(region.fileChannel().isOpen()).isTrue();
        assertThat(StoredRecords.bytes(region)).hasSize(25);
        assertThatThrownBy(() -> region.transferTo(
                        java.nio.channels.Channels.newChannel(new java.io.ByteArrayOutputStream()), 26, 1))
                .isInstanceOf(IllegalArgumentException.class);
        region.release();
        region.release();
    }

    @Test
    void cleanRestartDoesNotRescanAndKeepsEveryRecord() throws IOException {
        PartitionLog log = open(segmentsOf(100));
        for (int i = 0; i < 5; i++) {
            append(log, i + 1, SPEC_RECORD_PAYLOAD);
        }
        List<Stored> before = StoredRecords.readAll(log);
        log.close();
        PartitionLog reopened = open(segmentsOf(100));
        RecoveryReport report = reopened.recovery();
        assertThat(report.cleanShutdown()).isTrue();
        assertThat(report.scannedBytes()).isZero();
        assertThat(report.truncatedBytes()).isZero();
        assertThat(report.segmentCount()).isEqualTo(3);
        assertThat(StoredRecords.readAll(reopened)).isEqualTo(before);
        assertThat(append(reopened, 9, 1)).isEqualTo(300);
    }

    @Test
    void closeIsIdempotentAndLaterAppendsFailAsClosed() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        log.close();
        log.close();
        assertThat(log.isOnline()).isFalse();
        assertThatThrownBy(() -> log.append(1, 0, payload(1, 1)).join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(LogClosedException.class);
        assertThatThrownBy(() -> log.read(0, 10)).isInstanceOf(LogClosedException.class);
    }

    @Test
    void closeDrainsQueuedAppendsBeforeStopping() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        List<java.util.concurrent.CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            futures.add(log.append(i + 1, 0, payload(i, 100)));
        }
        log.close();
        assertThat(futures).allSatisfy(f -> assertThat(f).isCompleted());
        PartitionLog reopened = open(LogConfig.defaults());
        assertThat(reopened.recovery().cleanShutdown()).isTrue();
        assertThat(StoredRecords.readAll(reopened)).hasSize(100);
    }

    @Test
    void recordLargerThanTheWriteBufferIsAppendedWhole() throws IOException {
        PartitionLog log = open(LogConfig.builder().writeBufferBytes(4096).build());
        append(log, 1, 10);
        append(log, 2, 10_000);
        append(log, 3, 10);
        assertThat(StoredRecords.readAll(log))
                .extracting(s -> s.payload().length)
                .containsExactly(10, 10_000, 10);
    }
}
