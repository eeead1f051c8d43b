package io.imago.bench.compare;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A standalone ZooKeeper server in its own small JVM (256 MiB heap) on 127.0.0.1, for the peers that
 * need one (Imago, the original MetaQ): kept out of the broker's process so the broker's memory and CPU
 * are measured alone, as Kafka's KRaft controller is part of Kafka's. Runs
 * {@code org.apache.zookeeper.server.ZooKeeperServerMain} from the class path of this JVM (the
 * ZooKeeper the Imago broker uses). Not thread-safe.
 */
public final class ZooKeeperProcess implements AutoCloseable {
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private final ChildProcess process;
    private final int port;

    private ZooKeeperProcess(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts ZooKeeper with its data under {@code dir}, logging to {@code log}; returns once it accepts connections. */
    public static ZooKeeperProcess start(Path javaBin, Path dir, Path log) throws IOException, InterruptedException {
        int port = Ports.free();
        Files.createDirectories(dir.resolve("data"));
        Path cfg = dir.resolve("zoo.cfg");
        Files.writeString(cfg, String.join("\n",
                "tickTime=2000",
                "dataDir=" + dir.resolve("data").toAbsolutePath(),
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                "maxClientCnxns=0",
                "admin.enableServer=false",
                "4lw.commands.whitelist=ruok",
                ""), StandardCharsets.UTF_8);
        ChildProcess zk = ChildProcess.start("ZooKeeper", List.of(javaBin.toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", SelfClasspath.absolute(), "org.apache.zookeeper.server.ZooKeeperServerMain",
                cfg.toAbsolutePath().toString()), dir, Map.of(), log);
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (!accepts(port)) {
            zk.checkAlive();
            if (System.nanoTime() > deadline) {
                zk.close();
                throw new IllegalStateException("ZooKeeper did not listen on 127.0.0.1:" + port + " within 30 s; "
                        + "last lines of " + log + ":\n" + zk.tail(40));
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return new ZooKeeperProcess(zk, port);
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public String connectString() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.close();
    }
}
