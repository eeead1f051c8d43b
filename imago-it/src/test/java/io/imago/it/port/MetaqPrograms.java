package io.imago.it.port;

import io.imago.it.compat.OriginalClient;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The MetaQ applications of the port test: Java sources written against the original MetaQ 1.4.6.2
 * client API (resources under {@code io/imago/it/port/example/}), the one text replacement that ports
 * them, and javac. Stateless; every method works in the directory it is given.
 */
final class MetaqPrograms {
    /** The programs, by class name (package {@code example}). */
    static final List<String> NAMES = List.of(
            "SyncProducer", "AsyncProducer", "GroupConsumer", "BroadcastConsumer", "OrderedProducer", "PullAndBrowse");
    /** The whole port, as docs/migrating-from-metaq.md gives it. */
    static final String FROM = "com.taobao.metamorphosis";

    static final String TO = "io.imago";

    private MetaqPrograms() {}

    /** Copies the original sources into {@code dir/example/}; returns their paths. */
    static List<Path> writeOriginals(Path dir) throws IOException {
        Path pkg = Files.createDirectories(dir.resolve("example"));
        List<Path> sources = new ArrayList<>();
        for (String name : NAMES) {
            try (InputStream in = MetaqPrograms.class.getResourceAsStream("example/" + name + ".java")) {
                if (in == null) {
                    throw new IOException("resource example/" + name + ".java missing next to " + MetaqPrograms.class);
                }
                Path source = pkg.resolve(name + ".java");
                Files.write(source, in.readAllBytes());
                sources.add(source);
            }
        }
        return sources;
    }

    /** Writes each source with every {@value #FROM} replaced by {@value #TO} into {@code dir/example/}. */
    static List<Path> port(List<Path> originals, Path dir) throws IOException {
        Path pkg = Files.createDirectories(dir.resolve("example"));
        List<Path> ported = new ArrayList<>();
        for (Path original : originals) {
            String text = Files.readString(original, StandardCharsets.UTF_8);
            Path target = pkg.resolve(original.getFileName());
            Files.writeString(target, text.replace(FROM, TO), StandardCharsets.UTF_8);
            ported.add(target);
        }
        return ported;
    }

    /**
     * Compiles {@code sources} against {@code classpath} into {@code out} with every lint warning an
     * error; returns javac's messages, empty when it succeeded.
     */
    static String compile(List<Path> sources, String classpath, Path out) throws IOException {
        Files.createDirectories(out);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of(
                "--release",
                "17",
                "-Xlint:all,-path",
                "-Werror",
                "-proc:none",
                "-cp",
                classpath,
                "-d",
                out.toString()));
        sources.forEach(s -> args.add(s.toString()));
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, null, errors, args.toArray(String[]::new));
        String messages = errors.toString(StandardCharsets.UTF_8);
        return rc == 0 ? "" : (messages.isBlank() ? "javac exit " + rc : messages);
    }

    /** The original client's class path (the compatibility suite's). */
    static String originalClasspath() {
        return OriginalClient.clientClasspath();
    }

    /** This JVM's class path: Imago's client and its dependencies. */
    static String imagoClasspath() {
        return System.getProperty("java.class.path");
    }

    static String join(Path first, String rest) {
        return first + File.pathSeparator + rest;
    }
}
