package io.imago.bench.compare;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** This JVM's class path with every entry made absolute, for child JVMs started in other directories. */
final class SelfClasspath {
    private SelfClasspath() {}

    static String absolute() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty())
                .map(e -> e.endsWith("*")
                        ? Path.of(e.substring(0, e.length() - 1)).toAbsolutePath() + File.separator + "*"
                        : Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
