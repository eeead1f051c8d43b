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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How acknowledged appends are answered: the order of completions, and that none is left unanswered. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CompletionTest {
    private static final String PARTITION = "done-0";

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

    private PartitionLog open() throws IOException {
        PartitionLog log = PartitionLog.open(tmp.resolve(PARTITION), LogConfig.defaults(), io, clock);
        opened.add(log);
        return log;
    }

    @Test
    void singlePutsAndBatchesInOneChunkCompleteInOffsetOrder() throws Exception {
        PartitionLog log = open();
        gate = io.holdFsyncs();
        CompletableFuture<Long> first = log.append(1, 0, payload(1, 10));
        assertThat(gate.awaitHeld(5, TimeUnit.SECONDS)).isTrue();
        // these three queue behind the held fsync, in one write chunk
        List<Long> completed = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> single = log.append(2, 0, payload(2, 10)).thenAccept(completed::add);
        CompletableFuture<Void> batch = log.appendBatch(
                        List.of(new Record(3, 0, payload(3, 10)), new Record(4, 0, payload(4, 10))))
                .thenAccept(offsets -> completed.add(offsets[0]));
        CompletableFuture<Void> next = log.append(5, 0, payload(5, 10)).thenAccept(completed::add);
        gate.open();
        CompletableFuture.allOf(first, single, batch, next).get(5, TimeUnit.SECONDS);
        assertThat(completed).as("completion order").containsExactly(30L, 60L, 120L);
    }

    @Test
    void anErrorCompletingOneFutureLeavesNoOtherUnanswered() {
        CompletableFuture<Long> before = new CompletableFuture<>();
        CompletableFuture<Long> failing = new CompletableFuture<>() {
            @Override
            public boolean complete(Long value) {
                throw new OutOfMemoryError("injected: completing this future failed");
            }
        };
        CompletableFuture<Long> after = new CompletableFuture<>();
        CompletableFuture<long[]> batchAfter = new CompletableFuture<>();
        WriteChunk one = WriteChunk.pooled(4096);
        one.reset(0, 0);
        one.addSingle(before, 0);
        one.addSingle(failing, 30);
        one.addSingle(after, 60);
        one.addBatch(batchAfter, new long[] {90, 120});

        Throwable thrown = one.completeAll();

        assertThat(thrown).isInstanceOf(OutOfMemoryError.class);
        assertThat(before).isCompletedWithValue(0L);
        assertThat(after).isCompletedWithValue(60L);
        assertThat(batchAfter.getNow(null)).containsExactly(90, 120);
        assertThat(failing)
                .as("the future whose completion threw is answered with the error")
                .isCompletedExceptionally();
    }

    @Test
    void aCallbackThatThrowsAnErrorStopsNeitherTheWriterNorTheOtherCompletions() throws Exception {
        PartitionLog log = open();
        gate = io.holdFsyncs();
        CompletableFuture<Long> first = log.append(1, 0, payload(1, 10));
        assertThat(gate.awaitHeld(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Long> throwing = log.append(2, 0, payload(2, 10));
        CompletableFuture<Void> dependent = throwing.thenRun(() -> {
            throw new AssertionError("injected: a callback that throws an Error");
        });
        CompletableFuture<Long> behind = log.append(3, 0, payload(3, 10));
        gate.open();

        assertThat(first).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(0L);
        assertThat(throwing).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(30L);
        assertThat(behind).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(60L);
        assertThat(dependent).isCompletedExceptionally();
        assertThat(log.append(4, 0, payload(4, 10)))
                .as("the writer goes on")
                .succeedsWithin(Duration.ofSeconds(5))
                .isEqualTo(90L);
        assertThat(log.isOnline()).isTrue();
    }

    @Test
    void anInterruptedWriterStillAnswersEveryAppend() throws Exception {
        PartitionLog log = open();
        gate = io.holdFsyncs();
        CompletableFuture<Long> inFsync = log.append(1, 0, payload(1, 10));
        assertThat(gate.awaitHeld(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Long>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(log.append(i + 2, 0, payload(i, 10)));
        }

        writerThread().interrupt();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> inFsync.isDone() && queued.stream().allMatch(CompletableFuture::isDone));
        for (CompletableFuture<Long> f : queued) {
            assertThat(f).failsWithin(Duration.ZERO).withThrowableThat().withCauseInstanceOf(LogOfflineException.class);
        }
        assertThat(inFsync)
                .as("its fsync was interrupted: not acknowledged")
                .failsWithin(Duration.ZERO)
                .withThrowableThat()
                .withCauseInstanceOf(LogOfflineException.class);
        assertThat(log.isOnline()).isFalse();
        assertThat(log.append(99, 0, payload(99, 10)))
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(LogOfflineException.class);
    }

    /** The private writer thread of a log opened on its own: {@code imago-log-writer-<partition>-0}. */
    private static Thread writerThread() {
        String name = "imago-log-writer-" + PARTITION + "-0";
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no thread " + name));
    }
}
