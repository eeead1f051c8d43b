package io.imago.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A standalone ZooKeeper server ({@link ZooKeeperPeerMain}) in its own small JVM (64 MiB heap) on
 * 127.0.0.1, for the peers that need one (Imago, the original MetaQ): kept out of the broker's process
 * so the broker's memory and CPU are measured alone (Kafka's KRaft controller, by contrast, is part of
 * Kafka's process), and out of the comparison's own JVM, which carries no server threads of any peer.
 * Ready once it prints its serving line (a TCP accept comes earlier than that). Not thread-safe.
 */
public final class ZooKeeperProcess implements AutoCloseable {
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private final ChildProcess process;
    private final String connectString;

    private ZooKeeperProcess(ChildProcess process, String connectString) {
        this.process = process;
        this.connectString = connectString;
    }

    /** Starts ZooKeeper with its data under {@code dir}, logging to {@code log}; returns once it serves. */
    public static ZooKeeperProcess start(Path javaBin, Path dir, Path log) throws IOException, InterruptedException {
        int port = LoopbackPorts.freePort();
        Files.createDirectories(dir);
        Path logback = dir.resolve("zookeeper-logback.xml");
        Files.writeString(
                logback,
                "<configuration><appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                        + "<encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>"
                        + "</appender><logger name=\"io.imago\" level=\"INFO\"/>"
                        + "<root level=\"WARN\"><appender-ref ref=\"OUT\"/></root></configuration>\n",
                StandardCharsets.UTF_8);
        String connect = LoopbackPorts.LOOPBACK + ":" + port;
        ChildProcess zk = ChildProcess.start(
                "ZooKeeper",
                List.of(
                        javaBin.toString(),
                        "-Xmx64m",
                        "-XX:+UseSerialGC",
                        "-Djava.net.preferIPv4Stack=true",
                        "-Dlogback.configurationFile=" + logback,
                        "-cp",
                        SelfClasspath.absolute(),
                        ZooKeeperPeerMain.class.getName(),
                        dir.resolve("data").toAbsolutePath().toString(),
                        Integer.toString(port)),
                dir,
                Map.of(),
                log);
        String serving = ZooKeeperPeerMain.SERVING + connect;
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (!zk.tail(20).contains(serving)) {
            zk.checkAlive();
            if (System.nanoTime() > deadline) {
                zk.close();
                throw new IllegalStateException("ZooKeeper did not serve on " + connect + " within 30 s; "
                        + "last lines of " + log + ":\n" + zk.tail(40));
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return new ZooKeeperProcess(zk, connect);
    }

    public String connectString() {
        return connectString;
    }

    public long pid() {
        return process.pid();
    }

    /** Stops it (SIGTERM, then kill after the grace period); idempotent. */
    @Override
    public void close() {
        process.close();
    }
}
