package io.imago.broker.config;

import java.util.Objects;

/**
 * The {@code [zookeeper]} section (spec section 5.2): whether and where the broker registers itself.
 * Made by {@link BrokerConfig} from values {@link ConfigKeys} has checked and defaulted (the defaults
 * live there only). Immutable and thread-safe.
 *
 * @param enabled {@code zk.zkEnable}: register in ZooKeeper at all
 * @param connectString {@code zk.zkConnect}: {@code host:port[,host:port...][/chroot]}
 * @param root {@code zk.zkRoot}: root znode of the MetaQ layout, e.g. {@code /meta}; a path prefix,
 *     not a chroot
 * @param sessionTimeoutMs {@code zk.zkSessionTimeoutMs}
 * @param connectionTimeoutMs {@code zk.zkConnectionTimeoutMs}: how long the registration waits for a
 *     first connection
 * @param syncTimeMs {@code zk.zkSyncTimeMs}: grace for followers to catch up; the registration's
 *     longest pause between two attempts to register again after a session loss
 */
public record ZooKeeperConfig(
        boolean enabled,
        String connectString,
        String root,
        int sessionTimeoutMs,
        int connectionTimeoutMs,
        int syncTimeMs) {

    public ZooKeeperConfig {
        Objects.requireNonNull(connectString, "connectString");
        Objects.requireNonNull(root, "root");
    }

    static ZooKeeperConfig from(Settings settings) {
        return new ZooKeeperConfig(
                settings.get(ConfigKeys.ZK_ENABLE),
                settings.get(ConfigKeys.ZK_CONNECT),
                settings.get(ConfigKeys.ZK_ROOT),
                settings.get(ConfigKeys.ZK_SESSION_TIMEOUT_MS),
                settings.get(ConfigKeys.ZK_CONNECTION_TIMEOUT_MS),
                settings.get(ConfigKeys.ZK_SYNC_TIME_MS));
    }
}
