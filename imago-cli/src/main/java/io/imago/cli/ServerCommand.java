package io.imago.cli;

import io.imago.broker.Broker;
import io.imago.broker.config.BrokerConfig;
import io.imago.broker.config.ConfigException;
import io.imago.broker.zk.EmbeddedZooKeeper;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imago server}: runs a broker in the foreground until SIGTERM/SIGINT, then stops it cleanly
 * (in-flight puts finish with their durability, the ZooKeeper nodes are removed) and exits 0.
 */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a broker.",
            "With no -c: a standalone broker: embedded ZooKeeper on 127.0.0.1:2181, broker 0 on 127.0.0.1:8123,"
                    + " data in ./imago-data, any topic accepted, group commit (fsync before every ack).",
            "With -c FILE: the broker that MetaQ's server.ini FILE describes (see docs/configuration.md)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped cleanly", "1:failed to start or failed while running", "2:bad configuration or usage"
        })
final class ServerCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServerCommand.class);
    static final Path STANDALONE_DATA_DIR = Path.of("imago-data");

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "MetaQ server.ini to run")
    Path configFile;

    @Option(
            names = {"-l", "--embedded-zk"},
            description =
                    "with -c: first start an embedded ZooKeeper on the zk.zkConnect address (always on without -c)")
    boolean embeddedZk;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "overrides dataPath (default ./imago-data without -c)")
    Path dataDir;

    @Option(names = "--port", paramLabel = "N", description = "overrides serverPort (default 8123)")
    Integer port;

    @Override
    public Integer call() {
        BrokerConfig config;
        try {
            config = configuration();
        } catch (ConfigException e) {
            System.err.println("imago server: " + e.getMessage());
            return 2;
        }
        boolean startZk = configFile == null || embeddedZk;
        EmbeddedZooKeeper zk = startZk ? embeddedZooKeeper(config) : null;
        Broker broker = new Broker(config, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    try {
                        LOG.info("Stopping (signal received)");
                        stop(broker, zk);
                    } finally {
                        stopped.countDown();
                        System.out.flush();
                        System.err.flush();
                        // A clean stop on SIGTERM exits 0 (the JVM's own status would be 143), so scripts and
                        // service managers can tell it from a crash.
                        Runtime.getRuntime().halt(0);
                    }
                },
                "imago-shutdown");
        // Installed before starting, so a signal during a long start (recovery) still stops cleanly:
        // Broker.close waits for start to finish.
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (zk != null) {
                zk.start();
            }
            broker.start();
        } catch (Exception e) {
            LOG.error("Broker failed to start: {}", e.getMessage(), e);
            stop(broker, zk);
            removeHook(hook);
            return 1;
        }
        awaitQuietly(stopped);
        return 0;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // a signal arrived meanwhile; the hook runs and exits
            LOG.debug("Shutdown already in progress");
        }
    }

    private BrokerConfig configuration() {
        BrokerConfig base = configFile == null
                ? BrokerConfig.standalone(dataDir != null ? dataDir : STANDALONE_DATA_DIR)
                : BrokerConfig.load(configFile);
        return base.withOverrides(
                Optional.ofNullable(dataDir), port == null ? OptionalInt.empty() : OptionalInt.of(port));
    }

    /** An embedded ZooKeeper on the address of the first server of zk.zkConnect, data under dataPath. */
    private static EmbeddedZooKeeper embeddedZooKeeper(BrokerConfig config) {
        String first = config.zooKeeper().connectString().split(",")[0];
        int slash = first.indexOf('/');
        String hostPort = slash >= 0 ? first.substring(0, slash) : first;
        int colon = hostPort.lastIndexOf(':');
        String host = colon > 0 ? hostPort.substring(0, colon) : hostPort;
        int zkPort = colon > 0 ? Integer.parseInt(hostPort.substring(colon + 1)) : EmbeddedZooKeeper.DEFAULT_PORT;
        return new EmbeddedZooKeeper(
                config.dataPath().resolve("zookeeper"),
                new InetSocketAddress(host, zkPort),
                EmbeddedZooKeeper.DEFAULT_TICK_TIME_MS);
    }

    private static void stop(Broker broker, EmbeddedZooKeeper zk) {
        try {
            broker.close();
        } finally {
            if (zk != null) {
                zk.close();
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
