package io.imago.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * A test cluster on 127.0.0.1: one ZooKeeper server (Curator's {@link TestingServer}, inside the
 * test JVM), a Curator client for assertions on znodes, and any number of {@link BrokerProcess}es,
 * each in its own JVM with its own free port and temporary data directory.
 *
 * <p>All brokers share one temporary root that {@link #close()} deletes; their logs go to
 * {@code <imago.it.logDir>/<name>/} and are kept. ZooKeeper runs with a 500 ms tick, so sessions
 * last at most 10 s: the ephemeral nodes of a killed broker vanish within that bound.
 *
 * <p>Lifecycle: the constructor only assigns; {@link #start()} starts ZooKeeper; {@link #close()}
 * stops every broker (SIGTERM, then SIGKILL), ZooKeeper, and deletes the temporary root. Idempotent.
 * Not thread-safe: one test thread drives it.
 */
public final class BrokerCluster implements AutoCloseable {
    private static final int ZK_TICK_MS = 500;

    private final String name;
    private final Target target;
    private final List<BrokerProcess> brokers = new ArrayList<>();
    private Path root;
    private TestingServer zkServer;
    private CuratorFramework zk;

    public BrokerCluster(String name, Target target) {
        this.name = name;
        this.target = target;
    }

    /** Starts ZooKeeper and a client connected to it. */
    public BrokerCluster start() throws Exception {
        root = Files.createTempDirectory("imago-it-" + name + "-");
        InstanceSpec spec = new InstanceSpec(
                root.resolve("zookeeper").toFile(),
                freePort(),
                -1,
                -1,
                true,
                -1,
                ZK_TICK_MS,
                -1,
                Map.of("clientPortAddress", "127.0.0.1"),
                "127.0.0.1");
        zkServer = new TestingServer(spec, true);
        zk = CuratorFrameworkFactory.newClient(zkServer.getConnectString(), 10_000, 5_000, new RetryOneTime(200));
        zk.start();
        zk.blockUntilConnected();
        return this;
    }

    public Target target() {
        return target;
    }

    /** The Curator client, for reading what brokers register. */
    public CuratorFramework zk() {
        return zk;
    }

    public String zkConnect() {
        return zkServer.getConnectString();
    }

    /** A configuration builder for broker {@code brokerId} with a free port and a fresh data directory. */
    public BrokerProcessConfig.Builder broker(int brokerId) {
        Path dataPath =
                root.resolve("broker-" + brokerId + "-" + brokers.size()).resolve("data");
        return BrokerProcessConfig.builder(brokerId)
                .serverPort(freePort())
                .dataPath(dataPath)
                .zkConnect(zkConnect());
    }

    /** Builds, launches and waits for a broker (see {@link BrokerProcess#start()}). */
    public BrokerProcess startBroker(BrokerProcessConfig.Builder config) {
        return newBroker(config).start();
    }

    /** A broker registered for cleanup but not launched. */
    public BrokerProcess newBroker(BrokerProcessConfig.Builder config) {
        return newBroker(config, target);
    }

    /**
     * A broker of the given implementation, whatever the suite's target, registered for cleanup but not
     * launched: for tests of a data directory passed from one implementation to the other.
     */
    public BrokerProcess newBroker(BrokerProcessConfig.Builder config, Target implementation) {
        BrokerProcessConfig built = config.build();
        int index = brokers.size();
        Path workDir = root.resolve("proc-" + index + "-broker-" + built.brokerId());
        Path log = logDir().resolve("broker-" + built.brokerId() + "-" + index + ".log");
        try {
            Files.deleteIfExists(log); // a log from an earlier run of the suite
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BrokerProcess broker = new BrokerProcess(implementation, built, workDir, log, zk);
        brokers.add(broker);
        return broker;
    }

    /** Starts a new process on the same configuration and data as a stopped or killed one. */
    public BrokerProcess restart(BrokerProcess stopped) {
        BrokerProcess next = stopped.successor();
        brokers.add(next);
        return next.start();
    }

    /**
     * Starts a new process on the same data as a stopped or killed one, its configuration changed by
     * {@code change} (e.g. a test hook removed); the broker id, port and directories stay.
     */
    public BrokerProcess restart(BrokerProcess stopped, UnaryOperator<BrokerProcessConfig.Builder> change) {
        BrokerProcess next =
                stopped.successor(change.apply(stopped.config().toBuilder()).build());
        brokers.add(next);
        return next.start();
    }

    /**
     * Launches a new process on the same configuration and data as a stopped or killed one, without
     * waiting for it to serve (for tests that time the restart themselves); registered for cleanup.
     */
    public BrokerProcess relaunch(BrokerProcess stopped) {
        BrokerProcess next = stopped.successor();
        brokers.add(next);
        return next.launch();
    }

    public List<BrokerProcess> brokers() {
        return List.copyOf(brokers);
    }

    /** Where broker logs of this cluster are written. */
    public Path logDir() {
        return Path.of(System.getProperty("imago.it.logDir", "target/it-logs")).resolve(name);
    }

    @Override
    public void close() throws IOException {
        for (int i = brokers.size() - 1; i >= 0; i--) {
            brokers.get(i).close();
        }
        brokers.clear();
        if (zk != null) {
            zk.close();
            zk = null;
        }
        try {
            if (zkServer != null) {
                zkServer.close();
                zkServer = null;
            }
        } finally {
            deleteRoot();
        }
    }

    private void deleteRoot() throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        root = null;
    }

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
