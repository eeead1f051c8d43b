package io.imago.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FaultInjectingStorageIo.FsyncGate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PartitionLog#awaitDataBeyond}: what a long-polling fetch waits on. The logs run over
 * {@link FaultInjectingStorageIo}, so a test can hold the segment fsyncs at an {@link FsyncGate}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DataWaitTest {
    /** A record of a 10-byte payload: the 20-byte header and the payload. */
    private static final long RECORD_BYTES = 30;

    @TempDir
    Path tmp;

    private final FaultInjectingStorageIo io = new FaultInjectingStorageIo();
    private final List<PartitionLog> opened = new ArrayList<>();
    private FsyncGate gate;

    @AfterEach
    void closeLogs() {
        if (gate != null) {
            gate.open(); // a held fsync would hold up close
        }
        opened.forEach(PartitionLog::close);
    }

    private PartitionLog open(LogConfig config) throws IOException {
        PartitionLog log = PartitionLog.open(tmp.resolve("topic-0"), config, io, Clock.systemUTC());
        opened.add(log);
        return log;
    }

    private static ByteBuffer payload(int bytes) {
        return ByteBuffer.wrap(new byte[bytes]);
    }

    @Test
    void aWaitBelowTheEndCompletesAtOnce() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        log.append(1, 0, payload(10)).join();
        assertThat(log.awaitDataBeyond(0)).isDone();
        assertThat(log.awaitDataBeyond(log.maxOffset())).isNotDone();
    }

    @Test
    void aWaitAtTheEndCompletesWhenTheNextAppendIsAcknowledgedNotBefore() throws Exception {
        PartitionLog log = open(LogConfig.defaults());
        CompletableFuture<Void> waiting = log.awaitDataBeyond(0);
        assertThat(waiting).isNotDone();
        gate = io.holdFsyncs();
        CompletableFuture<Long> append = log.append(1, 0, payload(10));
        assertThat(gate.awaitHeld(10, TimeUnit.SECONDS))
                .as("the append's fsync reached the gate")
                .isTrue();
        // written but not fsynced: in group commit that is not acknowledged, so nobody is woken yet
        assertThat(waiting).as("woken before the fsync").isNotDone();
        assertThat(append).as("acknowledged before the fsync").isNotDone();
        assertThat(log.maxOffset()).isZero();

        gate.open();
        waiting.get(10, TimeUnit.SECONDS);
        assertThat(log.maxOffset()).as("woken with the record readable").isEqualTo(RECORD_BYTES);
        assertThat(append.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aWaitBeyondAFurtherOffsetIgnoresAppendsThatDoNotReachIt() throws Exception {
        PartitionLog log = open(LogConfig.defaults());
        log.append(1, 0, payload(10)).join();
        long end = log.maxOffset();
        CompletableFuture<Void> far = log.awaitDataBeyond(end + 1000);
        log.append(2, 0, payload(10)).join();
        assertThat(far).isNotDone();
        for (int i = 0; i < 40; i++) {
            log.append(3 + i, 0, payload(10)).join();
        }
        far.get(10, TimeUnit.SECONDS);
    }

    @Test
    void abandonedWaitsAreForgottenAndDoNotStopOthers() throws Exception {
        PartitionLog log = open(LogConfig.defaults());
        int baseline = log.dataWaiterCount();
        int abandoned = 500;
        for (int i = 0; i < abandoned; i++) {
            log.awaitDataBeyond(0).cancel(false); // as a long poll that timed out
        }
        // dropped while later waits register, even though no data arrives to wake anyone
        assertThat(log.dataWaiterCount())
                .as("waiters held after %d abandoned waits", abandoned)
                .isLessThanOrEqualTo(baseline + SegmentSet.SWEEP_EVERY);

        CompletableFuture<Void> live = log.awaitDataBeyond(0);
        assertThat(log.dataWaiterCount()).isGreaterThan(baseline);
        log.append(1, 0, payload(10)).join();
        live.get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(log.dataWaiterCount())
                        .as("waiters held once the live one is woken")
                        .isEqualTo(baseline));
    }

    @Test
    void closingTheLogWakesItsWaiters() throws Exception {
        PartitionLog log = open(LogConfig.defaults());
        CompletableFuture<Void> waiting = log.awaitDataBeyond(0);
        log.close();
        waiting.get(10, TimeUnit.SECONDS);
    }

    @Test
    void thresholdModeWakesAfterTheWriteWithoutWaitingForAnFsync() throws Exception {
        // a threshold of one message: the append's own write makes an fsync due at once
        // no zero fill: its fsync would be held at the gate as well, and could be the one awaited
        PartitionLog log = open(
                LogConfig.builder().unflushThreshold(1).preallocateMaxBytes(0).build());
        CompletableFuture<Void> waiting = log.awaitDataBeyond(0);
        long fsyncsBefore = io.fsyncCount();
        gate = io.holdFsyncs();
        CompletableFuture<Long> append = log.append(1, 0, payload(10));
        assertThat(gate.awaitHeld(10, TimeUnit.SECONDS))
                .as("the fsync after the write reached the gate")
                .isTrue();
        // the fsync stays held until the test ends: the wait and the append complete without it
        assertThat(waiting).as("woken while the fsync is held").succeedsWithin(Duration.ofSeconds(10));
        assertThat(append.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(log.maxOffset()).isEqualTo(RECORD_BYTES);
        assertThat(io.fsyncCount()).as("segment fsyncs completed meanwhile").isEqualTo(fsyncsBefore);
    }
}
