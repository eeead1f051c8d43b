package io.imago.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The raw baseline of this disk for the group-commit benchmark: one thread appends 1 MiB buffers
 * sequentially to a fresh file and fsyncs after each one. One operation is one MiB written and
 * forced, so the score in ops/s is MiB/s; {@link StoreAppendReport} converts it into the records/s
 * the same bytes would hold at each record size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RawDiskBaselineBenchmark {
    static final int CHUNK_BYTES = 1 << 20;

    private Path dir;
    private FileChannel channel;
    private ByteBuffer chunk;

    @Setup(Level.Iteration)
    public void openFile() throws IOException {
        dir = Files.createTempDirectory(BenchDirs.root(), "raw-baseline");
        channel =
                FileChannel.open(dir.resolve("baseline.bin"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        byte[] bytes = new byte[CHUNK_BYTES];
        ThreadLocalRandom.current().nextBytes(bytes);
        chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).put(bytes).flip();
    }

    @Benchmark
    @Threads(1)
    public long writeOneMiBThenFsync() throws IOException {
        ByteBuffer buf = chunk.duplicate();
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        channel.force(false);
        return channel.position();
    }

    @TearDown(Level.Iteration)
    public void deleteFile() throws IOException {
        channel.close();
        BenchDirs.deleteRecursively(dir);
    }
}
