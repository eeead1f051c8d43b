package io.imago.cli;

import picocli.CommandLine.Option;

/** The {@code --zk} and {@code --zk-root} options every cluster tool shares (a picocli mixin). Not thread-safe. */
final class ZkOptions {
    static final String DEFAULT_ZK = "127.0.0.1:2181";
    static final String DEFAULT_ROOT = "/meta";

    @Option(names = "--zk", paramLabel = "HOST:PORT[,...]", defaultValue = DEFAULT_ZK,
            description = "ZooKeeper connect string (default: ${DEFAULT-VALUE})")
    String zkConnect;

    @Option(names = "--zk-root", paramLabel = "PATH", defaultValue = DEFAULT_ROOT,
            description = "ZooKeeper root of the cluster, zk.zkRoot of the brokers (default: ${DEFAULT-VALUE})")
    String zkRoot;

    /** The root without a trailing slash ({@code ""} for {@code /}). */
    String root() {
        return zkRoot.endsWith("/") ? zkRoot.substring(0, zkRoot.length() - 1) : zkRoot;
    }
}
