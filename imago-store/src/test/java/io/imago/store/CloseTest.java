package io.imago.store;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FaultInjectingStorageIo.FsyncGate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@link PartitionLog#close()} on a disk that hangs: bounded, reported, and every append answered. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CloseTest {
    private static final String PARTITION = "close-0";

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
    private final FaultInjectingStorageIo io = new FaultInjectingStorageIo();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logLogger = (Logger) LoggerFactory.getLogger(PartitionLog.class);
    private final List<PartitionLog> opened = new ArrayList<>();
    private FsyncGate gate;

    @BeforeEach
    void captureLog() {
        logged.start();
        logLogger.addAppender(logged);
    }

    @AfterEach
    void cleanUp() {
        logLogger.detachAppender(logged);
        if (gate != null) {
            gate.open();
        }
        opened.forEach(PartitionLog::close);
    }

    private PartitionLog open(LogConfig config) throws IOException {
        PartitionLog log = PartitionLog.open(tmp.resolve(PARTITION), config, io, clock);
        opened.add(log);
        return log;
    }

    @Test
    void closeGivesUpOnAHungFsyncAfterItsBoundAndFailsEveryUnansweredAppend() throws Exception {
        PartitionLog log = open(LogConfig.builder().closeTimeoutMs(300).build());
        gate = io.holdFsyncs();
        List<CompletableFuture<Long>> appends = new ArrayList<>();
        appends.add(log.append(1, 0, payload(1, 10)));
        assertThat(gate.awaitHeld(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 5; i++) {
            appends.add(log.append(i + 2, 0, payload(i, 10)));
        }

        CompletableFuture<Void> closing = CompletableFuture.runAsync(log::close);

        closing.get(5, TimeUnit.SECONDS); // before the bound, close waited for the fsync the gate holds (30 s)
        for (CompletableFuture<Long> append : appends) {
            assertThat(append)
                    .failsWithin(Duration.ZERO)
                    .withThrowableThat()
                    .withCauseInstanceOf(LogOfflineException.class);
        }
        assertThat(log.isOnline()).isFalse();
        assertThat(logged.list)
                .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m)
                        .contains(PARTITION, "300 ms", "failed 6 unanswered append")
                        .contains("the writer on imago-log-writer-" + PARTITION));
    }

    @Test
    void aWriterThatReturnsAfterCloseGaveUpAcknowledgesNothing() throws Exception {
        PartitionLog log = open(LogConfig.builder().closeTimeoutMs(300).build());
        gate = io.holdFsyncs();
        CompletableFuture<Long> append = log.append(1, 0, payload(1, 10));
        assertThat(gate.awaitHeld(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture.runAsync(log::close).get(5, TimeUnit.SECONDS);

        gate.open();

        await().atMost(Duration.ofSeconds(10)).until(() -> log.writerHasEnded());
        assertThat(append).isCompletedExceptionally();
        assertThat(log.maxOffset())
                .as("nothing became visible after close gave up")
                .isZero();
        assertThat(io.openFileCount())
                .as("the writer released the active segment as it ended")
                .isZero();
    }

    @Test
    void closeGivesUpOnAHungBackgroundFsyncInThresholdMode() throws Exception {
        PartitionLog log =
                open(LogConfig.builder().unflushThreshold(1).closeTimeoutMs(300).build());
        gate = io.holdFsyncs();
        CompletableFuture<Long> written = log.append(1, 0, payload(1, 10));
        assertThat(gate.awaitHeld(5, TimeUnit.SECONDS)).isTrue();

        CompletableFuture.runAsync(log::close).get(5, TimeUnit.SECONDS);

        assertThat(written).as("acknowledged once written, in this mode").isCompletedWithValue(0L);
        assertThat(logged.list)
                .map(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).contains(PARTITION, "close gave up", "failed 0 unanswered"));
    }

    @Test
    void closeGivesUpOnACallbackThatBlocksTheWriter() throws Exception {
        PartitionLog log = open(LogConfig.builder().closeTimeoutMs(300).build());
        CountDownLatch release = new CountDownLatch(1);
        gate = io.holdFsyncs();
        CompletableFuture<Void> blocked = log.append(1, 0, payload(1, 10)).thenRun(() -> awaitQuietly(release));
        assertThat(gate.awaitHeld(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Long> behind = log.append(2, 0, payload(2, 10));
        gate.open();
        // the first is written and published; its completion blocks the writer, so the second waits
        await().atMost(Duration.ofSeconds(5)).until(() -> log.maxOffset() == 30);
        try {
            CompletableFuture.runAsync(log::close).get(5, TimeUnit.SECONDS);

            assertThat(behind)
                    .as("queued behind the callback that blocks the writer")
                    .failsWithin(Duration.ZERO)
                    .withThrowableThat()
                    .withCauseInstanceOf(LogOfflineException.class);
            assertThat(logged.list)
                    .map(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(
                            m -> assertThat(m).contains("the writer on imago-log-writer-" + PARTITION, "awaitQuietly"));
        } finally {
            release.countDown();
        }
        blocked.get(5, TimeUnit.SECONDS);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
