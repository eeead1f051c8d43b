package io.imago.broker;

import io.imago.broker.config.BrokerConfig;
import io.imago.broker.zk.EmbeddedZooKeeper;
import io.imago.store.fs.FileChannelStorageIo;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * An in-process broker for tests: an embedded ZooKeeper on 127.0.0.1 (free port) and one broker on
 * 127.0.0.1 (free port) over a temporary data directory, configured by a {@code server.ini} whose
 * {@code [system]} and topic sections the test supplies. Closing stops both. More brokers (other ids,
 * other directories) can join the same ZooKeeper with {@link #startAnother}; closing one of those
 * stops only its broker.
 */
public final class BrokerHarness implements AutoCloseable {
    private final Path dir;
    private final EmbeddedZooKeeper zk;
    private StorageIo io;
    private final int brokerId;
    private final boolean ownsZk;
    private Broker broker;
    private BrokerConfig config;

    private BrokerHarness(Path dir, EmbeddedZooKeeper zk, StorageIo io, int brokerId, boolean ownsZk) {
        this.dir = dir;
        this.zk = zk;
        this.io = io;
        this.brokerId = brokerId;
        this.ownsZk = ownsZk;
    }

    /** Starts ZooKeeper and a broker; {@code sections} is appended to a minimal {@code [system]}. */
    public static BrokerHarness start(Path dir, String systemExtra, String sections) throws Exception {
        return start(dir, systemExtra, sections, new FileChannelStorageIo());
    }

    /** As {@link #start(Path, String, String)}, with the broker's logs over a given storage seam. */
    public static BrokerHarness start(Path dir, String systemExtra, String sections, StorageIo io) throws Exception {
        EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dir.resolve("zk"), new InetSocketAddress("127.0.0.1", 0), 100);
        zk.start();
        BrokerHarness h = new BrokerHarness(dir, zk, io, 0, true);
        try {
            h.startBroker(systemExtra, sections);
        } catch (Exception e) {
            h.close();
            throw e;
        }
        return h;
    }

    /**
     * Starts another broker with id {@code brokerId} over {@code otherDir}, registered in this
     * harness's ZooKeeper. Closing the returned harness stops only that broker.
     */
    public BrokerHarness startAnother(Path otherDir, int brokerId, String systemExtra, String sections)
            throws Exception {
        Files.createDirectories(otherDir);
        BrokerHarness h = new BrokerHarness(otherDir, zk, new FileChannelStorageIo(), brokerId, false);
        h.startBroker(systemExtra, sections);
        return h;
    }

    /** (Re)starts the broker over the same data directory with a new configuration. */
    public void startBroker(String systemExtra, String sections) throws Exception {
        startBroker(0, systemExtra, sections);
    }

    /**
     * (Re)starts the broker over the same data directory with another storage seam: after a simulated
     * power loss the old seam refuses every mutation, so the restart needs a fresh one.
     */
    public void startBroker(StorageIo newIo, String systemExtra, String sections) throws Exception {
        io = newIo;
        startBroker(0, systemExtra, sections);
    }

    /** Restarts the stopped broker on the port it had, so clients find it again at the same URL. */
    public void restartBrokerOnSamePort(String systemExtra, String sections) throws Exception {
        startBroker(broker.address().getPort(), systemExtra, sections);
    }

    private void startBroker(int port, String systemExtra, String sections) throws Exception {
        Path ini = dir.resolve("server.ini");
        String text = "[system]\nbrokerId=" + brokerId + "\nhostName=127.0.0.1\nserverPort=" + port + "\ndataPath="
                + dir.resolve("data") + "\n"
                + systemExtra + "\n[zookeeper]\nzk.zkConnect=" + zk.connectString()
                + "\nzk.zkSessionTimeoutMs=4000\nzk.zkConnectionTimeoutMs=4000\nzk.zkSyncTimeMs=200\n" + sections
                + "\n";
        Files.writeString(ini, text, StandardCharsets.UTF_8);
        config = BrokerConfig.load(ini);
        broker = new Broker(config, Clock.systemUTC(), io);
        broker.start();
    }

    public void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    public Broker broker() {
        return broker;
    }

    public BrokerConfig config() {
        return config;
    }

    public int port() {
        return broker.address().getPort();
    }

    public String zkConnect() {
        return zk.connectString();
    }

    public Path dataDir() {
        return dir.resolve("data");
    }

    public WireClient connect() throws IOException {
        return new WireClient(new InetSocketAddress("127.0.0.1", port()));
    }

    @Override
    public void close() {
        stopBroker();
        if (ownsZk) {
            zk.close();
        }
    }
}
