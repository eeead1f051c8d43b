package io.imago.store;

import static io.imago.store.StoredRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.store.StoredRecords.Stored;
import io.imago.store.fs.FaultInjectingStorageIo;
import io.imago.store.fs.FaultInjectingStorageIo.FsyncGate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GroupCommitTest {
    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
    private final FaultInjectingStorageIo io = new FaultInjectingStorageIo();
    private final List<PartitionLog> opened = new ArrayList<>();
    private FsyncGate gate;

    @AfterEach
    void cleanUp() {
        if (gate != null) {
            gate.open();
        }
        opened.forEach(PartitionLog::close);
    }

    private PartitionLog open(LogConfig config, FaultInjectingStorageIo storage) throws IOException {
        // these tests count the writer's fsyncs: no zero fill ahead of it, whose fsyncs would count too
        PartitionLog log = PartitionLog.open(
                tmp.resolve("gc-0"), config.toBuilder().preallocateMaxBytes(0).build(), storage, clock);
        opened.add(log);
        return log;
    }

    @Test
    void anAppendIsAcknowledgedAndVisibleOnlyAfterItsFsync() throws Exception {
        PartitionLog log = open(LogConfig.defaults(), io);
        long fsyncsAtOpen = io.fsyncCount();
        gate = io.holdFsyncs();
        CompletableFuture<Long> pending = log.append(1, 0, payload(1, 10));
        assertThat(gate.awaitHeld(5, TimeUnit.SECONDS)).isTrue();
        assertThat(pending).isNotDone();
        assertThat(log.maxOffset()).isZero();
        assertThat(log.read(0, 100)).isInstanceOf(ReadResult.OffsetAtOrAfterMax.class);
        gate.open();
        assertThat(pending.get(5, TimeUnit.SECONDS)).isZero();
        assertThat(log.maxOffset()).isEqualTo(30);
        assertThat(io.fsyncCount() - fsyncsAtOpen).isEqualTo(1);
    }

    @Test
    void appendsQueueWhileAnFsyncIsInProgressAndShareTheNextOne() throws Exception {
        PartitionLog log = open(LogConfig.defaults(), io);
        long fsyncsAtOpen = io.fsyncCount();
        gate = io.holdFsyncs();
        CompletableFuture<Long> first = log.append(1, 0, payload(1, 10));
        assertThat(gate.awaitHeld(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Long>> queued = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            queued.add(log.append(i + 2, 0, payload(i, 10)));
        }
        assertThat(log.queuedBytes()).as("queued behind the fsync, not blocked").isEqualTo(50 * 30);
        assertThat(queued).allSatisfy(f -> assertThat(f).isNotDone());
        long writesBefore = io.writeCount();
        gate.open();
        CompletableFuture.allOf(queued.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.SECONDS);
        assertThat(first).isCompletedWithValue(0L);
        assertThat(io.fsyncCount() - fsyncsAtOpen)
                .as("one fsync for the first, one for the 50 queued")
                .isEqualTo(2);
        assertThat(io.writeCount() - writesBefore)
                .as("the queued 50 in one gathering write")
                .isEqualTo(1);
        assertThat(StoredRecords.readAll(log)).hasSize(51);
    }

    @Test
    void aFailedFsyncFailsItsWaitersTakesTheLogOfflineAndNothingLaterIsAcknowledged() throws Exception {
        PartitionLog log = open(LogConfig.defaults(), io);
        log.append(1, 0, payload(1, 10)).join();
        gate = io.holdFsyncs();
        io.failNextFsync();
        CompletableFuture<Long> inFlight = log.append(2, 0, payload(2, 10));
        assertThat(gate.awaitHeld(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Long>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(log.append(i + 3, 0, payload(i, 10)));
        }
        gate.open();
        assertThatThrownBy(inFlight::join)
                .hasCauseInstanceOf(LogOfflineException.class)
                .hasRootCauseMessage(
                        "injected fsync failure on " + log.directory().resolve(LogDescriptor.segmentFileName(0)));
        for (CompletableFuture<Long> f : queued) {
            assertThatThrownBy(f::join)
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(LogOfflineException.class);
        }
        assertThat(log.isOnline()).isFalse();
        assertThatThrownBy(() -> log.append(99, 0, payload(99, 1)).join())
                .hasCauseInstanceOf(LogOfflineException.class);
        assertThat(log.maxOffset())
                .as("nothing after the failure became visible")
                .isEqualTo(30);
        assertThat(StoredRecords.readAll(log)).hasSize(1);
    }

    @Test
    void whenOfflineCompletesBeforeTheWaitersFailAndNeverOnACleanClose() throws Exception {
        PartitionLog log = open(LogConfig.defaults(), io);
        AtomicReference<CompletableFuture<Long>> pending = new AtomicReference<>();
        CompletableFuture<StoreException> offline = log.whenOffline().toCompletableFuture();
        CompletableFuture<Boolean> answeredWhenTold =
                log.whenOffline().thenApply(cause -> pending.get().isDone()).toCompletableFuture();
        log.append(1, 0, payload(1, 10)).join();
        assertThat(offline).isNotDone();
        gate = io.holdFsyncs();
        io.failNextFsync();
        pending.set(log.append(2, 0, payload(2, 10)));
        assertThat(gate.awaitHeld(5, TimeUnit.SECONDS)).isTrue();
        gate.open();
        assertThat(offline.get(5, TimeUnit.SECONDS)).isInstanceOf(LogOfflineException.class);
        assertThat(answeredWhenTold.get(5, TimeUnit.SECONDS))
                .as("the waiting append had been answered when the log was reported offline")
                .isFalse();
        assertThatThrownBy(pending.get()::join).hasCauseInstanceOf(LogOfflineException.class);

        PartitionLog healthy =
                PartitionLog.open(tmp.resolve("healthy-0"), LogConfig.defaults(), new FaultInjectingStorageIo(), clock);
        opened.add(healthy);
        healthy.append(1, 0, payload(1, 10)).join();
        healthy.close();
        assertThat(healthy.whenOffline().toCompletableFuture()).isNotDone();
    }

    @Test
    void aFailedWriteFailsEveryWaiterAndTakesTheLogOffline() throws Exception {
        PartitionLog log = open(LogConfig.defaults(), io);
        io.failNextWrite();
        CompletableFuture<long[]> batch =
                log.appendBatch(List.of(new Record(1, 0, payload(1, 5)), new Record(2, 0, payload(2, 5))));
        assertThatThrownBy(batch::join).hasCauseInstanceOf(LogOfflineException.class);
        assertThat(log.isOnline()).isFalse();
        assertThatThrownBy(() -> log.append(3, 0, payload(3, 5)).join()).hasCauseInstanceOf(LogOfflineException.class);
        log.close();
        PartitionLog reopened =
                PartitionLog.open(tmp.resolve("gc-0"), LogConfig.defaults(), new FaultInjectingStorageIo(), clock);
        opened.add(reopened);
        assertThat(reopened.recovery().recovered())
                .as("an offline log does not claim a clean shutdown")
                .isTrue();
        assertThat(reopened.append(4, 0, payload(4, 5)).join()).isZero();
    }

    @Test
    @SuppressWarnings("FutureReturnValueIgnored") // the whenComplete only records acknowledgements
    void everyAcknowledgedRecordSurvivesPowerLossAndNoHalfRecordIsVisible() throws Exception {
        LogConfig config = LogConfig.builder().maxSegmentBytes(8 * 1024).build();
        PartitionLog log = open(config, io);
        io.delayFsync(1);
        Map<Long, Long> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch someAcked = new CountDownLatch(200);
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            Thread appender = new Thread(() -> {
                for (long i = 0; !stop.get(); i++) {
                    long id = thread * 1_000_000L + i + 1;
                    CompletableFuture<Long> f = log.append(id, 0, payload(id, 20 + (int) (id % 50)));
                    f.whenComplete((offset, error) -> {
                        if (error == null) {
                            acknowledged.put(id, offset);
                            someAcked.countDown();
                        }
                    });
                    if (i % 8 == 7 && f.handle((offset, error) -> error).join() != null) {
                        return; // the log failed: the power is gone
                    }
                }
            });
            appender.start();
            appenders.add(appender);
        }
        assertThat(someAcked.await(20, TimeUnit.SECONDS)).isTrue();
        io.simulatePowerLoss();
        stop.set(true);
        for (Thread t : appenders) {
            t.join();
        }
        log.close();
        Map<Long, Long> acked = Map.copyOf(acknowledged);

        PartitionLog reopened = open(config, new FaultInjectingStorageIo());
        List<Stored> survived = StoredRecords.readAll(reopened);
        Map<Long, Stored> byOffset = new ConcurrentHashMap<>();
        survived.forEach(s -> byOffset.put(s.offset(), s));
        assertThat(acked).isNotEmpty();
        acked.forEach((id, offset) -> {
            Stored s = byOffset.get(offset);
            assertThat(s).as("acknowledged record %d at %d", id, offset).isNotNull();
            assertThat(s.messageId()).isEqualTo(id);
            assertThat(s.payload()).isEqualTo(payload(id, 20 + (int) (id % 50)).array());
        });
        long end = survived.isEmpty()
                ? reopened.minOffset()
                : survived.get(survived.size() - 1).offset()
                        + survived.get(survived.size() - 1).length();
        assertThat(reopened.maxOffset())
                .as("the log ends with a complete record")
                .isEqualTo(end);
    }

    @Test
    void aSlowFsyncDoesNotDelayReturnFromAppend() throws Exception {
        PartitionLog log = open(LogConfig.defaults(), io);
        gate = io.holdFsyncs();
        // the appends run on their own thread, so one that waited for the fsync fails the test instead of
        // hanging it
        ExecutorService appender = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Long> first = appendOn(appender, log, 1);
            assertThat(gate.awaitHeld(10, TimeUnit.SECONDS)).isTrue();
            assertThat(log.queuedBytes())
                    .as("the writer took the first append into its fsync")
                    .isZero();
            CompletableFuture<Long> second = appendOn(appender, log, 2);
            assertThat(first).as("the fsync is still held").isNotDone();
            assertThat(second).isNotDone();
            assertThat(log.queuedBytes()).as("queued behind the fsync").isEqualTo(30);
            gate.open();
            assertThat(first.get(5, TimeUnit.SECONDS)).isZero();
            assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(30);
        } finally {
            gate.open();
            appender.shutdown();
            assertThat(appender.awaitTermination(10, TimeUnit.SECONDS))
                    .as("the appending thread ended")
                    .isTrue();
        }
    }

    /**
     * Calls {@code append} on {@code thread}; fails if the call has not returned after 10 s, well before
     * the gate gives up holding the fsync (30 s).
     */
    private static CompletableFuture<Long> appendOn(ExecutorService thread, PartitionLog log, long id)
            throws Exception {
        @SuppressWarnings("FutureReturnValueIgnored") // nested on purpose: this waits for append to return
        Future<CompletableFuture<Long>> call = thread.submit(() -> log.append(id, 0, payload(id, 10)));
        try {
            return call.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("append of " + id + " did not return within 10 s while an fsync was held", e);
        }
    }
}
