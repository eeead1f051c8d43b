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
    void anErrorCompletingOneFutureLeavesNoOtherUnanswered() throws Exception {
        AppendQueue queue = new AppendQueue(LogConfig.defaults(), PARTITION, 0, 0);
        Completer completer = new Completer(queue, PARTITION);
        CompletableFuture<Long> before = new CompletableFuture<>();
        CompletableFuture<Long> failing = new CompletableFuture<>() {
            @Override
            public boolean complete(Long value) {
                throw new OutOfMemoryError("injected: completing this future failed");
            }
        };
        CompletableFuture<Long> after = new CompletableFuture<>();
        CompletableFuture<long[]> batchAfter = new CompletableFuture<>();
        CompletableFuture<Long> nextChunk = new CompletableFuture<>();
        WriteChunk one = WriteChunk.pooled(4096);
        one.reset(0, 0);
        one.addSingle(before, 0);
        one.addSingle(failing, 30);
        one.addSingle(after, 60);
        one.addBatch(batchAfter, new long[] {90, 120});
        WriteChunk two = WriteChunk.pooled(4096);
        two.reset(0, 150);
        two.addSingle(nextChunk, 150);
        Thread thread = new Thread(completer, "completer-under-test");
        thread.start();

        completer.submit(new ArrayList<>(List.of(one, two)));
        completer.finish();
        thread.join(5_000);

        assertThat(thread.isAlive()).isFalse();
        assertThat(before).isCompletedWithValue(0L);
        assertThat(after).isCompletedWithValue(60L);
        assertThat(batchAfter.getNow(null)).containsExactly(90, 120);
        assertThat(nextChunk).isCompletedWithValue(150L);
        assertThat(failing)
                .as("the future whose completion threw is answered with the error")
                .isCompletedExceptionally();
    }

    @Test
    void anInterruptedCompleterStillAnswersEveryAppend() throws Exception {
        PartitionLog log = open();
        gate = io.holdFsyncs();
        CompletableFuture<Long> inFsync = log.append(1, 0, payload(1, 10));
        assertThat(gate.awaitHeld(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Long>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(log.append(i + 2, 0, payload(i, 10)));
        }

        completerThread().interrupt();
        gate.open();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> inFsync.isDone() && queued.stream().allMatch(CompletableFuture::isDone));
        assertThat(inFsync).as("fsynced before the interrupt took effect").isCompletedWithValue(0L);
        for (CompletableFuture<Long> f : queued) {
            Throwable error = f.handle((offset, e) -> e).join();
            if (error != null) {
                assertThat(error).isInstanceOf(LogOfflineException.class);
            }
        }
        assertThat(log.isOnline()).isFalse();
        assertThat(log.append(99, 0, payload(99, 10)))
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(LogOfflineException.class);
    }

    private static Thread completerThread() {
        String name = "imago-log-completer-" + PARTITION;
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no thread " + name));
    }
}
