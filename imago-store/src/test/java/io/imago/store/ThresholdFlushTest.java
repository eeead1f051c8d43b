package io.imago.store;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FaultInjectingStorageIo.FsyncGate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ThresholdFlushTest {
    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
    private final FaultInjectingStorageIo io = new FaultInjectingStorageIo();
    private PartitionLog log;
    private long fsyncsAtOpen;
    private FsyncGate gate;

    private PartitionLog open(int threshold) throws IOException {
        LogConfig config = LogConfig.builder()
                .unflushThreshold(threshold)
                .unflushIntervalMs(10_000)
                .preallocateMaxBytes(0) // these tests count the writer's fsyncs; the fill's would count too
                .build();
        log = PartitionLog.open(tmp.resolve("th-0"), config, io, clock);
        fsyncsAtOpen = io.fsyncCount();
        return log;
    }

    @AfterEach
    void close() {
        if (gate != null) {
            gate.open();
        }
        if (log != null) {
            log.close();
        }
    }

    @Test
    void appendsAreAcknowledgedAndVisibleOnceWrittenWithoutFsync() throws Exception {
        open(1000);
        gate = io.holdFsyncs();
        assertThat(log.append(1, 0, payload(1, 10)).get(5, TimeUnit.SECONDS)).isZero();
        assertThat(log.append(2, 0, payload(2, 10)).get(5, TimeUnit.SECONDS)).isEqualTo(30);
        assertThat(log.maxOffset()).isEqualTo(60);
        assertThat(StoredRecords.readAll(log)).hasSize(2);
        assertThat(io.fsyncCount() - fsyncsAtOpen).isZero();
    }

    @Test
    void fsyncsAfterThresholdMessages() throws Exception {
        open(3);
        log.append(1, 0, payload(1, 10)).join();
        log.append(2, 0, payload(2, 10)).join();
        assertThat(io.fsyncCount() - fsyncsAtOpen).isZero();
        log.append(3, 0, payload(3, 10)).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> io.fsyncCount() - fsyncsAtOpen == 1);
    }

    @Test
    void aSlowFsyncDoesNotHoldUpTheAppendsAfterIt() throws Exception {
        open(2);
        gate = io.holdFsyncs();
        log.append(1, 0, payload(1, 10)).join();
        log.append(2, 0, payload(2, 10)).join(); // the threshold: an fsync starts and is held
        assertThat(gate.awaitHeld(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 3; i <= 10; i++) {
            assertThat(log.append(i, 0, payload(i, 10)).get(5, TimeUnit.SECONDS))
                    .isEqualTo((i - 1) * 30L);
        }
        assertThat(StoredRecords.readAll(log)).hasSize(10);
        gate.open();
        long afterHeld = io.fsyncCount();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            log.append(99, 0, payload(99, 10)).join(); // the next due check starts the next fsync
            return io.fsyncCount() > afterHeld;
        });
    }

    @Test
    void aFailedBackgroundFsyncTakesTheLogOfflineAtTheNextAppend() throws Exception {
        open(2);
        io.failNextFsync();
        log.append(1, 0, payload(1, 10)).join();
        log.append(2, 0, payload(2, 10)).join(); // the threshold: the fsync fails in the background
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            try {
                log.append(3, 0, payload(3, 10)).get(5, TimeUnit.SECONDS);
                return false;
            } catch (java.util.concurrent.ExecutionException | LogOfflineException e) {
                return true;
            }
        });
        assertThat(log.isOnline()).isFalse();
    }

    @Test
    void fsyncsOnceTheIntervalHasPassedWhenAskedByTheFlusher() throws Exception {
        open(1000);
        log.append(1, 0, payload(1, 10)).join();
        assertThat(log.flushIfDue()).as("interval not over").isFalse();
        clock.advance(Duration.ofSeconds(10));
        assertThat(log.flushIfDue()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> io.fsyncCount() - fsyncsAtOpen == 1);
        clock.advance(Duration.ofSeconds(10));
        assertThat(log.flushIfDue()).as("nothing unflushed").isFalse();
    }

    @Test
    void fsyncsOnTheNextAppendOnceTheIntervalHasPassed() throws Exception {
        open(1000);
        log.append(1, 0, payload(1, 10)).join();
        clock.advance(Duration.ofMillis(10_001));
        log.append(2, 0, payload(2, 10)).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> io.fsyncCount() - fsyncsAtOpen == 1);
    }

    @Test
    void logFlusherTicksAskDueLogsToFlush() throws Exception {
        open(1000);
        try (LogFlusher flusher = new LogFlusher(10)) {
            flusher.register(log);
            flusher.start();
            log.append(1, 0, payload(1, 10)).join();
            clock.advance(Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(5)).until(() -> io.fsyncCount() - fsyncsAtOpen == 1);
        }
    }

    @Test
    void logFlusherTicksOnAThreadOfItsOwnThatCloseEnds() {
        LogFlusher flusher = new LogFlusher(10);
        try {
            flusher.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> flusherThreads() == 1);
        } finally {
            flusher.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> flusherThreads() == 0);
    }

    private static long flusherThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals(LogFlusher.THREAD_NAME))
                .count();
    }

    @Test
    void groupCommitLogsIgnoreFlushRequests() throws Exception {
        log = PartitionLog.open(tmp.resolve("gc-0"), LogConfig.defaults(), io, clock);
        log.append(1, 0, payload(1, 10)).join();
        clock.advance(Duration.ofHours(1));
        assertThat(log.flushIfDue()).isFalse();
    }

    @Test
    void closeFsyncsWhatIsUnflushed() throws Exception {
        open(1000);
        log.append(1, 0, payload(1, 10)).join();
        log.close();
        assertThat(io.fsyncCount() - fsyncsAtOpen).isEqualTo(1);
        io.simulatePowerLoss();
        try (PartitionLog reopened =
                PartitionLog.open(tmp.resolve("th-0"), LogConfig.defaults(), new FaultInjectingStorageIo(), clock)) {
            assertThat(StoredRecords.readAll(reopened)).hasSize(1);
        }
    }
}
