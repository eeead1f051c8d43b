package io.imago.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.store.io.FileChannelStorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PartitionLog#awaitDataBeyond}: what a long-polling fetch waits on. */
class DataWaitTest {
    @TempDir
    Path tmp;
    private final List<PartitionLog> opened = new ArrayList<>();

    @AfterEach
    void closeLogs() {
        opened.forEach(PartitionLog::close);
    }

    private PartitionLog open(LogConfig config) throws IOException {
        PartitionLog log = PartitionLog.open(tmp.resolve("topic-0"), config, new FileChannelStorageIo(),
                Clock.systemUTC());
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
        CompletableFuture<Long> append = log.append(1, 0, payload(10));
        waiting.get(10, TimeUnit.SECONDS);
        // by then the append is acknowledged: a read sees it
        assertThat(append.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(log.maxOffset()).isGreaterThan(0);
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
        List<CompletableFuture<Void>> abandoned = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            CompletableFuture<Void> f = log.awaitDataBeyond(0);
            f.cancel(false);
            abandoned.add(f);
        }
        CompletableFuture<Void> live = log.awaitDataBeyond(0);
        log.append(1, 0, payload(10)).join();
        live.get(10, TimeUnit.SECONDS);
        assertThat(abandoned).allMatch(CompletableFuture::isCancelled);
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
        PartitionLog log = open(LogConfig.builder().unflushThreshold(1000).build());
        CompletableFuture<Void> waiting = log.awaitDataBeyond(0);
        log.append(1, 0, payload(10)).join();
        waiting.get(10, TimeUnit.SECONDS);
    }
}
