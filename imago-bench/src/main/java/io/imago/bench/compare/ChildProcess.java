package io.imago.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A child process of the comparison (a broker, a ZooKeeper, a load driver) with its standard output
 * and error appended to one log file. {@link #close()} stops it politely (SIGTERM), then forcibly
 * after a grace period, and waits for it. Thread-safe.
 */
public final class ChildProcess implements AutoCloseable {
    private static final long GRACE_SECONDS = 30;
    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} in {@code workDir} with extra environment variables, output to {@code log}. */
    public static ChildProcess start(String name, List<String> command, Path workDir, Map<String, String> env, Path log)
            throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.writeString(log, "$ " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8);
        return new ChildProcess(name, ChildProcesses.launch(command, workDir, env, log), log);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Process process() {
        return process;
    }

    public Path log() {
        return log;
    }

    /** Waits for the process to end by itself; returns its exit code. */
    public int waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        if (!process.waitFor(timeout, unit)) {
            throw new IllegalStateException(name + " did not finish within " + timeout + " " + unit
                    + "; last lines of " + log + ":\n" + tail(40));
        }
        return process.exitValue();
    }

    /** The last {@code lines} lines of the log, for error messages. */
    public String tail(int lines) {
        return ChildProcesses.tail(log, lines);
    }

    /** Throws, with the log's tail, if the process has ended. */
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with code " + process.exitValue() + "; last lines of "
                    + log + ":\n" + tail(40));
        }
    }

    /** SIGTERM, then kill after {@value #GRACE_SECONDS} s; returns once the process is gone; idempotent. */
    @Override
    public void close() {
        ChildProcesses.stop(process, Duration.ofSeconds(GRACE_SECONDS));
    }
}
