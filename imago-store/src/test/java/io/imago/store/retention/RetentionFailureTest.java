package io.imago.store.retention;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.store.LogConfig;
import io.imago.store.LogDescriptor;
import io.imago.store.MutableClock;
import io.imago.store.PartitionLog;
import io.imago.store.ReadResult;
import io.imago.store.StoredRecords;
import io.imago.store.fs.FaultInjectingStorageIo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Retention when disposing of a segment fails: the failure is remembered, retried, and survives a restart. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RetentionFailureTest {
    private static final Instant NOW = Instant.parse("2024-06-01T12:00:00Z");
    private static final RetentionPolicy DELETE_AFTER_A_WEEK = RetentionPolicy.parse("delete,168");

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(NOW);
    private final FaultInjectingStorageIo io = new FaultInjectingStorageIo();
    private PartitionLog log;
    private Path dir;

    /** Segments 0, 200, 400 (sealed, four 50-byte records each) and the empty active one at 600. */
    @BeforeEach
    void fourSegments() throws IOException {
        dir = tmp.resolve("ret-0");
        log = open(io);
        for (int i = 0; i < 12; i++) {
            log.append(i + 1, 0, payload(i, 30)).join();
        }
        assertThat(log.segmentCount()).isEqualTo(4);
    }

    @AfterEach
    void close() {
        log.close();
    }

    private PartitionLog open(FaultInjectingStorageIo storage) throws IOException {
        return PartitionLog.open(dir, LogConfig.builder().maxSegmentBytes(200).build(), storage, clock);
    }

    private void reopen() throws IOException {
        log.close();
        log = open(new FaultInjectingStorageIo());
    }

    private Path segment(long start) {
        return dir.resolve(LogDescriptor.segmentFileName(start));
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private void expire(long... starts) throws IOException {
        for (long start : starts) {
            Files.setLastModifiedTime(segment(start), FileTime.from(NOW.minus(Duration.ofDays(30))));
        }
    }

    @Test
    void aSegmentWhoseDeleteFailedIsNotServedAgainAfterARestart() throws IOException {
        expire(0);
        io.failDeletes(segment(0)::equals);
        assertThatThrownBy(() -> log.applyRetention(DELETE_AFTER_A_WEEK))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("injected delete failure");
        assertThat(segment(0)).as("the delete failed").exists();
        assertThat(log.minOffset()).isEqualTo(200);

        reopen();

        assertThat(log.minOffset()).as("minOffset never moves back").isEqualTo(200);
        assertThat(log.read(0, 100)).isEqualTo(new ReadResult.OffsetBelowMin(0, 200));
        assertThat(log.nearestOffset(0)).isEqualTo(200);
        assertThat(StoredRecords.readAll(log)).hasSize(8);
    }

    @Test
    void aFailedDeleteIsRetriedByTheNextPass() throws IOException {
        expire(0);
        io.failDeletes(segment(0)::equals);
        assertThatThrownBy(() -> log.applyRetention(DELETE_AFTER_A_WEEK)).isInstanceOf(IOException.class);
        io.failDeletes(p -> false);

        assertThat(log.applyRetention(DELETE_AFTER_A_WEEK)).containsExactly(segment(0));

        assertThat(segment(0)).doesNotExist();
        assertThat(log.minOffset()).isEqualTo(200);
        assertThat(fileNames())
                .as("nothing of the failed delete is left behind")
                .containsExactlyInAnyOrder(
                        LogDescriptor.segmentFileName(200),
                        LogDescriptor.segmentFileName(400),
                        LogDescriptor.segmentFileName(600),
                        LogDescriptor.RECOVERY_POINT_FILE);
    }

    @Test
    void aFailedDeleteIsRetriedByTheFirstPassAfterARestart() throws IOException {
        expire(0);
        io.failDeletes(segment(0)::equals);
        assertThatThrownBy(() -> log.applyRetention(DELETE_AFTER_A_WEEK)).isInstanceOf(IOException.class);
        reopen();

        assertThat(log.applyRetention(DELETE_AFTER_A_WEEK)).containsExactly(segment(0));

        assertThat(segment(0)).doesNotExist();
        assertThat(log.minOffset()).isEqualTo(200);
    }

    @Test
    void aFailedDeleteOfTheOldestSegmentKeepsTheFilesContiguousForTheNextOpen() throws IOException {
        expire(0, 200);
        io.failDeletes(segment(0)::equals);
        assertThatThrownBy(() -> log.applyRetention(DELETE_AFTER_A_WEEK)).isInstanceOf(IOException.class);
        assertThat(log.minOffset()).isEqualTo(400);

        reopen();

        assertThat(log.minOffset()).isEqualTo(400);
        assertThat(log.maxOffset()).isEqualTo(600);
        assertThat(StoredRecords.readAll(log)).hasSize(4);
        assertThat(log.applyRetention(DELETE_AFTER_A_WEEK)).containsExactly(segment(0), segment(200));
        assertThat(segment(0)).doesNotExist();
        assertThat(segment(200)).doesNotExist();
    }
}
