package io.imago.store;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.store.StoredRecords.Stored;
import io.imago.store.fs.FaultInjectingStorageIo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directory entries under power loss (issue 13 section 2.1): an acknowledged record survives only if
 * the entries leading to its file were fsynced too, so a new partition directory needs its parent
 * synced, and a new segment its partition directory.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DirectoryDurabilityTest {
    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));

    /** Appends {@code count} records of 30 bytes (payload 10) and waits for every acknowledgement. */
    private static List<Stored> appendAcknowledged(PartitionLog log, int count) {
        List<Stored> acked = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long offset = log.append(i + 1, 0, payload(i, 10)).join();
            acked.add(new Stored(offset, i + 1, 0, payload(i, 10).array()));
        }
        return acked;
    }

    private List<Stored> afterPowerLoss(Path dir, LogConfig config, FaultInjectingStorageIo io, PartitionLog log)
            throws IOException {
        io.simulatePowerLoss();
        log.close();
        try (PartitionLog reopened = PartitionLog.open(dir, config, new FaultInjectingStorageIo(), clock)) {
            return StoredRecords.readAll(reopened);
        }
    }

    @Test
    void acknowledgedAppendsToANewPartitionSurvivePowerLoss() throws IOException {
        Path dir = tmp.resolve("data").resolve("fresh-0");
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        PartitionLog log = PartitionLog.open(dir, LogConfig.defaults(), io, clock);
        List<Stored> acked = appendAcknowledged(log, 5);
        assertThat(afterPowerLoss(dir, LogConfig.defaults(), io, log)).containsExactlyElementsOf(acked);
    }

    @Test
    void acknowledgedAppendsToASegmentCreatedAtARollSurvivePowerLoss() throws IOException {
        Path dir = tmp.resolve("roll-0");
        LogConfig config = LogConfig.builder().maxSegmentBytes(60).build();
        try (PartitionLog created = PartitionLog.open(dir, config, new FaultInjectingStorageIo(), clock)) {
            assertThat(created.segmentCount()).isEqualTo(1);
        }
        FaultInjectingStorageIo io = new FaultInjectingStorageIo();
        PartitionLog log = PartitionLog.open(dir, config, io, clock);
        List<Stored> acked = appendAcknowledged(log, 5);
        assertThat(log.segmentCount()).as("two records per segment").isEqualTo(3);
        assertThat(afterPowerLoss(dir, config, io, log)).containsExactlyElementsOf(acked);
    }
}
