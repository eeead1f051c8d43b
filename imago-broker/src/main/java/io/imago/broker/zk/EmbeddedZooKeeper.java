package io.imago.broker.zk;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZKDatabase;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone ZooKeeper server in the broker's process, for {@code bin/imago server} with no
 * arguments and for {@code --embedded-zk} (MetaQ's {@code -l}). It holds one ZooKeeper 3.9 server
 * ({@link ZooKeeperServer} behind an NIO connection factory) that keeps its snapshots and
 * transaction log in the data directory it is given (the launcher passes {@code <dataDir>/zookeeper});
 * nothing else: no admin server, no quorum, no container-node reaper.
 *
 * <p>The constructor only assigns; {@link #start()} binds and loads the data; {@link #close()} is
 * idempotent and returns when the server's threads have ended. Session timeouts are bounded by
 * ZooKeeper's rules: 2 to 20 ticks, so the default tick of {@value #DEFAULT_TICK_TIME_MS} ms allows
 * MetaQ's 30 s default session. Thread-safe: {@code start} and {@code close} are synchronized.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    /** ZooKeeper's usual tick: sessions from 4 s to 40 s. */
    public static final int DEFAULT_TICK_TIME_MS = 2_000;
    /** The port of DESIGN.md's standalone mode. */
    public static final int DEFAULT_PORT = 2181;

    /** The address of standalone mode, as a literal so that nothing resolves "localhost" to ::1. */
    public static final String LOOPBACK = "127.0.0.1";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeper.class);
    /** Clients per address: no limit (the broker, its clients and tools share the loopback address). */
    private static final int MAX_CLIENT_CONNECTIONS = 0;
    /** The listen backlog: the operating system's default. */
    private static final int LISTEN_BACKLOG = -1;

    private final Path dataDir;
    private final InetSocketAddress bindAddress;
    private final int tickTimeMs;

    private ServerCnxnFactory connections;
    private ZooKeeperServer server;
    private boolean started;
    private boolean closed;

    /**
     * @param dataDir where snapshots and the transaction log live; created if missing
     * @param bindAddress the address to listen on; port 0 picks a free port (see {@link #port()})
     * @param tickTimeMs ZooKeeper's tick
     */
    public EmbeddedZooKeeper(Path dataDir, InetSocketAddress bindAddress, int tickTimeMs) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        if (tickTimeMs <= 0) {
            throw new IllegalArgumentException("tickTimeMs must be > 0, was " + tickTimeMs);
        }
        this.tickTimeMs = tickTimeMs;
    }

    /** A server on 127.0.0.1:{@code port} with the default tick. */
    public static EmbeddedZooKeeper onLoopback(Path dataDir, int port) {
        return new EmbeddedZooKeeper(dataDir, new InetSocketAddress(LOOPBACK, port), DEFAULT_TICK_TIME_MS);
    }

    /**
     * Binds the address and starts serving.
     *
     * @throws EmbeddedZooKeeperException if the port is taken or the data directory cannot be used
     */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException("an EmbeddedZooKeeper can be started once");
        }
        started = true;
        if (bindAddress.isUnresolved()) {
            throw new EmbeddedZooKeeperException(
                    "cannot start the embedded ZooKeeper: unknown host " + bindAddress.getHostString(), null);
        }
        String address = bindAddress.getAddress().getHostAddress() + ":" + bindAddress.getPort();
        try {
            connections = ServerCnxnFactory.createFactory();
            connections.configure(bindAddress, MAX_CLIENT_CONNECTIONS, LISTEN_BACKLOG, false);
        } catch (BindException e) {
            throw stopAfter(new EmbeddedZooKeeperException(
                    "cannot start the embedded ZooKeeper: " + address
                            + " is already in use (another ZooKeeper or broker running?)",
                    e));
        } catch (IOException e) {
            throw stopAfter(
                    new EmbeddedZooKeeperException("cannot start the embedded ZooKeeper on " + address + ": " + e, e));
        }
        try {
            Files.createDirectories(dataDir);
            server = new ZooKeeperServer(dataDir.toFile(), dataDir.toFile(), tickTimeMs);
            connections.startup(server);
        } catch (IOException e) {
            throw stopAfter(new EmbeddedZooKeeperException(
                    "cannot start the embedded ZooKeeper with data directory " + dataDir + ": " + e, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw stopAfter(new EmbeddedZooKeeperException(
                    "interrupted while starting the embedded ZooKeeper on " + address, e));
        }
        LOG.info("Embedded ZooKeeper listening on {} (data {})", connectString(), dataDir);
    }

    /** The port it listens on (the chosen one when constructed with port 0); only after {@link #start()}. */
    public synchronized int port() {
        if (connections == null) {
            throw new IllegalStateException("the embedded ZooKeeper is not started");
        }
        return connections.getLocalPort();
    }

    /** {@code address:port} for clients, e.g. {@code 127.0.0.1:2181}. */
    public String connectString() {
        InetAddress address = bindAddress.getAddress();
        String host = address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        return host + ":" + port();
    }

    /** Stops serving, closes every session and its files, and waits for the server's threads; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (started) {
            stop();
            LOG.info(
                    "Embedded ZooKeeper on {}:{} stopped",
                    bindAddress.getAddress().getHostAddress(),
                    bindAddress.getPort());
        }
    }

    /** Releases what a failed start acquired (the listening socket, selectors, files) and returns {@code failure}. */
    private EmbeddedZooKeeperException stopAfter(EmbeddedZooKeeperException failure) {
        try {
            stop();
        } catch (RuntimeException cleanupFailure) {
            failure.addSuppressed(cleanupFailure);
        }
        return failure;
    }

    private void stop() {
        if (connections != null) {
            connections.shutdown();
            try {
                connections.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (server != null) {
            server.shutdown(true);
            ZKDatabase database = server.getZKDatabase();
            if (database != null) {
                closeDatabase(database);
            }
        }
    }

    private void closeDatabase(ZKDatabase database) {
        try {
            database.close();
        } catch (IOException e) {
            LOG.warn("Embedded ZooKeeper could not close its transaction log in {}", dataDir, e);
        }
    }
}
