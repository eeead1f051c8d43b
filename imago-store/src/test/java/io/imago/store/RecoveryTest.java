package io.imago.store;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.store.StoredRecords.Stored;
import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FileChannelStorageIo;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecoveryTest {
    private static final LogConfig SMALL_SEGMENTS =
            LogConfig.builder().maxSegmentBytes(200).build();

    @TempDir
    Path tmp;

    private final StorageIo io = new FileChannelStorageIo();
    private final Clock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));

    private PartitionLog open(Path dir) throws IOException {
        return PartitionLog.open(dir, SMALL_SEGMENTS, io, clock);
    }

    /** Segments 0 [0,200) and 200 [200,287): 4 records of 50 bytes, then 50 and 37 bytes. */
    private Path template() throws IOException {
        Path dir = tmp.resolve("template-0");
        try (PartitionLog log = open(dir)) {
            for (int i = 0; i < 5; i++) {
                log.append(i + 1, 0, payload(i, 30)).join();
            }
            log.append(6, 1, payload(6, 17)).join();
        }
        return dir;
    }

    private static void copy(Path from, Path to, boolean withCheckpoint) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (withCheckpoint || !f.getFileName().toString().equals(LogDescriptor.RECOVERY_POINT_FILE)) {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** The end of the last non-zero byte of {@code file} in {@code [from, to)}, or {@code from}. */
    private static long nonZeroEnd(Path file, long from, long to) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (long i = to - 1; i >= from; i--) {
            if (bytes[(int) i] != 0) {
                return i + 1;
            }
        }
        return from;
    }

    private static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
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
    void recoveryKeepsExactlyTheCompleteRecordsAtEveryTornTailPosition() throws IOException {
        Path template = template();
        List<Stored> all;
        try (PartitionLog log = open(template)) {
            all = StoredRecords.readAll(log);
        }
        long secondToLast = all.get(all.size() - 2).offset();
        long end = all.get(all.size() - 1).offset() + all.get(all.size() - 1).length();
        int run = 0;
        for (long cut = secondToLast; cut < end; cut++) {
            for (boolean staleCheckpoint : new boolean[] {false, true}) {
                Path dir = tmp.resolve("cut-" + run++);
                copy(template, dir, staleCheckpoint);
                truncate(dir.resolve(LogDescriptor.segmentFileName(200)), cut - 200);
                long cutAt = cut;
                List<Stored> expected = all.stream()
                        .filter(s -> s.offset() + s.length() <= cutAt)
                        .toList();
                Stored lastKept = expected.get(expected.size() - 1);
                long keptEnd = lastKept.offset() + lastKept.length();
                try (PartitionLog log = open(dir)) {
                    RecoveryReport report = log.recovery();
                    assertThat(report.recovered()).as("cut at %d", cut).isTrue();
                    assertThat(report.truncatedBytes())
                            .as("cut at %d: the torn bytes up to the last non-zero one", cut)
                            .isEqualTo(nonZeroEnd(
                                            template.resolve(LogDescriptor.segmentFileName(200)),
                                            keptEnd - 200,
                                            cut - 200)
                                    - (keptEnd - 200));
                    assertThat(report.corruptRanges()).isEmpty();
                    assertThat(log.maxOffset()).as("cut at %d", cut).isEqualTo(keptEnd);
                    assertThat(StoredRecords.readAll(log)).as("cut at %d", cut).isEqualTo(expected);
                    assertThat(log.append(99, 0, payload(99, 3)).join())
                            .as("cut at %d", cut)
                            .isEqualTo(keptEnd);
                }
            }
        }
    }

    @Test
    void zeroFilledTailIsTrimmedButNotReportedAsTorn() throws IOException {
        Path dir = template();
        Path last = dir.resolve(LogDescriptor.segmentFileName(200));
        Files.write(last, new byte[4096], java.nio.file.StandardOpenOption.APPEND);
        try (PartitionLog log = open(dir)) {
            assertThat(log.recovery().truncatedBytes())
                    .as("zeros after the last record are preallocated space, not a torn write")
                    .isZero();
            assertThat(log.maxOffset()).isEqualTo(287);
            assertThat(Files.size(last)).isEqualTo(87);
        }
    }

    @Test
    void processCrashRecoversFromTheCheckpointWithoutLosingAcknowledgedRecords() throws IOException {
        Path dir = tmp.resolve("crash-0");
        FaultInjectingStorageIo faulty = new FaultInjectingStorageIo();
        PartitionLog log = PartitionLog.open(dir, SMALL_SEGMENTS, faulty, clock);
        for (int i = 0; i < 7; i++) {
            log.append(i + 1, 0, payload(i, 30)).join();
        }
        faulty.simulateProcessCrash();
        log.close();
        try (PartitionLog reopened = open(dir)) {
            RecoveryReport report = reopened.recovery();
            assertThat(report.recovered()).isTrue();
            assertThat(report.scanStartOffset())
                    .as("the last roll's checkpoint")
                    .isEqualTo(200);
            assertThat(report.scannedBytes()).isEqualTo(150);
            assertThat(StoredRecords.readAll(reopened)).hasSize(7);
        }
    }

    @Test
    void anInvalidCheckpointIsIgnoredAndTheLastSegmentScanned() throws IOException {
        Path dir = template();
        flipByte(dir.resolve(LogDescriptor.RECOVERY_POINT_FILE), 14);
        try (PartitionLog log = open(dir)) {
            assertThat(log.recovery().recovered()).isTrue();
            assertThat(log.recovery().scanStartOffset()).isEqualTo(200);
            assertThat(StoredRecords.readAll(log)).hasSize(6);
        }
    }

    @Test
    void nonContiguousSegmentsFailOpenNamingTheFiles() throws IOException {
        Path dir = template();
        Files.move(dir.resolve(LogDescriptor.segmentFileName(200)), dir.resolve(LogDescriptor.segmentFileName(210)));
        Files.write(dir.resolve(LogDescriptor.segmentFileName(400)), new byte[0]);
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(LogRecoveryException.class)
                .hasMessageContaining("00000000000000000000.meta")
                .hasMessageContaining("00000000000000000210.meta");
    }

    @Test
    void aSegmentFileWithABadNameFailsOpen() throws IOException {
        Path dir = template();
        Files.write(dir.resolve("123.meta"), new byte[0]);
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(LogRecoveryException.class)
                .hasMessageContaining("123.meta");
    }

    /** Segments 0, 200, 400 of four 50-byte records each, then an empty active segment at 600. */
    private Path threeSealedSegments() throws IOException {
        Path dir = tmp.resolve("sealed-0");
        try (PartitionLog log = open(dir)) {
            for (int i = 0; i < 12; i++) {
                log.append(i + 1, 0, payload(i, 30)).join();
            }
            assertThat(log.segmentCount()).isEqualTo(4);
        }
        return dir;
    }

    private static void assertServedAroundCorruption(PartitionLog log, CorruptRange range) {
        assertThatThrownBy(() -> log.read(range.startOffset(), 1000))
                .isInstanceOf(CorruptRecordException.class)
                .satisfies(e -> assertThat(((CorruptRecordException) e).range()).isEqualTo(range));
        assertThatThrownBy(() -> log.read(range.endOffset() - 1, 1000)).isInstanceOf(CorruptRecordException.class);
        LogRegion before = (LogRegion) log.read(200, 1000);
        assertThat(before.length()).as("a read before the range stops at it").isEqualTo(range.startOffset() - 200);
        before.release();
        LogRegion after = (LogRegion) log.read(range.endOffset(), 1000);
        assertThat(after.length()).isEqualTo(400 - range.endOffset());
        after.release();
        LogRegion firstSegment = (LogRegion) log.read(0, 1000);
        assertThat(firstSegment.length()).isEqualTo(200);
        firstSegment.release();
        LogRegion lastSealed = (LogRegion) log.read(400, 1000);
        assertThat(lastSealed.length()).isEqualTo(200);
        lastSealed.release();
    }

    @Test
    void bitFlipInASealedSegmentIsFoundByVerifyNotTruncatedAndTheRestIsServed() throws IOException {
        Path dir = threeSealedSegments();
        Path sealed = dir.resolve(LogDescriptor.segmentFileName(200));
        flipByte(sealed, 50 + 20 + 7);
        try (PartitionLog log = open(dir)) {
            assertThat(log.recovery().cleanShutdown()).isTrue();
            CorruptRange range = new CorruptRange(250, 300);
            assertThat(log.verify()).containsExactly(range);
            assertThat(log.corruptRanges()).containsExactly(range);
            assertThat(Files.size(sealed)).isEqualTo(200);
            assertServedAroundCorruption(log, range);
            assertThat(log.append(50, 0, payload(50, 1)).join()).isEqualTo(600);
        }
        try (PartitionLog log = open(dir)) {
            assertThat(log.recovery().corruptRanges())
                    .as("kept by the checkpoint")
                    .containsExactly(new CorruptRange(250, 300));
            assertThatThrownBy(() -> log.read(250, 10)).isInstanceOf(CorruptRecordException.class);
        }
    }

    @Test
    void recoveryReportsCorruptionInASealedSegmentAfterTheGoodPointAndKeepsTheBytes() throws IOException {
        Path dir = threeSealedSegments();
        Path sealed = dir.resolve(LogDescriptor.segmentFileName(200));
        flipByte(sealed, 50 + 1);
        new RecoveryPoint(false, 0, List.of()).write(io, dir);
        try (PartitionLog log = open(dir)) {
            RecoveryReport report = log.recovery();
            assertThat(report.recovered()).isTrue();
            assertThat(report.truncatedBytes()).isZero();
            CorruptRange range = new CorruptRange(250, 300);
            assertThat(report.corruptRanges()).containsExactly(range);
            assertThat(Files.size(sealed)).isEqualTo(200);
            assertServedAroundCorruption(log, range);
        }
    }

    @Test
    void corruptionWithNoValidRecordAfterItRunsToTheSegmentEnd() throws IOException {
        Path dir = threeSealedSegments();
        flipByte(dir.resolve(LogDescriptor.segmentFileName(200)), 150 + 25);
        try (PartitionLog log = open(dir)) {
            assertThat(log.verify()).containsExactly(new CorruptRange(350, 400));
            assertThat(log.read(400, 10)).isInstanceOf(LogRegion.class);
            ((LogRegion) log.read(400, 10)).release();
        }
    }
}
