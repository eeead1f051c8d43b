package io.imago.store;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.store.StoredRecords.Stored;
import io.imago.store.fs.FileChannelStorageIo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Assertions;

class RecoveryProperties {

    /**
     * Random bytes after the last complete record are cut away, whatever the checkpoint said.
     * (Random bytes forming a valid record would need a 31-bit checksum match: not a worry at these
     * numbers of tries.)
     */
    @Property(tries = 60)
    void randomGarbageTailIsTruncatedAndNothingElse(
            @ForAll @Size(min = 1, max = 300) byte[] garbage,
            @ForAll @IntRange(min = 0, max = 6) int records,
            @ForAll boolean keepCheckpoint)
            throws IOException {
        Path dir = Files.createTempDirectory("imago-garbage");
        try {
            Assertions.assertTimeoutPreemptively(
                    Duration.ofSeconds(20), () -> checkGarbageTail(dir, garbage, records, keepCheckpoint));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static void checkGarbageTail(Path root, byte[] garbage, int records, boolean keepCheckpoint)
            throws IOException {
        Path dir = root.resolve("t-1");
        LogConfig config = LogConfig.builder().maxSegmentBytes(150).build();
        MutableClock clock = new MutableClock(Instant.EPOCH);
        List<Stored> before;
        try (PartitionLog log = PartitionLog.open(dir, config, new FileChannelStorageIo(), clock)) {
            for (int i = 0; i < records; i++) {
                log.append(i + 1, i % 2, payload(i, 10 + 13 * i)).join();
            }
            before = StoredRecords.readAll(log);
        }
        Path last = dir.resolve(LogDescriptor.segmentFileName(lastSegmentStart(dir)));
        Files.write(last, garbage, StandardOpenOption.APPEND);
        if (!keepCheckpoint) {
            Files.delete(dir.resolve(LogDescriptor.RECOVERY_POINT_FILE));
        }
        try (PartitionLog log = PartitionLog.open(dir, config, new FileChannelStorageIo(), clock)) {
            assertThat(log.recovery().truncatedBytes())
                    .as("the garbage up to its last non-zero byte (zeros after it are taken for preallocated space)")
                    .isEqualTo(nonZeroLength(garbage));
            assertThat(StoredRecords.readAll(log)).isEqualTo(before);
            long end = log.maxOffset();
            assertThat(log.append(100, 0, payload(100, 4)).join()).isEqualTo(end);
        }
    }

    private static int nonZeroLength(byte[] bytes) {
        int n = bytes.length;
        while (n > 0 && bytes[n - 1] == 0) {
            n--;
        }
        return n;
    }

    private static long lastSegmentStart(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p ->
                            LogDescriptor.parseSegmentFileName(p.getFileName().toString()))
                    .flatMap(java.util.Optional::stream)
                    .max(Long::compare)
                    .orElseThrow();
        }
    }
}
