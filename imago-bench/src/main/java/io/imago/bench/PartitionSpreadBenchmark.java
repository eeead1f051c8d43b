package io.imago.bench;

import io.imago.store.LogConfig;
import io.imago.store.LogThreads;
import io.imago.store.PartitionLog;
import io.imago.store.fs.FileChannelStorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Group-commit appends of 8 synchronous appenders (W1's shape in the store: each waits for its
 * acknowledgement before the next) spread over {@code partitions} partitions of one data directory,
 * served by {@code writerThreads} shared writer threads ({@link LogThreads}). One partition is what a
 * shared write-ahead journal would give every put (one file, one fsync covering every appender); more
 * partitions cost one fsync stream per partition. The ratio of the two is what a journal could gain
 * (issue 13 §1: "pick by measurement"). Appender {@code i} always appends to partition
 * {@code i % partitions}. One operation is one acknowledged 100-byte record.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PartitionSpreadBenchmark {
    @Param({"1", "4"})
    public int partitions;

    @Param({"1", "4"})
    public int writerThreads;

    private Path dir;
    private LogThreads threads;
    private final List<PartitionLog> logs = new ArrayList<>();
    private final AtomicInteger nextAppender = new AtomicInteger();

    /** An appender's own payload and partition. */
    @State(Scope.Thread)
    public static class Appender {
        ByteBuffer buffer;
        PartitionLog log;

        @Setup(Level.Iteration)
        public void pick(PartitionSpreadBenchmark bench) {
            byte[] bytes = new byte[80];
            ThreadLocalRandom.current().nextBytes(bytes);
            buffer = ByteBuffer.wrap(bytes);
            log = bench.logs.get(bench.nextAppender.getAndIncrement() % bench.partitions);
        }
    }

    @Setup(Level.Iteration)
    public void open() throws IOException {
        dir = Files.createTempDirectory(BenchDirs.root(), "spread");
        threads = LogThreads.create("bench", writerThreads, LogThreads.DEFAULT_MAX_BUFFER_BYTES);
        LogConfig config = LogConfig.builder().unflushThreshold(0).build();
        for (int p = 0; p < partitions; p++) {
            logs.add(PartitionLog.open(
                    dir.resolve("spread-" + p), config, new FileChannelStorageIo(), Clock.systemUTC(), threads));
        }
        nextAppender.set(0);
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        logs.forEach(PartitionLog::close);
        logs.clear();
        threads.close();
        BenchDirs.deleteRecursively(dir);
    }

    @Benchmark
    @Threads(8)
    public long appenders8(Appender a) {
        return a.log.append(0L, 0, a.buffer.duplicate()).join();
    }
}
