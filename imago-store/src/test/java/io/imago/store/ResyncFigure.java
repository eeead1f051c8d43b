package io.imago.store;

import io.imago.store.GarbageSegments.Layout;
import io.imago.store.fs.FileChannelStorageIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The figure behind issue 13 section 2.3: recovery time of one sealed segment with and without a block
 * of garbage in it, so that the cost of resynchronising after the garbage shows as the difference.
 * Run it from the test class path, on this commit and on an older one, for the same arguments:
 *
 * <pre>
 *   java -cp &lt;test class path&gt; io.imago.store.ResyncFigure SEGMENT_MiB GARBAGE_BYTES KIND [DIR]
 *   KIND: random | text | small   (see GarbageSegments)
 * </pre>
 *
 * Prints one line per case: the garbage, the recovery time in milliseconds and what recovery reported.
 * The timing is a figure for a person to read, not a test: quote it next to a baseline of the same run.
 */
public final class ResyncFigure {
    private static final long SEED = 23L;

    private ResyncFigure() {}

    public static void main(String[] args) throws IOException {
        long segmentBytes = Long.parseLong(args[0]) << 20;
        int garbageBytes = Integer.parseInt(args[1]);
        String kind = args[2];
        Path root = Files.createTempDirectory(
                args.length > 3 ? Path.of(args[3]) : Path.of(System.getProperty("java.io.tmpdir")), "resync-figure");
        try {
            run(root.resolve("baseline-0"), segmentBytes, 0, kind);
            run(root.resolve("garbage-0"), segmentBytes, garbageBytes, kind);
        } finally {
            deleteTree(root);
        }
    }

    private static void run(Path dir, long segmentBytes, int garbageBytes, String kind) throws IOException {
        GarbageSegments segments = new GarbageSegments(SEED);
        byte[] garbage = switch (kind) {
            case "random" -> segments.randomGarbage(garbageBytes);
            case "text" -> segments.numericTextGarbage(garbageBytes);
            case "small" -> segments.smallByteGarbage(garbageBytes);
            default -> throw new IllegalArgumentException("KIND is random, text or small: " + kind);
        };
        Layout layout = segments.write(dir, segmentBytes, 1 << 20, garbage);
        long started = System.nanoTime();
        try (PartitionLog log =
                PartitionLog.open(dir, LogConfig.defaults(), new FileChannelStorageIo(), Clock.systemUTC())) {
            long ms = (System.nanoTime() - started) / 1_000_000;
            RecoveryReport report = log.recovery();
            System.out.printf(
                    Locale.ROOT,
                    "segment %d MiB, %d B %s garbage at %d: recovery %d ms, scanned %d B, corrupt %s%n",
                    layout.sealedEnd() >> 20,
                    garbageBytes,
                    kind,
                    layout.garbageStart(),
                    ms,
                    report.scannedBytes(),
                    report.corruptRanges());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
