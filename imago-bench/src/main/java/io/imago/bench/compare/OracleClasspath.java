package io.imago.bench.compare;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The class paths of the foreign distributions the comparison starts in child JVMs: the original MetaQ
 * 1.4.6.2 broker and client, and a Kafka broker. Their jars never enter this module's class path (the
 * build bans their log4j 1.x, commons-logging and zkclient); the modules under {@code imago-oracles}
 * resolve them and write each class path to {@code imago-oracles/<module>/target/classpath.txt} (one
 * line, entries separated by {@code :}). Where a class path comes from, in order:
 * <ol>
 *   <li>the system property of that class path ({@link #property()}) naming the file (the build's
 *       integration tests pass the modules' files);
 *   <li>else, with {@value #HOME_PROPERTY} = the repository root ({@code bin/imago} sets it),
 *       {@code <home>/imago-oracles/<module>/target/classpath.txt}. Building {@code imago-bench} writes it
 *       (the oracle modules come first in the reactor); when it is missing, older than the module's
 *       {@code pom.xml} or names a jar that is gone, {@code <home>/mvnw -q -B -pl imago-oracles/<module>
 *       generate-resources} rewrites it first;
 *   <li>else an error naming both properties.
 * </ol>
 * Stateless and thread-safe (two callers may run the Maven build at once; both write the same file).
 */
enum OracleClasspath {
    /** The original broker: metamorphosis-server and -client with their dependencies. */
    METAQ_SERVER(
            "the original MetaQ broker",
            "imago.bench.metaqClasspath",
            "metaq-server",
            "metamorphosis-server-1.4.6.2.jar"),
    /** The original client: metamorphosis-client with its dependencies. */
    METAQ_CLIENT(
            "the original MetaQ client",
            "imago.bench.metaqClientClasspath",
            "metaq-client",
            "metamorphosis-client-1.4.6.2.jar"),
    /** A Kafka broker: kafka_2.13 with its runtime dependencies and a log4j2 binding for its SLF4J. */
    KAFKA("the Kafka broker", "imago.bench.kafkaClasspath", "kafka", "kafka_2.13-");

    /** System property: the repository root, where {@code imago-oracles} and {@code mvnw} are. */
    static final String HOME_PROPERTY = "imago.bench.home";

    private static final Logger LOG = LoggerFactory.getLogger(OracleClasspath.class);
    private static final Duration MAVEN_TIMEOUT = Duration.ofMinutes(10);

    private final String description;
    private final String property;
    private final String module;
    private final String mustName;

    OracleClasspath(String description, String property, String module, String mustName) {
        this.description = description;
        this.property = property;
        this.module = module;
        this.mustName = mustName;
    }

    /** The system property that names the class path file. */
    String property() {
        return property;
    }

    /** The module that writes the file, relative to the repository root ({@code imago-oracles/…}). */
    String module() {
        return "imago-oracles/" + module;
    }

    /** The class path, from {@link #property()} or from the module's file under {@value #HOME_PROPERTY}. */
    String read() {
        String named = System.getProperty(property, "").trim();
        if (!named.isEmpty()) {
            Path file = Path.of(named);
            String problem = problem(file);
            if (problem != null) {
                throw new IllegalStateException("the class path of " + description + " in " + file + " (-D" + property
                        + "): " + problem + "; the module " + module() + " writes it: ./mvnw -q -B -pl " + module()
                        + " generate-resources");
            }
            return contents(file);
        }
        String home = System.getProperty(HOME_PROPERTY, "").trim();
        if (home.isEmpty()) {
            throw new IllegalStateException("the class path of " + description + " is unknown: set -D" + property
                    + "=<" + module() + "/target/classpath.txt after a build> or -D" + HOME_PROPERTY
                    + "=<the Imago repository root>");
        }
        return fromHome(Path.of(home));
    }

    /** {@code <root>/imago-oracles/<module>/target/classpath.txt}, rewritten by Maven first when not up to date. */
    String fromHome(Path root) {
        Path moduleDir = root.resolve(module());
        Path file = moduleDir.resolve("target").resolve("classpath.txt");
        String problem = problem(file);
        if (problem == null && olderThan(file, moduleDir.resolve("pom.xml"))) {
            problem = "older than " + moduleDir.resolve("pom.xml");
        }
        if (problem != null) {
            LOG.info("resolving the class path of {} ({}: {})", description, file, problem);
            runMaven(root);
            problem = problem(file);
            if (problem != null) {
                throw new IllegalStateException("the class path of " + description + " in " + file + ": " + problem
                        + ", even after ./mvnw -pl " + module() + " generate-resources in " + root);
            }
        }
        return contents(file);
    }

    /** Why {@code file} is no usable class path of this distribution, or {@code null} if it is. */
    private String problem(Path file) {
        if (!Files.isRegularFile(file)) {
            return "no such file";
        }
        String classpath = contents(file);
        if (!classpath.contains(mustName)) {
            return "it does not name " + mustName;
        }
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!Files.isRegularFile(Path.of(entry))) {
                return "it names " + entry + ", which is gone";
            }
        }
        return null;
    }

    private static String contents(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static boolean olderThan(Path file, Path other) {
        try {
            return Files.exists(other)
                    && Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(other)) < 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the modification times of " + file + " and " + other, e);
        }
    }

    private void runMaven(Path root) {
        Path mvnw = root.resolve("mvnw");
        if (!Files.isRegularFile(mvnw)) {
            throw new IllegalStateException(
                    mvnw + " is missing; is -D" + HOME_PROPERTY + "=" + root + " the Imago repository root?");
        }
        List<String> command = List.of("sh", mvnw.toString(), "-q", "-B", "-pl", module(), "generate-resources");
        try {
            Path log = Files.createTempFile("imago-oracle-classpath-", ".log");
            try (ChildProcess maven = ChildProcess.start("mvnw " + module(), command, root, Map.of(), log)) {
                int code = maven.waitFor(MAVEN_TIMEOUT);
                if (code != 0) {
                    throw new IllegalStateException(
                            String.join(" ", command) + " failed with exit code " + code + ":\n" + maven.tail());
                }
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + mvnw, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + mvnw, e);
        }
    }
}
