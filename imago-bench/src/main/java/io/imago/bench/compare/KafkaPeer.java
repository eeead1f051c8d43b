package io.imago.bench.compare;

import io.imago.bench.kafka.KafkaTargets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka 4.1.1 in KRaft mode (one process, broker and controller combined) in its own
 * child JVM on 127.0.0.1, started from its own class path: the broker's jars (Scala, log4j2, …) never
 * enter this build.
 *
 * <p><b>Class path.</b> A file holding the broker's class path (one line, entries separated by
 * {@code :}), written by the module {@code imago-oracles/kafka} (resolved from Maven Central), found as
 * {@link OracleClasspath#KAFKA} says: the file named by system property {@code imago.bench.kafkaClasspath}
 * (the build's integration tests pass the module's), else
 * {@code <imago.bench.home>/imago-oracles/kafka/target/classpath.txt}.
 *
 * <p><b>Configuration.</b> {@code <workDir>/server.properties}: the listeners on two free ports
 * (9092 and 9093 when free; if another process binds one first, the broker is started again on ports
 * the OS picks, up to three times), data in {@code <workDir>/data}, {@code num.partitions} =
 * {@link PeerEnv#partitions()}, replication factors 1 for the internal topics, no initial rebalance
 * delay, and otherwise Kafka's defaults, flushing included: Kafka never fsyncs on its own
 * ({@code log.flush.*} unset), it leaves the page cache to the OS and relies on replication. Every
 * {@link PeerEnv#settings()} entry is appended as a broker property (e.g. {@code log.flush.interval.messages=1}).
 * The broker JVM gets {@link PeerEnv#jvmArgs()} and nothing else of Kafka's start script's options.
 *
 * <p><b>Logs</b> in {@link PeerEnv#logDir()}: {@code kafka-format.log} (storage formatting),
 * {@code kafka-broker.log} (the broker's log4j2 output, written by a config in the work directory),
 * {@code kafka-broker.stdout} and {@code kafka-broker.stderr}.
 *
 * <p>Not thread-safe (one owner starts and closes it).
 */
public final class KafkaPeer implements Peer {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPeer.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 40;

    private static final int START_ATTEMPTS = 3;
    private static final String ADDRESS_IN_USE = "Address already in use";

    private ChildProcess broker;
    private Path brokerLog;
    private int port;
    private boolean closed;

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public void start(PeerEnv env) throws Exception {
        if (broker != null) {
            throw new IllegalStateException("the kafka peer is already started");
        }
        String classpath = OracleClasspath.KAFKA.read();
        Files.createDirectories(env.workDir());
        Files.createDirectories(env.logDir());
        for (int attempt = 1; ; attempt++) {
            // the ports were free when picked, but another process (another build's Kafka) may bind them
            // before this broker does: then it exits at once, and the next attempt picks new ones
            int clientPort = attempt == 1 ? freePort(9092, -1) : freePort(-1, -1);
            int controllerPort = attempt == 1 ? freePort(9093, clientPort) : freePort(-1, clientPort);
            try {
                startOnce(env, classpath, clientPort, controllerPort);
                return;
            } catch (IllegalStateException e) {
                if (attempt >= START_ATTEMPTS || !e.getMessage().contains(ADDRESS_IN_USE)) {
                    throw e;
                }
                LOG.warn(
                        "Kafka could not bind {} or {} (taken meanwhile); trying other ports",
                        clientPort,
                        controllerPort);
                broker = null;
                closed = false;
                CompareCommand.deleteTree(env.workDir().resolve("data"));
            }
        }
    }

    private void startOnce(PeerEnv env, String classpath, int clientPort, int controllerPort) throws Exception {
        port = clientPort;
        brokerLog = env.logDir().resolve("kafka-broker.log");
        Path config = writeServerProperties(env, port, controllerPort);
        Path log4j = writeLog4j(env.workDir(), brokerLog);

        format(env, classpath, config, log4j);

        List<String> command = new ArrayList<>();
        command.add(env.javaBin().toString());
        command.addAll(env.jvmArgs());
        command.add("-Dlog4j2.configurationFile=" + log4j.toAbsolutePath());
        command.add("-Dkafka.logs.dir=" + env.logDir().toAbsolutePath());
        command.add("-cp");
        command.add(classpath);
        command.add("kafka.Kafka");
        command.add(config.toAbsolutePath().toString());
        LOG.info("starting Kafka on {}:{} (controller {}), data in {}", HOST, port, controllerPort, env.workDir());
        broker = ChildProcess.start(
                "Kafka broker",
                command,
                env.workDir(),
                Map.of(),
                env.logDir().resolve("kafka-broker.stdout"),
                env.logDir().resolve("kafka-broker.stderr"),
                brokerLog);
        try {
            awaitReady(env);
        } catch (Exception e) {
            String tail = tail(brokerLog);
            close();
            throw new IllegalStateException(
                    "Kafka did not start on " + HOST + ":" + port + ": " + e.getMessage() + "\n--- last lines of "
                            + brokerLog + " ---\n" + tail,
                    e);
        }
    }

    @Override
    public long brokerPid() {
        if (broker == null) {
            throw new IllegalStateException("the kafka peer is not started");
        }
        return broker.pid();
    }

    @Override
    public List<String> loadArgs() {
        if (broker == null) {
            throw new IllegalStateException("the kafka peer is not started");
        }
        return List.of("--target", "kafka", "--bootstrap", bootstrap());
    }

    @Override
    public String zkConnect() {
        return null;
    }

    /** {@code 127.0.0.1:<port>} of the broker's client listener (once started). */
    public String bootstrap() {
        return HOST + ":" + port;
    }

    @Override
    public void close() {
        if (closed || broker == null) {
            closed = true;
            return;
        }
        closed = true;
        broker.stop(STOP_GRACE);
    }

    private static Path writeServerProperties(PeerEnv env, int port, int controllerPort) throws IOException {
        Path data = env.workDir().resolve("data").toAbsolutePath();
        StringBuilder p = new StringBuilder()
                .append("# written by ")
                .append(KafkaPeer.class.getName())
                .append('\n')
                .append("process.roles=broker,controller\n")
                .append("node.id=1\n")
                .append("controller.quorum.voters=1@")
                .append(HOST)
                .append(':')
                .append(controllerPort)
                .append('\n')
                .append("listeners=PLAINTEXT://")
                .append(HOST)
                .append(':')
                .append(port)
                .append(",CONTROLLER://")
                .append(HOST)
                .append(':')
                .append(controllerPort)
                .append('\n')
                .append("advertised.listeners=PLAINTEXT://")
                .append(HOST)
                .append(':')
                .append(port)
                .append('\n')
                .append("controller.listener.names=CONTROLLER\n")
                .append("inter.broker.listener.name=PLAINTEXT\n")
                .append("listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n")
                .append("log.dirs=")
                .append(data)
                .append('\n')
                .append("num.partitions=")
                .append(env.partitions())
                .append('\n')
                .append("offsets.topic.replication.factor=1\n")
                .append("transaction.state.log.replication.factor=1\n")
                .append("transaction.state.log.min.isr=1\n")
                .append("share.coordinator.state.topic.replication.factor=1\n")
                .append("share.coordinator.state.topic.min.isr=1\n")
                .append("group.initial.rebalance.delay.ms=0\n");
        for (Map.Entry<String, String> e : env.settings().entrySet()) {
            p.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        Path file = env.workDir().resolve("server.properties");
        Files.writeString(file, p.toString(), StandardCharsets.UTF_8);
        return file;
    }

    private static Path writeLog4j(Path workDir, Path logFile) throws IOException {
        String config = String.join(
                "\n",
                "# written by " + KafkaPeer.class.getName() + ": everything to one file, nothing on the console",
                "status = warn",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = " + logFile.toAbsolutePath(),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = info",
                "rootLogger.appenderRef.file.ref = file",
                "");
        Path file = workDir.resolve("log4j2.properties");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        return file;
    }

    /** Formats the data directory for a new one-node cluster (KRaft needs it before the first start). */
    private static void format(PeerEnv env, String classpath, Path config, Path log4j)
            throws IOException, InterruptedException {
        Path formatLog = env.logDir().resolve("kafka-format.log");
        List<String> command = List.of(
                env.javaBin().toString(),
                "-Xmx256m",
                "-Dlog4j2.configurationFile=" + log4j.toAbsolutePath(),
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                Uuid.randomUuid().toString(),
                "--config",
                config.toAbsolutePath().toString());
        try (ChildProcess format =
                ChildProcess.start("Kafka storage format", command, env.workDir(), Map.of(), formatLog)) {
            int code = format.waitFor(FORMAT_TIMEOUT);
            if (code != 0) {
                throw new IllegalStateException(
                        "formatting Kafka's storage failed (exit " + code + ")\n" + format.tail());
            }
        }
    }

    /** Waits until the broker answers an Admin client, then creates the bench topic and waits for its leaders. */
    private void awaitReady(PeerEnv env) throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        // The listener first (an Admin client would log a warning for every refused connection meanwhile).
        while (!LoopbackPorts.accepts(port)) {
            if (!broker.isAlive()) {
                throw new IllegalStateException("the broker exited with status " + broker.exitValue());
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("nothing listens on " + bootstrap() + " after " + START_TIMEOUT);
            }
            Thread.sleep(100); // the broker's start-up has nothing to wait on from here
        }
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
            while (true) {
                if (!broker.isAlive()) {
                    throw new IllegalStateException("the broker exited with status " + broker.exitValue());
                }
                try {
                    admin.describeCluster().nodes().get(1, TimeUnit.SECONDS);
                    break;
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new TimeoutException("no answer within " + START_TIMEOUT + " (" + e + ")");
                    }
                }
            }
            long left = Math.max(1, deadline - System.nanoTime());
            KafkaTargets.ensureTopic(admin, env.topic(), env.partitions(), Duration.ofNanos(left));
        }
    }

    /** A free port on 127.0.0.1: {@code preferred} if it is positive and free (and not {@code taken}), else one the OS picks. */
    private static int freePort(int preferred, int taken) throws IOException {
        if (preferred > 0 && preferred != taken) {
            try (ServerSocket s = new ServerSocket(preferred, 1, InetAddress.getByName(HOST))) {
                return s.getLocalPort();
            } catch (IOException busy) {
                // taken: let the OS pick one
            }
        }
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                if (s.getLocalPort() != taken) {
                    return s.getLocalPort();
                }
            }
        }
    }

    /** The last {@value #LOG_TAIL_LINES} lines of {@code file}, or a note that it cannot be read. */
    static String tail(Path file) {
        return ChildProcess.tail(file, LOG_TAIL_LINES);
    }
}
