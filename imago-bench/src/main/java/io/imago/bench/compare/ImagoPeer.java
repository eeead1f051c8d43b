package io.imago.bench.compare;

import io.imago.protocol.zk.ZnodeDescriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

/**
 * An Imago broker process ({@code io.imago.cli.ImagoCli server -c server.ini}, from the class path of
 * this JVM) with its own {@link ZooKeeperProcess}. Group commit unless {@link PeerEnv#settings()} holds
 * {@code unflushThreshold} (and optionally {@code unflushInterval}). Topics: {@link PeerEnv#topic()} and
 * the comma-separated {@code topics} setting, each with {@link PeerEnv#partitions()} partitions, declared
 * in {@code [topic=…]} sections so they are registered in ZooKeeper before the first put. Not thread-safe.
 */
public final class ImagoPeer implements Peer {
    /** Settings key: more topics to declare, comma-separated. */
    public static final String TOPICS = "topics";

    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int BROKER_ID = 0;
    private final String name;
    private ZooKeeperProcess zk;
    private ChildProcess broker;
    private List<String> brokerCommand;
    private PeerEnv env;
    private int port;

    public ImagoPeer(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start(PeerEnv env) throws Exception {
        Files.createDirectories(env.workDir());
        zk = ZooKeeperProcess.start(
                env.javaBin(), env.workDir().resolve("zookeeper"), env.logDir().resolve(name + "-zookeeper.log"));
        port = LoopbackPorts.freePort();
        Set<String> topics = topics(env);
        Path ini = env.workDir().resolve("server.ini");
        Files.writeString(ini, serverIni(env, topics), StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>();
        cmd.add(env.javaBin().toString());
        cmd.addAll(env.jvmArgs());
        cmd.add("-Dimago.log.target=System.out");
        cmd.add("-Dimago.log.level=INFO");
        cmd.add("-cp");
        cmd.add(SelfClasspath.absolute());
        cmd.add("io.imago.cli.ImagoCli");
        cmd.add("server");
        cmd.add("-c");
        cmd.add(ini.toAbsolutePath().toString());
        this.env = env;
        this.brokerCommand = List.copyOf(cmd);
        launchBroker();
        awaitRegistered(topics);
    }

    private void launchBroker() throws IOException {
        broker = ChildProcess.start(
                name + " broker",
                brokerCommand,
                env.workDir(),
                Map.of(),
                env.logDir().resolve(name + "-broker.log"));
    }

    /** Kills the broker with SIGKILL (a crash; ZooKeeper keeps running) and waits until it is gone. */
    public void killBroker() throws InterruptedException {
        broker.kill();
    }

    /**
     * Starts the broker again, after {@link #killBroker()}, on the same {@code server.ini}, data directory
     * and port, without waiting for it to serve (callers time that themselves); its output is appended
     * to the same log.
     */
    public void relaunchBroker() throws IOException {
        if (broker.isAlive()) {
            throw new IllegalStateException(name + " broker (pid " + broker.pid() + ") is still running");
        }
        launchBroker();
    }

    /** The broker's port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Throws, with the tail of the broker's log, if the broker process has ended. */
    public void checkBrokerAlive() {
        broker.checkAlive();
    }

    private static Set<String> topics(PeerEnv env) {
        Set<String> topics = new LinkedHashSet<>();
        topics.add(env.topic());
        String more = env.settings().getOrDefault(TOPICS, "");
        for (String t : more.split(",")) {
            if (!t.isBlank()) {
                topics.add(t.trim());
            }
        }
        topics.addAll(env.onePartitionTopics());
        return topics;
    }

    private String serverIni(PeerEnv env, Set<String> topics) {
        StringBuilder ini = new StringBuilder()
                .append("[system]\n")
                .append("brokerId=")
                .append(BROKER_ID)
                .append('\n')
                .append("hostName=127.0.0.1\n")
                .append("serverPort=")
                .append(port)
                .append('\n')
                .append("dashboardHttpPort=")
                .append(LoopbackPorts.freePort())
                .append('\n')
                .append("numPartitions=")
                .append(env.partitions())
                .append('\n')
                .append("dataPath=")
                .append(env.workDir().resolve("data").toAbsolutePath())
                .append('\n')
                .append("unflushThreshold=")
                .append(env.settings().getOrDefault("unflushThreshold", "0"))
                .append('\n');
        if (env.settings().containsKey("unflushInterval")) {
            ini.append("unflushInterval=")
                    .append(env.settings().get("unflushInterval"))
                    .append('\n');
        }
        ini.append("\n[zookeeper]\n")
                .append("zk.zkConnect=")
                .append(zk.connectString())
                .append('\n')
                .append("zk.zkRoot=")
                .append(ZnodeDescriptor.DEFAULT_ROOT)
                .append('\n');
        for (String topic : topics) {
            ini.append("\n[topic=")
                    .append(topic)
                    .append("]\n")
                    .append("numPartitions=")
                    .append(env.onePartitionTopics().contains(topic) ? 1 : env.partitions())
                    .append('\n');
        }
        return ini.toString();
    }

    private void awaitRegistered(Set<String> topics) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        try (CuratorFramework client =
                CuratorFrameworkFactory.newClient(zk.connectString(), 10_000, 5_000, new RetryOneTime(500))) {
            client.start();
            ZnodeDescriptor znodes = new ZnodeDescriptor(ZnodeDescriptor.DEFAULT_ROOT);
            for (String topic : topics) {
                String node = znodes.publishedTopicPath(topic, ZnodeDescriptor.masterRegistration(BROKER_ID));
                while (!exists(client, node)) {
                    broker.checkAlive();
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(name + " did not register " + node
                                + " within 60 s; last lines of " + broker.log() + ":\n" + broker.tail(40));
                    }
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            }
        }
    }

    private static boolean exists(CuratorFramework client, String node) {
        try {
            return client.checkExists().forPath(node) != null;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public long brokerPid() {
        return broker.pid();
    }

    @Override
    public List<String> loadArgs() {
        return List.of("--target", "imago", "--zk", zk.connectString(), "--zk-root", ZnodeDescriptor.DEFAULT_ROOT);
    }

    @Override
    public String zkConnect() {
        return zk.connectString();
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close();
        }
        if (zk != null) {
            zk.close();
        }
    }

    /** The broker's log, for error messages. */
    Path brokerLog() throws IOException {
        return broker.log();
    }
}
