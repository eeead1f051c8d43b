package io.imago.store.retention;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.store.LogConfig;
import io.imago.store.LogDescriptor;
import io.imago.store.LogRegion;
import io.imago.store.MutableClock;
import io.imago.store.PartitionLog;
import io.imago.store.ReadResult;
import io.imago.store.StoredRecords;
import io.imago.store.fs.FileChannelStorageIo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RetentionTest {
    private static final Instant NOW = Instant.parse("2024-06-01T12:00:00Z");

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(NOW);
    private PartitionLog log;
    private Path dir;

    /** Segments 0, 200, 400 (sealed, four 50-byte records each) and the empty active one at 600. */
    @BeforeEach
    void fourSegments() throws IOException {
        dir = tmp.resolve("ret-0");
        log = PartitionLog.open(
                dir, LogConfig.builder().maxSegmentBytes(200).build(), new FileChannelStorageIo(), clock);
        for (int i = 0; i < 12; i++) {
            log.append(i + 1, 0, payload(i, 30)).join();
        }
        assertThat(log.segmentCount()).isEqualTo(4);
    }

    @AfterEach
    void close() {
        log.close();
    }

    private Path segment(long start) {
        return dir.resolve(LogDescriptor.segmentFileName(start));
    }

    private void ageHours(long start, long hours) throws IOException {
        Files.setLastModifiedTime(segment(start), FileTime.from(NOW.minus(Duration.ofHours(hours))));
    }

    private void ages(long h0, long h200, long h400, long h600) throws IOException {
        ageHours(0, h0);
        ageHours(200, h200);
        ageHours(400, h400);
        ageHours(600, h600);
    }

    @Test
    void deleteRemovesExpiredSegmentsAndMovesMinOffset() throws IOException {
        ages(170, 169, 1, 0);
        assertThat(log.applyRetention(RetentionPolicy.parse("delete,168"))).containsExactly(segment(0), segment(200));
        assertThat(segment(0)).doesNotExist();
        assertThat(segment(200)).doesNotExist();
        assertThat(log.minOffset()).isEqualTo(400);
        assertThat(log.segmentCount()).isEqualTo(2);
        assertThat(log.read(0, 100)).isEqualTo(new ReadResult.OffsetBelowMin(0, 400));
        assertThat(log.nearestOffset(10)).isEqualTo(400);
        assertThat(StoredRecords.readAll(log)).hasSize(4);
    }

    @Test
    void theActiveSegmentSurvivesEvenWhenExpired() throws IOException {
        ages(500, 500, 500, 500);
        assertThat(log.applyRetention(RetentionPolicy.parse("delete,30s"))).hasSize(3);
        assertThat(segment(600)).exists();
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.minOffset()).isEqualTo(600);
        assertThat(log.maxOffset()).isEqualTo(600);
        assertThat(log.append(99, 0, payload(99, 3)).join()).isEqualTo(600);
    }

    @Test
    void retentionStopsAtTheFirstUnexpiredSegmentSoTheLogStaysContiguous() throws IOException {
        ages(1, 500, 500, 0);
        assertThat(log.applyRetention(RetentionPolicy.parse("delete,168"))).isEmpty();
        assertThat(log.minOffset()).isZero();
    }

    @Test
    void archiveRenamesToArc() throws IOException {
        ages(30, 1, 1, 1);
        long size = Files.size(segment(0));
        log.applyRetention(RetentionPolicy.parse("archive,24"));
        Path archived = dir.resolve(LogDescriptor.segmentFileName(0) + ".arc");
        assertThat(archived).exists();
        assertThat(Files.size(archived)).isEqualTo(size);
        assertThat(segment(0)).doesNotExist();
        assertThat(log.minOffset()).isEqualTo(200);
    }

    @Test
    void archiveWithCompressZipsToAnEntryNamedAfterTheFile() throws IOException {
        ages(30, 1, 1, 1);
        byte[] original = Files.readAllBytes(segment(0));
        log.applyRetention(RetentionPolicy.parse("archive,24,true"));
        Path zip = dir.resolve(LogDescriptor.segmentFileName(0) + ".zip");
        assertThat(segment(0)).doesNotExist();
        try (InputStream in = Files.newInputStream(zip);
                ZipInputStream z = new ZipInputStream(in)) {
            ZipEntry entry = z.getNextEntry();
            assertThat(entry.getName()).isEqualTo(LogDescriptor.segmentFileName(0));
            assertThat(z.readAllBytes()).isEqualTo(original);
            assertThat(z.getNextEntry()).isNull();
        }
    }

    @Test
    void archivedFilesAreNotSegmentsOnReopen() throws IOException {
        ages(30, 30, 1, 1);
        log.applyRetention(RetentionPolicy.parse("archive,24"));
        log.close();
        log = PartitionLog.open(
                dir, LogConfig.builder().maxSegmentBytes(200).build(), new FileChannelStorageIo(), clock);
        assertThat(log.minOffset()).isEqualTo(400);
        assertThat(log.recovery().cleanShutdown()).isTrue();
    }

    @Test
    void aRegionHeldDuringDeletionStaysReadableUntilReleased() throws IOException {
        ages(500, 1, 1, 1);
        LogRegion held = (LogRegion) log.read(50, 1000);
        byte[] expected = StoredRecords.bytes(held);
        log.applyRetention(RetentionPolicy.parse("delete,168"));
        assertThat(segment(0)).doesNotExist();
        assertThat(held.fileChannel().isOpen()).isTrue();
        assertThat(StoredRecords.bytes(held)).isEqualTo(expected);
        held.release();
        assertThat(held.fileChannel().isOpen())
                .as("closed with the last reference")
                .isFalse();
    }
}
