package io.imago.bench.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child process of the comparison (a broker, a ZooKeeper, a load driver, a Kafka tool), the one way
 * every peer and driver starts, watches and stops its processes: started with its output appended to a
 * log file (or to two), checked for life with the log's tail in the message, stopped politely (SIGTERM)
 * and then forcibly after a grace period. Thread-safe.
 */
public final class ChildProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    private static final int TAIL_LINES = 40;

    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code command} in {@code workDir} (created if missing) with extra environment variables,
     * standard output and error appended to {@code log} after a first line {@code $ <command>}.
     */
    public static ChildProcess start(String name, List<String> command, Path workDir, Map<String, String> env, Path log)
            throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.writeString(
                log,
                "$ " + String.join(" ", command) + System.lineSeparator(),
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        ProcessBuilder builder = builder(command, workDir, env)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new ChildProcess(name, builder.start(), log);
    }

    /**
     * As {@link #start(String, List, Path, Map, Path)}, with standard output and error in two files
     * (replaced); {@code log} is the file its messages quote, which the process writes itself.
     */
    public static ChildProcess start(
            String name,
            List<String> command,
            Path workDir,
            Map<String, String> env,
            Path stdout,
            Path stderr,
            Path log)
            throws IOException {
        Files.createDirectories(stdout.toAbsolutePath().getParent());
        Files.createDirectories(stderr.toAbsolutePath().getParent());
        ProcessBuilder builder =
                builder(command, workDir, env).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        return new ChildProcess(name, builder.start(), log);
    }

    private static ProcessBuilder builder(List<String> command, Path workDir, Map<String, String> env)
            throws IOException {
        Files.createDirectories(workDir);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().putAll(env);
        return builder;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code; the process must have ended. */
    public int exitValue() {
        return process.exitValue();
    }

    public Path log() {
        return log;
    }

    /** Waits for the process to end by itself; returns its exit code; throws with the log's tail after the timeout. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " did not finish within " + timeout.toSeconds()
                    + " s; last lines of " + log + ":\n" + tail());
        }
        return process.exitValue();
    }

    /** The last lines of the log, for error messages. */
    public String tail() {
        return tail(TAIL_LINES);
    }

    /** The last {@code lines} lines of the log. */
    public String tail(int lines) {
        return tail(log, lines);
    }

    /** Throws, with the log's tail, if the process has ended. */
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(
                    name + " exited with code " + process.exitValue() + "; last lines of " + log + ":\n" + tail());
        }
    }

    /**
     * SIGTERM, wait up to {@code grace}, then SIGKILL; returns once the process is gone; idempotent.
     * Interrupted: kills at once and keeps the interrupt flag.
     */
    public void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{} (pid {}) did not stop within {} of SIGTERM; killing it", name, process.pid(), grace);
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL at once (a crash) and wait until the process is gone; idempotent. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** {@link #stop(Duration)} with a 30 s grace. */
    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }

    /** The last {@code lines} lines of {@code log}, or a note saying why they cannot be read. */
    public static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** The {@code java} executable of this JVM. */
    public static Path thisJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }
}
