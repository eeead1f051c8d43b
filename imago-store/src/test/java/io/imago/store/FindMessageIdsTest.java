package io.imago.store;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.store.fs.FileChannelStorageIo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link PartitionLog#findMessageIds}: which of a committing transaction's messages are stored already. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FindMessageIdsTest {
    @TempDir
    Path tmp;

    private PartitionLog log;

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    private PartitionLog open(LogConfig config) throws IOException {
        log = PartitionLog.open(
                tmp.resolve("topic-0"), config, new FileChannelStorageIo(), new MutableClock(Instant.EPOCH));
        return log;
    }

    @Test
    void findsOnlyTheIdsStoredAtOrAfterTheOffset() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        log.append(1, 0, payload(1, 30)).join();
        long second = log.append(2, 0, payload(2, 30)).join();
        log.append(3, 0, payload(3, 30)).join();

        assertThat(log.findMessageIds(0, Set.of(1L, 3L, 9L))).containsExactlyInAnyOrder(1L, 3L);
        assertThat(log.findMessageIds(second, Set.of(1L, 2L, 3L))).containsExactlyInAnyOrder(2L, 3L);
        assertThat(log.findMessageIds(log.maxOffset(), Set.of(1L, 2L, 3L))).isEmpty();
        assertThat(log.findMessageIds(0, Set.of())).isEmpty();
    }

    @Test
    void scansAcrossSegmentsAndRecordsLargerThanOneReadChunk() throws IOException {
        PartitionLog log = open(LogConfig.builder().maxSegmentBytes(64 * 1024).build());
        for (long id = 1; id <= 200; id++) {
            log.append(id, 0, payload(id, 1000)).join();
        }
        log.append(1000, 0, payload(1000, 600 * 1024)).join(); // bigger than a scan chunk (256 KiB)
        log.append(1001, 0, payload(1001, 10)).join();

        assertThat(log.findMessageIds(0, Set.of(5L, 150L, 1000L, 1001L, 4242L)))
                .containsExactlyInAnyOrder(5L, 150L, 1000L, 1001L);
    }
}
