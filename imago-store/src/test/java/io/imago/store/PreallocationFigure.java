package io.imago.store;

import io.imago.store.fs.FileChannelStorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The figure behind issue 13 section 1: what a group commit costs with and without the file's blocks
 * written (and fsynced) ahead of it. Run it from the test class path:
 *
 * <pre>
 *   java -cp &lt;test class path&gt; io.imago.store.PreallocationFigure APPENDS [DIR]
 * </pre>
 *
 * For 100-byte and 1 KiB records it times, in rounds that alternate the two cases (3 rounds each),
 * <ul>
 *   <li>{@code raw}: a positional write and {@code fdatasync} ({@code force(false)}) per record, into a
 *       file that grows (no fill) or into a file zero-filled and fsynced beforehand;</li>
 *   <li>{@code log}: sequential group-commit appends to a {@link PartitionLog} (each waits for its
 *       acknowledgement) with {@code preallocateMaxBytes=0} or the default.</li>
 * </ul>
 * Prints the median microseconds per append of each case's rounds, with each round's value. A figure
 * for a person to read next to its own baseline, not a test.
 */
public final class PreallocationFigure {
    private static final int ROUNDS = 3;

    private PreallocationFigure() {}

    public static void main(String[] args) throws IOException {
        int appends = Integer.parseInt(args[0]);
        Path root = Files.createTempDirectory(
                args.length > 1 ? Path.of(args[1]) : Path.of(System.getProperty("java.io.tmpdir")), "prealloc-figure");
        try {
            for (int size : new int[] {100, 1024}) {
                double[][] raw = new double[2][ROUNDS];
                double[][] log = new double[2][ROUNDS];
                for (int round = 0; round < ROUNDS; round++) {
                    raw[0][round] = raw(root.resolve("raw-grow-" + size + "-" + round), size, appends, false);
                    raw[1][round] = raw(root.resolve("raw-fill-" + size + "-" + round), size, appends, true);
                    log[0][round] = log(root.resolve("log-off-" + size + "-" + round + "-0"), size, appends, 0);
                    log[1][round] = log(
                            root.resolve("log-on-" + size + "-" + round + "-0"),
                            size,
                            appends,
                            LogConfig.DEFAULT_PREALLOCATE_MAX_BYTES);
                }
                print("raw " + size + " B, file grows", raw[0]);
                print("raw " + size + " B, blocks written ahead", raw[1]);
                print("log " + size + " B, preallocateMaxBytes=0", log[0]);
                print("log " + size + " B, preallocateMaxBytes=" + LogConfig.DEFAULT_PREALLOCATE_MAX_BYTES, log[1]);
            }
        } finally {
            delete(root);
        }
    }

    private static double raw(Path file, int size, int appends, boolean filled) throws IOException {
        try (FileChannel channel = FileChannel.open(
                file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (filled) {
                ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
                for (long at = 0; at < (long) size * appends; at += zeros.capacity()) {
                    zeros.clear();
                    while (zeros.hasRemaining()) {
                        channel.write(zeros, at + zeros.position());
                    }
                }
                channel.force(false);
            }
            ByteBuffer record = ByteBuffer.allocateDirect(size);
            long started = System.nanoTime();
            for (int i = 0; i < appends; i++) {
                record.clear();
                record.put(0, (byte) (i + 1));
                channel.write(record, (long) i * size);
                channel.force(false);
            }
            return (System.nanoTime() - started) / 1000.0 / appends;
        }
    }

    private static double log(Path dir, int size, int appends, long preallocateMaxBytes) throws IOException {
        LogConfig config =
                LogConfig.builder().preallocateMaxBytes(preallocateMaxBytes).build();
        try (PartitionLog log = PartitionLog.open(dir, config, new FileChannelStorageIo(), Clock.systemUTC())) {
            int payload = size - 20;
            long started = System.nanoTime();
            for (int i = 0; i < appends; i++) {
                log.append(i + 1, 0, StoredRecords.payload(i, payload)).join();
            }
            return (System.nanoTime() - started) / 1000.0 / appends;
        }
    }

    private static void print(String what, double[] rounds) {
        double[] sorted = rounds.clone();
        Arrays.sort(sorted);
        List<String> each = new ArrayList<>();
        for (double r : rounds) {
            each.add(String.format(Locale.ROOT, "%.0f", r));
        }
        System.out.printf(
                Locale.ROOT, "%-48s median %6.0f us/append  (rounds %s)%n", what, sorted[sorted.length / 2], each);
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
