package io.imago.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where benchmarks put their data: {@code -Dimago.bench.dir=...} (default: the system temporary
 * directory), so the log and its baseline always share one disk.
 */
final class BenchDirs {
    private BenchDirs() {}

    static Path root() throws IOException {
        Path root = Path.of(System.getProperty("imago.bench.dir", System.getProperty("java.io.tmpdir")));
        return Files.createDirectories(root);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
