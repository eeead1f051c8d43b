package io.imago.bench.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the peers and drivers of {@code bench compare} do with their child processes: launch with the
 * output appended to a log file, stop (SIGTERM, then SIGKILL after a grace period), read a log's tail,
 * pick a free loopback port. Stateless and thread-safe.
 */
final class ChildProcesses {
    static final String LOOPBACK = "127.0.0.1";

    private ChildProcesses() {
    }

    /** Starts {@code command} in {@code dir}, stdout and stderr appended to {@code log}. */
    static Process launch(List<String> command, Path dir, Path log) throws IOException {
        return launch(command, dir, java.util.Map.of(), log);
    }

    /** Starts {@code command} in {@code dir} with extra environment variables, output appended to {@code log}. */
    static Process launch(List<String> command, Path dir, java.util.Map<String, String> env, Path log)
            throws IOException {
        Files.createDirectories(dir);
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * SIGTERM, wait up to {@code grace}, then SIGKILL; returns once the process is gone. Interrupted:
     * kills at once and keeps the interrupt flag. Does nothing for {@code null} or an ended process.
     */
    static void stop(Process process, Duration grace) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                org.slf4j.LoggerFactory.getLogger(ChildProcesses.class)
                        .warn("Process {} did not stop within {} of SIGTERM; killing it", process.pid(), grace);
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code lines} lines of {@code log}, or a note saying why they cannot be read. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** A port free on 127.0.0.1 right now (another process may still take it before it is bound). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(LOOPBACK, 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + LOOPBACK, e);
        }
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LOOPBACK, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The {@code java} executable of this JVM. */
    static Path thisJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }
}
