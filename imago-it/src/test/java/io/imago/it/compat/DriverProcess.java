package io.imago.it.compat;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One running {@code OriginalClientDriver} JVM: lines written to its stdin, its stdout lines
 * collected by a reader thread as tab-separated fields, its stderr appended to a log file.
 *
 * <p>Lifecycle: {@link #start} launches; {@link #closeInput()} tells the driver to finish;
 * {@link #awaitSuccess(Duration)} waits for exit code 0; {@link #close()} is idempotent, kills a
 * process still running and joins the reader thread. Thread-safe for one writer thread; the
 * collected lines may be read from any thread.
 */
public final class DriverProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final Writer stdin;
    private final List<String[]> lines = new ArrayList<>();
    private Thread reader;
    private volatile IOException readFailure;

    private DriverProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
    }

    public static DriverProcess start(List<String> command, Path log) {
        try {
            Files.createDirectories(log.getParent());
            Files.deleteIfExists(log);
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            DriverProcess driver = new DriverProcess(pb.start(), log);
            driver.reader = new Thread(driver::readStdout, "driver-stdout-" + driver.process.pid());
            driver.reader.setDaemon(true);
            driver.reader.start();
            return driver;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch " + command, e);
        }
    }

    /** Writes one command line to the driver's stdin. */
    public void send(String line) throws IOException {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
    }

    /** Closes the driver's stdin: a producer finishes its sends, a consumer shuts down. */
    public void closeInput() throws IOException {
        stdin.close();
    }

    /** The fields of every output line so far whose first field is {@code tag}. */
    public List<String[]> lines(String tag) {
        synchronized (lines) {
            return lines.stream().filter(f -> f[0].equals(tag)).toList();
        }
    }

    /** The fields of every output line so far, in order. */
    public List<String[]> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Waits (bounded) until a line tagged {@code tag} was printed; fails early if the driver died. */
    public void awaitLine(String tag, Duration timeout) {
        awaitLines(tag, 1, timeout);
    }

    /** Waits (bounded) until {@code count} lines tagged {@code tag} were printed; fails early if the driver died. */
    public void awaitLines(String tag, int count, Duration timeout) {
        awaitLine(f -> f[0].equals(tag), count, count + " driver lines " + tag, timeout);
    }

    /**
     * Waits (bounded) until {@code count} lines match {@code match}; returns the first of them. Fails
     * early if the driver died first.
     */
    public String[] awaitLine(Predicate<String[]> match, int count, String what, Duration timeout) {
        await(what).atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (matching(match).size() >= count) {
                return true;
            }
            if (!process.isAlive()) {
                // the reader may not have caught up with the last lines yet
                reader.join(TimeUnit.SECONDS.toMillis(10));
                if (matching(match).size() >= count) {
                    return true;
                }
                throw new AssertionError(
                        "driver exited with " + process.exitValue() + " before " + what + "\n" + logTail());
            }
            return false;
        });
        return matching(match).get(0);
    }

    private List<String[]> matching(Predicate<String[]> match) {
        synchronized (lines) {
            return lines.stream().filter(match).toList();
        }
    }

    /** Waits (bounded) for the driver to exit by itself; returns its exit code. Its output is read to the end. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("driver still running after " + timeout + "\n" + logTail());
        }
        reader.join(timeout.toMillis());
        return process.exitValue();
    }

    /** Waits for the driver to exit and asserts it succeeded (exit code 0 and a DONE line). */
    public void awaitSuccess(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("driver still running after " + timeout + "\n" + logTail());
        }
        reader.join(timeout.toMillis());
        if (process.exitValue() != 0 || lines("DONE").isEmpty()) {
            throw new AssertionError("driver failed with exit code " + process.exitValue() + "\n" + logTail());
        }
        if (readFailure != null) {
            throw new UncheckedIOException(readFailure);
        }
    }

    /** The last lines of the driver's stderr (the original client's log and any stack trace). */
    public String logTail() {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "driver log " + log + ":\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor();
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readStdout() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] fields = line.split("\t", -1);
                synchronized (lines) {
                    lines.add(fields);
                }
            }
        } catch (IOException e) {
            readFailure = e;
        }
    }

    @Override
    public String toString() {
        synchronized (lines) {
            return "driver " + process.pid() + " (" + lines.size() + " lines, first "
                    + lines.stream().limit(3).map(Arrays::toString).toList() + ")";
        }
    }
}
