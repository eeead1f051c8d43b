package io.imago.store;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imago.store.fs.FileChannelStorageIo;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogScrubberTest {
    private static final LogConfig SMALL_SEGMENTS =
            LogConfig.builder().maxSegmentBytes(200).build();
    private static final long FAST = 1L << 30;

    @TempDir
    Path tmp;

    private final StorageIo io = new FileChannelStorageIo();
    private final Clock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));

    /** A running log of 12 records of 50 bytes: sealed segments 0, 200, 400 and the active 600. */
    private PartitionLog threeSealedSegments() throws IOException {
        PartitionLog log = PartitionLog.open(tmp.resolve("scrub-0"), SMALL_SEGMENTS, io, clock);
        for (int i = 0; i < 12; i++) {
            log.append(i + 1, 0, payload(i, 30)).join();
        }
        assertThat(log.segmentCount()).isEqualTo(4);
        return log;
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
    void onePassFindsABitFlipInASealedSegmentOfARunningLogAndItsReadsAreRefused() throws IOException {
        try (PartitionLog log = threeSealedSegments()) {
            flipByte(log.directory().resolve(LogDescriptor.segmentFileName(200)), 50 + 20 + 7);
            LogRegion unknown = (LogRegion) log.read(250, 1000);
            assertThat(unknown.length()).as("not found yet: served as is").isEqualTo(150);
            unknown.release();
            AtomicLong counted = new AtomicLong();
            LogScrubber scrubber = new LogScrubber(() -> List.of(log), FAST, 60_000, counted::addAndGet);

            assertThat(scrubber.runPass()).isEqualTo(1);

            CorruptRange range = new CorruptRange(250, 300);
            assertThat(log.corruptRanges()).containsExactly(range);
            assertThat(counted.get()).isEqualTo(1);
            assertThatThrownBy(() -> log.read(250, 1000)).isInstanceOf(CorruptRecordException.class);
            LogRegion before = (LogRegion) log.read(200, 1000);
            assertThat(before.length())
                    .as("a read before the range stops at it")
                    .isEqualTo(50);
            before.release();
            assertThat(scrubber.runPass())
                    .as("a range already known is not counted again")
                    .isZero();
            assertThat(counted.get()).isEqualTo(1);
            assertThat(scrubber.scannedBytes()).as("sealed segments, twice").isGreaterThanOrEqualTo(2 * 600);
        }
    }

    @Test
    void theBackgroundThreadScrubsAgainAfterItsPause() throws IOException {
        try (PartitionLog log = threeSealedSegments();
                LogScrubber scrubber = new LogScrubber(() -> List.of(log), FAST, 10, n -> {})) {
            scrubber.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> scrubber.scannedBytes() >= 1200);
            assertThat(log.corruptRanges()).isEmpty();
            flipByte(log.directory().resolve(LogDescriptor.segmentFileName(400)), 150 + 25);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(log.corruptRanges()).containsExactly(new CorruptRange(550, 600)));
        }
    }

    @Test
    void thePassIsRateLimited() throws IOException {
        try (PartitionLog log = threeSealedSegments()) {
            LogScrubber scrubber = new LogScrubber(() -> List.of(log), 1000, 60_000, n -> {});
            long t0 = System.nanoTime();
            scrubber.runPass();
            assertThat(Duration.ofNanos(System.nanoTime() - t0))
                    .as("600 bytes at 1000 bytes/s")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(500));
        }
    }

    @Test
    void closeStopsAThrottledPassPromptly() throws IOException {
        try (PartitionLog log = threeSealedSegments()) {
            LogScrubber scrubber = new LogScrubber(() -> List.of(log), 1, 60_000, n -> {});
            scrubber.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> scrubber.scannedBytes() > 0);
            long t0 = System.nanoTime();
            scrubber.close();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(log.isOnline()).isTrue();
        }
    }
}
