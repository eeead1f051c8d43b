package io.imago.cli;

import io.imago.protocol.zk.ZnodeDescriptor;
import picocli.CommandLine.Option;

/** The {@code --zk} and {@code --zk-root} options every cluster tool shares (a picocli mixin). Not thread-safe. */
final class ZkOptions {
    static final String DEFAULT_ZK = "127.0.0.1:2181";
    static final String DEFAULT_ROOT = ZnodeDescriptor.DEFAULT_ROOT;

    @Option(
            names = "--zk",
            paramLabel = "HOST:PORT[,...]",
            defaultValue = DEFAULT_ZK,
            description = "ZooKeeper connect string (default: ${DEFAULT-VALUE})")
    String zkConnect;

    @Option(
            names = "--zk-root",
            paramLabel = "PATH",
            defaultValue = DEFAULT_ROOT,
            description = "ZooKeeper root of the cluster, zk.zkRoot of the brokers (default: ${DEFAULT-VALUE})")
    String zkRoot;
}
