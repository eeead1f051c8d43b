package io.imago.bench;

import io.imago.store.LogConfig;
import io.imago.store.PartitionLog;
import io.imago.store.fs.FileChannelStorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Group-commit append throughput of one partition: N appender threads each append a record and
 * wait for its acknowledgement (fsynced) before the next, so N appends are in flight at once and
 * the log's force-write thread batches them. One operation is one acknowledged record of
 * {@code recordBytes} bytes on disk (20-byte header included). Each iteration starts a fresh log.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GroupCommitAppendBenchmark {

    /** Bytes of one record on disk, header included. */
    @Param({"100", "1024"})
    public int recordBytes;

    private Path dir;
    private PartitionLog log;

    /** Each appender's own payload, so threads share no buffer, and its window of pending appends. */
    @State(Scope.Thread)
    public static class Payload {
        ByteBuffer buffer;
        final ArrayDeque<CompletableFuture<Long>> pending = new ArrayDeque<>();

        /** Waits for the appends still in flight at the end of an iteration. */
        @TearDown(Level.Iteration)
        public void drain() {
            while (!pending.isEmpty()) {
                pending.poll().join();
            }
        }

        @Setup
        public void fill(GroupCommitAppendBenchmark bench) {
            byte[] bytes = new byte[bench.recordBytes - 20];
            ThreadLocalRandom.current().nextBytes(bytes);
            buffer = ByteBuffer.wrap(bytes);
        }
    }

    @Setup(Level.Iteration)
    public void openLog() throws IOException {
        dir = Files.createTempDirectory(BenchDirs.root(), "group-commit");
        LogConfig config = LogConfig.builder().unflushThreshold(0).build();
        log = PartitionLog.open(dir.resolve("bench-0"), config, new FileChannelStorageIo(), Clock.systemUTC());
    }

    @TearDown(Level.Iteration)
    public void closeLog() throws IOException {
        log.close();
        BenchDirs.deleteRecursively(dir);
    }

    private long appendOne(Payload p) {
        return log.append(0L, 0, p.buffer.duplicate()).join();
    }

    @Benchmark
    @Threads(1)
    public long appenders1(Payload p) {
        return appendOne(p);
    }

    @Benchmark
    @Threads(8)
    public long appenders8(Payload p) {
        return appendOne(p);
    }

    @Benchmark
    @Threads(64)
    public long appenders64(Payload p) {
        return appendOne(p);
    }

    /**
     * Appends with up to {@code window} acknowledgements outstanding per appender, as a broker
     * connection with pipelined puts does; one operation is still one acknowledged record.
     */
    private long appendPipelined(Payload p, int window) {
        p.pending.add(log.append(0L, 0, p.buffer.duplicate()));
        return p.pending.size() >= window ? p.pending.poll().join() : 0L;
    }

    /** 64 appends in flight from 8 threads: the same concurrency as {@link #appenders64} with fewer threads. */
    @Benchmark
    @Threads(8)
    public long pipelined8x8(Payload p) {
        return appendPipelined(p, 8);
    }

    /** 1024 appends in flight: 64 pipelined appenders with 16 outstanding each. */
    @Benchmark
    @Threads(64)
    public long pipelined64x16(Payload p) {
        return appendPipelined(p, 16);
    }
}
