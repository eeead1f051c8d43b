package io.imago.bench.compare;

import io.imago.broker.zk.EmbeddedZooKeeper;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A standalone ZooKeeper server for one peer of {@code bench compare}, run in its own JVM:
 * {@code java -cp <the bench class path> io.imago.bench.compare.ZooKeeperPeerMain DATA_DIR PORT} serves
 * {@link EmbeddedZooKeeper} on 127.0.0.1:PORT until the process is terminated (SIGTERM closes it
 * through a shutdown hook). Exits with code 1 when it cannot start (e.g. the port is taken).
 */
public final class ZooKeeperPeerMain {
    /** Printed on stdout, followed by the connect string, once the server serves. */
    static final String SERVING = "ZooKeeper serving on ";

    private ZooKeeperPeerMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: ZooKeeperPeerMain DATA_DIR PORT");
            System.exit(2);
        }
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.onLoopback(Path.of(args[0]), Integer.parseInt(args[1]));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            zk.close();
                            stopped.countDown();
                        },
                        "zookeeper-shutdown"));
        try {
            zk.start();
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println(SERVING + zk.connectString());
        System.out.flush();
        stopped.await();
    }
}
