package io.imago.it.harness;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;

/**
 * One broker running in its own JVM, started from a {@link BrokerProcessConfig} written as
 * {@code server.ini}. The child's stdout and stderr go to {@link #logFile()} (under
 * {@code target/it-logs}) for failure diagnosis.
 *
 * <p>The command line depends on the {@link Target}:
 * <ul>
 *   <li>{@code imago}: {@code java -cp <this JVM's java.class.path> io.imago.cli.ImagoCli server -c <ini>}
 *       — the Imago CLI is expected to accept {@code server -c FILE [--embedded-zk] [--data-dir DIR] [--port N]};
 *   <li>{@code metaq}: {@code java -cp <class path read from -Dimago.it.metaqClasspath=FILE>
 *       com.taobao.metamorphosis.server.MetamorphosisStartup -f <ini>} (the original 1.4.6.2 broker; the
 *       build passes {@code imago-oracles/metaq-server/target/classpath.txt}, which that module writes:
 *       its dependencies are banned from this module's class path).
 * </ul>
 *
 * <p>Lifecycle: the constructor only assigns; {@link #start()} launches and waits (bounded) until the
 * port accepts connections and {@code /meta/brokers/ids/<id>/master} exists; {@link #stop()} sends
 * SIGTERM, {@link #kill()} SIGKILL; {@link #close()} is idempotent and never leaves the process
 * behind. Not thread-safe: one test thread drives it.
 */
public final class BrokerProcess implements AutoCloseable {
    public static final String METAQ_CLASSPATH_PROPERTY = "imago.it.metaqClasspath";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Target target;
    private final BrokerProcessConfig config;
    private final Path workDir;
    private final Path logFile;
    private final CuratorFramework zk;
    private Process process;

    BrokerProcess(Target target, BrokerProcessConfig config, Path workDir, Path logFile, CuratorFramework zk) {
        this.target = target;
        this.config = config;
        this.workDir = workDir;
        this.logFile = logFile;
        this.zk = zk;
    }

    public BrokerProcessConfig config() {
        return config;
    }

    public int port() {
        return config.serverPort();
    }

    public int brokerId() {
        return config.brokerId();
    }

    public Path iniFile() {
        return workDir.resolve("server.ini");
    }

    public Path logFile() {
        return logFile;
    }

    /** {@code meta://127.0.0.1:<port>}, the URL the broker registers in ZooKeeper. */
    public String url() {
        return "meta://127.0.0.1:" + port();
    }

    public long pid() {
        return requireProcess().pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * Launches the broker and waits until it serves: the port accepts connections and the broker is
     * registered in ZooKeeper, i.e. {@code /meta/brokers/ids/<id>/master} and the
     * {@code topics-sub/<topic>/<id>-m} node of every configured topic exist (spec §4.1).
     */
    public BrokerProcess start() {
        launch();
        List<String> nodes = new ArrayList<>();
        nodes.add("/meta/brokers/ids/" + brokerId() + "/master");
        for (String topic : config.subscribableTopics()) {
            nodes.add("/meta/brokers/topics-sub/" + topic + "/" + brokerId() + "-m");
        }
        awaitOrFail(
                "port " + port() + " accepting and znodes " + nodes + " present",
                () -> acceptsConnections() && nodes.stream().allMatch(this::exists));
        return this;
    }

    /** Launches the broker without waiting; for tests that expect it to refuse to start. */
    public BrokerProcess launch() {
        if (process != null) {
            throw new IllegalStateException("broker " + brokerId() + " already launched");
        }
        try {
            Files.createDirectories(workDir);
            Files.createDirectories(config.dataPath());
            Files.createDirectories(config.dataLogPath());
            Files.createDirectories(logFile.getParent());
            Files.writeString(iniFile(), config.toIni(), StandardCharsets.UTF_8);
            ProcessBuilder pb =
                    new ProcessBuilder(command()).directory(workDir.toFile()).redirectErrorStream(true);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch broker " + brokerId(), e);
        }
        return this;
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!requireProcess().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("broker " + brokerId() + " still running after " + timeout + "\n" + logTail(40));
        }
        return process.exitValue();
    }

    /** SIGTERM ({@link Process#destroy()}) and wait for the exit; returns the exit code. */
    public int stop() throws InterruptedException {
        Process p = requireProcess();
        p.destroy();
        if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("broker " + brokerId() + " ignored SIGTERM for " + STOP_TIMEOUT);
        }
        return p.exitValue();
    }

    /** SIGKILL ({@link Process#destroyForcibly()}) and wait for the exit. */
    public void kill() throws InterruptedException {
        requireProcess().destroyForcibly().waitFor();
    }

    /** A new, not yet started process for the same configuration, ini file and log. */
    public BrokerProcess successor() {
        return successor(config);
    }

    /**
     * A new, not yet started process with the same ini file and log and a changed configuration,
     * which must keep the broker id, port and directories.
     */
    public BrokerProcess successor(BrokerProcessConfig changed) {
        if (isAlive()) {
            throw new IllegalStateException("broker " + brokerId() + " is still running");
        }
        if (changed.brokerId() != config.brokerId()
                || changed.serverPort() != config.serverPort()
                || !changed.dataPath().equals(config.dataPath())
                || !changed.dataLogPath().equals(config.dataLogPath())) {
            throw new IllegalArgumentException("a successor keeps the broker id, port and directories");
        }
        return new BrokerProcess(target, changed, workDir, logFile, zk);
    }

    /** Resident set size of the broker process in bytes, from {@code /proc/<pid>/status}. */
    public long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.trim().split("\\s+");
                return Long.parseLong(parts[1]) * 1024;
            }
        }
        throw new IOException("no VmRSS line for pid " + pid());
    }

    /** The last {@code lines} lines of the broker's output. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /** The whole output of the broker so far. */
    public String log() throws IOException {
        return Files.readString(logFile, StandardCharsets.UTF_8);
    }

    /** Stops the process if it runs: SIGTERM, then SIGKILL after a grace period. Idempotent. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private List<String> command() throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + config.maxHeap());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Djava.net.preferIPv4Stack=true");
        config.jvmProperties().forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        if (target == Target.IMAGO) {
            // The test class path carries a quiet logback-test.xml; the broker log should show INFO.
            Path logback = workDir.resolve("logback.xml");
            Files.writeString(
                    logback,
                    "<configuration><appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                            + "<encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>"
                            + "</appender><root level=\"INFO\"><appender-ref ref=\"OUT\"/></root></configuration>\n");
            cmd.add("-Dlogback.configurationFile=" + logback);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("io.imago.cli.ImagoCli");
            cmd.add("server");
            cmd.add("-c");
            cmd.add(iniFile().toString());
        } else {
            Path log4j = workDir.resolve("log4j.properties");
            Files.writeString(
                    log4j,
                    "log4j.rootLogger=INFO,stdout\n"
                            + "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
                            + "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
                            + "log4j.appender.stdout.layout.ConversionPattern=%d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n\n");
            cmd.add("-Dlog4j.configuration=" + log4j.toUri());
            cmd.add("-cp");
            cmd.add(metaqClasspath());
            cmd.add("com.taobao.metamorphosis.server.MetamorphosisStartup");
            cmd.add("-f");
            cmd.add(iniFile().toString());
        }
        return cmd;
    }

    private static String metaqClasspath() throws IOException {
        String file = System.getProperty(METAQ_CLASSPATH_PROPERTY, "").trim();
        if (file.isEmpty()) {
            throw new IllegalStateException("target metaq needs -D" + METAQ_CLASSPATH_PROPERTY
                    + "=<imago-oracles/metaq-server/target/classpath.txt>; see imago-it/README.md");
        }
        return Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
    }

    private boolean acceptsConnections() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port()), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean exists(String path) {
        try {
            return zk.checkExists().forPath(path) != null;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + path + " from ZooKeeper", e);
        }
    }

    private void awaitOrFail(String what, BooleanSupplier condition) {
        try {
            await(what)
                    .atMost(START_TIMEOUT)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError("broker " + brokerId() + " exited with " + process.exitValue()
                                    + " before " + what + "\n" + logTail(60));
                        }
                        return condition.getAsBoolean();
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("broker " + brokerId() + " not ready: " + what + "\n" + logTail(60), e);
        }
    }

    private Process requireProcess() {
        if (process == null) {
            throw new IllegalStateException("broker " + brokerId() + " not launched");
        }
        return process;
    }
}
