package io.imago.store;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.store.fs.FileChannelStorageIo;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OfflineVerifierTest {
    @TempDir
    Path tmp;

    private final StorageIo io = new FileChannelStorageIo();
    private final Clock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));

    /** Segments 0 and 200 of 4 records of 50 bytes, the last one [400, 500) of 2; stopped cleanly. */
    private Path stoppedLog() throws IOException {
        Path dir = tmp.resolve("t-0");
        try (PartitionLog log =
                PartitionLog.open(dir, LogConfig.builder().maxSegmentBytes(200).build(), io, clock)) {
            for (int i = 0; i < 10; i++) {
                log.append(i + 1, 0, payload(i, 30)).join();
            }
        }
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
    void aCleanLogHasEveryRecordAndNoCorruption() throws IOException {
        Path dir = stoppedLog();
        List<Long> progress = new ArrayList<>();
        OfflineVerifier.Result result = new OfflineVerifier(io, LogConfig.DEFAULT_MAX_MESSAGE_BYTES)
                .verify(dir, (s, done, all) -> progress.add(done));
        assertThat(result).isEqualTo(new OfflineVerifier.Result(3, 500, 10, List.of(), 0, 0));
        assertThat(progress).containsExactly(200L, 400L, 500L);
    }

    @Test
    void corruptionInASealedAndInTheLastSegmentBelowTheAcknowledgedEndIsReportedAndNothingIsChanged()
            throws IOException {
        Path dir = stoppedLog();
        flipByte(dir.resolve(LogDescriptor.segmentFileName(0)), 50 + 25);
        flipByte(dir.resolve(LogDescriptor.segmentFileName(400)), 25);
        byte[] checkpoint = Files.readAllBytes(dir.resolve(LogDescriptor.RECOVERY_POINT_FILE));

        OfflineVerifier.Result result =
                new OfflineVerifier(io, LogConfig.DEFAULT_MAX_MESSAGE_BYTES).verify(dir, (s, d, a) -> {});

        assertThat(result.corruptRanges()).containsExactly(new CorruptRange(50, 100), new CorruptRange(400, 450));
        assertThat(result.records()).isEqualTo(8);
        assertThat(result.tornTailBytes()).isZero();
        assertThat(Files.readAllBytes(dir.resolve(LogDescriptor.RECOVERY_POINT_FILE)))
                .isEqualTo(checkpoint);
        assertThat(Files.size(dir.resolve(LogDescriptor.segmentFileName(400)))).isEqualTo(100);
    }

    @Test
    void aTornTailAboveTheAcknowledgedEndIsNotCorruption() throws IOException {
        Path dir = stoppedLog();
        Files.write(
                dir.resolve(LogDescriptor.segmentFileName(400)),
                new byte[] {1, 2, 3, 4, 5, 6, 7},
                StandardOpenOption.APPEND);

        OfflineVerifier.Result result =
                new OfflineVerifier(io, LogConfig.DEFAULT_MAX_MESSAGE_BYTES).verify(dir, (s, d, a) -> {});

        assertThat(result.corruptRanges()).isEmpty();
        assertThat(result.tornTailBytes()).isEqualTo(7);
        assertThat(result.records()).isEqualTo(10);
    }
}
