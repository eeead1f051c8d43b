package io.imago.bench.compare;

import io.imago.protocol.zk.TopicRegistrationJson;
import io.imago.protocol.zk.ZnodeDescriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The original MetaQ 1.4.6.2 broker as a peer of {@code bench compare}: a ZooKeeper server and the
 * unmodified broker ({@code com.taobao.metamorphosis.server.MetamorphosisStartup -f server.ini}, the
 * plain launcher of the {@code metamorphosis-server} jar on Maven Central: no plugins, no dashboard),
 * each in its own child JVM on 127.0.0.1. The broker is driven only by the original client
 * ({@link OriginalClientLoad}); {@link #loadArgs()} is empty.
 *
 * <h2>Class path</h2>
 * The broker's jars never enter this module's class path ({@link OracleClasspath#METAQ_SERVER}): the file
 * named by {@code -Dimago.bench.metaqClasspath=FILE}, else
 * {@code <imago.bench.home>/imago-oracles/metaq-server/target/classpath.txt}, written by that module
 * (resolved from Maven Central), where {@code -Dimago.bench.home} is the repository root.
 *
 * <h2>ZooKeeper</h2>
 * A {@link ZooKeeperProcess} ({@code io.imago.broker.zk.EmbeddedZooKeeper}, ZooKeeper 3.9, which the
 * original's 3.4 client talks to) runs in a child JVM of its own, started from this JVM's class path
 * with a 64 MiB heap and logging to {@code <logDir>/metaq-zookeeper.log}. Not in this JVM, so that the
 * comparison's driver process carries no server threads or garbage of any peer, and not in the broker's
 * JVM, which is the unmodified original. The ZooKeeper load of workload W1 is small anyway (the
 * producer reads the broker's registration once).
 *
 * <h2>Broker configuration</h2>
 * {@code <workDir>/server.ini}: {@code brokerId=0}, {@code hostName=127.0.0.1}, a free port,
 * {@code dataPath=<workDir>/data} and the transaction journal in {@code <workDir>/txlog} (kept out of
 * dataPath: the original skips loading partitions when dataPath holds other entries), the bench topic in
 * a {@code [topic=…]} section with {@link PeerEnv#partitions()} partitions, and durability by group
 * commit: {@code unflushThreshold=0}. {@link PeerEnv#settings()} entries override or add
 * {@code [system]} keys (the original rejects unknown keys at start-up, with the error in its log).
 * The broker JVM gets {@link PeerEnv#jvmArgs()}, {@code -Djava.net.preferIPv4Stack=true} and
 * {@code -Duser.home=<workDir>}. Ready means: its port accepts connections and ZooKeeper holds
 * {@code /meta/brokers/ids/0/master}, {@code /meta/brokers/topics-sub/<topic>/0-m} and
 * {@code /meta/brokers/topics-pub/<topic>/0-m} with {@code "numParts":<partitions>} (spec §4.1; the
 * last is what the producer reads).
 *
 * <h2>What {@code unflushThreshold=0} does in the original</h2>
 * Read in {@code killme2008/Metamorphosis} at tag {@code metamorphosis-all-1.4.6.2},
 * {@code server/store/MessageStore.java}: {@code unflushThreshold <= 0} makes each partition's store
 * start a writer thread and queue every append smaller than {@code min(maxTransferSize, 512 KiB)}
 * together with its callback. The thread appends queued writes to the last segment; when the queue
 * is empty (or more than that many bytes were written since the last force) it calls
 * {@code FileMessageSet.flush()}, i.e. {@code FileChannel.force(true)}, and only then runs the
 * callbacks, whose {@code StoreAppendCallback} sends the put's response. So a put is acknowledged after
 * its bytes are on disk, and concurrent puts to one partition share one fsync: group commit, the same
 * contract as Imago's default. (Appends of at least that size bypass the queue and are acknowledged
 * without fsync; W1's 100-byte messages never do. The periodic {@code unflushInterval} flusher is a no-op
 * in this mode.) With {@code unflushThreshold > 0} the put is acknowledged before any fsync.
 *
 * <h2>Java 17</h2>
 * The original broker starts and serves on Java 17 without {@code --add-opens} (its libraries use no
 * reflective access into JDK internals on these code paths; verified by the integration test and the
 * hand runs of W1: no {@code InaccessibleObjectException} in the log).
 *
 * <h2>Network</h2>
 * The original broker listens on the wildcard address: its {@code MetaMorphosisBroker} gives gecko's
 * {@code ServerConfig} only the port, and no {@code server.ini} key sets a bind address
 * ({@code hostName} is only what it registers in ZooKeeper). Everything here connects to it through
 * 127.0.0.1 only; ZooKeeper listens on 127.0.0.1.
 *
 * <h2>Logs</h2>
 * The broker's log4j writes to its stdout, which with stderr is appended to
 * {@code <logDir>/metaq-broker.log}; a failed start throws with that log's tail.
 *
 * <p>Not thread-safe: one thread starts and closes it. {@link #close()} is idempotent.
 */
public final class MetaqPeer implements Peer {
    private static final Logger LOG = LoggerFactory.getLogger(MetaqPeer.class);
    private static final String MAIN_CLASS = "com.taobao.metamorphosis.server.MetamorphosisStartup";
    private static final int BROKER_ID = 0;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int TAIL_LINES = 60;
    private static final int ZK_SESSION_MS = 10_000;

    private ZooKeeperProcess zooKeeper;
    private ChildProcess broker;
    private String zkConnect;
    private int port;
    private Path brokerLog;
    private Path zkLog;

    @Override
    public String name() {
        return "metaq";
    }

    @Override
    public void start(PeerEnv env) throws Exception {
        if (zooKeeper != null) {
            throw new IllegalStateException("the metaq peer is already started");
        }
        String classpath = OracleClasspath.METAQ_SERVER.read();
        Files.createDirectories(env.workDir());
        Files.createDirectories(env.logDir());
        brokerLog = env.logDir().resolve("metaq-broker.log");
        zkLog = env.logDir().resolve("metaq-zookeeper.log");
        try {
            startZooKeeper(env);
            startBroker(env, classpath);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    @Override
    public long brokerPid() {
        if (broker == null) {
            throw new IllegalStateException("the metaq peer is not started");
        }
        return broker.pid();
    }

    /** The process id of the peer's ZooKeeper server. */
    long zooKeeperPid() {
        if (zooKeeper == null) {
            throw new IllegalStateException("the metaq peer is not started");
        }
        return zooKeeper.pid();
    }

    /** The broker's MetaQ port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Empty: only the original client drives the original broker. */
    @Override
    public List<String> loadArgs() {
        return List.of();
    }

    @Override
    public String zkConnect() {
        return zkConnect;
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 30 s), then ZooKeeper; idempotent. */
    @Override
    public void close() {
        if (broker != null) {
            broker.stop(STOP_GRACE);
        }
        if (zooKeeper != null) {
            zooKeeper.close();
        }
    }

    private void startZooKeeper(PeerEnv env) throws Exception {
        zooKeeper = ZooKeeperProcess.start(env.javaBin(), env.workDir().resolve("zookeeper"), zkLog);
        zkConnect = zooKeeper.connectString();
        LOG.info("metaq peer: ZooKeeper on {} (pid {})", zkConnect, zooKeeper.pid());
    }

    private void startBroker(PeerEnv env, String classpath) throws Exception {
        port = LoopbackPorts.freePort();
        Path ini = env.workDir().resolve("server.ini");
        Files.writeString(ini, serverIni(env, port, zkConnect), StandardCharsets.UTF_8);
        Path log4j = env.workDir().resolve("log4j.properties");
        Files.writeString(
                log4j,
                "log4j.rootLogger=INFO,stdout\n"
                        + "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
                        + "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
                        + "log4j.appender.stdout.layout.ConversionPattern=%d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n\n",
                StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>();
        cmd.add(env.javaBin().toString());
        cmd.addAll(env.jvmArgs());
        cmd.add("-Djava.net.preferIPv4Stack=true");
        cmd.add("-Dlog4j.configuration=" + log4j.toUri());
        cmd.add("-Duser.home=" + env.workDir()); // nothing of the original's lands in the real home
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(MAIN_CLASS);
        cmd.add("-f");
        cmd.add(ini.toString());
        broker = ChildProcess.start("MetaQ broker", cmd, env.workDir(), Map.of(), brokerLog);
        String topic = env.topic();
        ZnodeDescriptor znodes = new ZnodeDescriptor(ZnodeDescriptor.DEFAULT_ROOT);
        String registration = ZnodeDescriptor.masterRegistration(BROKER_ID);
        String pub = znodes.publishedTopicPath(topic, registration);
        String sub = znodes.subscribedTopicPath(topic, registration);
        String master = znodes.masterPath(BROKER_ID);
        OptionalInt numParts = OptionalInt.of(env.partitions());
        ZooKeeper zk = new ZooKeeper(zkConnect, ZK_SESSION_MS, event -> {});
        try {
            awaitOrFail(
                    broker,
                    brokerLog,
                    "port " + port + " accepting and " + master + ", " + pub + " (with " + env.partitions()
                            + " partitions) and " + sub + " registered in ZooKeeper " + zkConnect,
                    () -> LoopbackPorts.accepts(port)
                            && exists(zk, master)
                            && exists(zk, sub)
                            && TopicRegistrationJson.numParts(data(zk, pub)).equals(numParts)
                            && env.onePartitionTopics().stream()
                                    .allMatch(t -> exists(zk, znodes.publishedTopicPath(t, registration))));
        } finally {
            zk.close();
        }
        LOG.info(
                "metaq peer: broker on 127.0.0.1:{} (pid {}), topic {} with {} partitions",
                port,
                broker.pid(),
                topic,
                env.partitions());
    }

    /** The {@code server.ini} the original broker starts with (spec §5: unknown keys are a start-up error). */
    static String serverIni(PeerEnv env, int port, String zkConnect) {
        Map<String, String> system = new LinkedHashMap<>();
        system.put("brokerId", Integer.toString(BROKER_ID));
        system.put("hostName", LoopbackPorts.LOOPBACK);
        system.put("serverPort", Integer.toString(port));
        system.put("dataPath", env.workDir().resolve("data").toAbsolutePath().toString());
        system.put(
                "dataLogPath", env.workDir().resolve("txlog").toAbsolutePath().toString());
        system.put("numPartitions", "1");
        system.put("unflushThreshold", "0"); // group commit: fsync before the put's acknowledgement
        system.put("unflushInterval", "10000");
        system.put("maxSegmentSize", Integer.toString(1024 * 1024 * 1024));
        system.put("maxTransferSize", Integer.toString(1024 * 1024));
        system.putAll(env.settings());
        system.remove(PeerEnv.ONE_PARTITION_TOPICS); // ours, not a key of the original's
        StringBuilder ini = new StringBuilder("[system]\n");
        system.forEach((k, v) -> ini.append(k).append('=').append(v).append('\n'));
        ini.append("\n[zookeeper]\n")
                .append("zk.zkConnect=")
                .append(zkConnect)
                .append('\n')
                .append("zk.zkRoot=/meta\n")
                .append("zk.zkSessionTimeoutMs=30000\n")
                .append("zk.zkConnectionTimeoutMs=30000\n")
                .append("zk.zkSyncTimeMs=200\n");
        ini.append("\n[topic=")
                .append(env.topic())
                .append("]\n")
                .append("numPartitions=")
                .append(env.partitions())
                .append('\n');
        for (String topic : env.onePartitionTopics()) {
            ini.append("\n[topic=").append(topic).append("]\nnumPartitions=1\n");
        }
        return ini.toString();
    }

    private static boolean exists(ZooKeeper zk, String path) {
        try {
            return zk.exists(path, false) != null;
        } catch (KeeperException e) {
            return false; // not connected yet: ask again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + path, e);
        }
    }

    /** The node's data as text; empty when it does not exist (yet) or ZooKeeper is not reachable yet. */
    private static String data(ZooKeeper zk, String path) {
        try {
            byte[] data = zk.getData(path, false, null);
            return data == null ? "" : new String(data, StandardCharsets.UTF_8);
        } catch (KeeperException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + path, e);
        }
    }

    private static void awaitOrFail(ChildProcess process, Path log, String what, BooleanSupplier ready)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IOException("the metaq peer's process " + process.pid() + " exited with code "
                        + process.exitValue() + " before " + what + "; tail of " + log + ":\n"
                        + ChildProcess.tail(log, TAIL_LINES));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the metaq peer was not ready within " + START_TIMEOUT.toSeconds() + " s: " + what
                        + "; tail of " + log + ":\n" + ChildProcess.tail(log, TAIL_LINES));
            }
            TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
        }
    }
}
