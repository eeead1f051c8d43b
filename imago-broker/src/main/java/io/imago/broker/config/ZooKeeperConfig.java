package io.imago.broker.config;

/**
 * The {@code [zookeeper]} section (spec section 5.2): whether and where the broker registers itself.
 * Immutable.
 *
 * @param enabled {@code zk.zkEnable}: register in ZooKeeper at all
 * @param connectString {@code zk.zkConnect}: {@code host:port[,host:port...][/chroot]}
 * @param root {@code zk.zkRoot}: root znode of the MetaQ layout, e.g. {@code /meta}
 * @param sessionTimeoutMs {@code zk.zkSessionTimeoutMs}
 * @param connectionTimeoutMs {@code zk.zkConnectionTimeoutMs}
 * @param syncTimeMs {@code zk.zkSyncTimeMs}: grace for followers to catch up (retry sleep, shutdown)
 */
public record ZooKeeperConfig(boolean enabled, String connectString, String root, int sessionTimeoutMs,
                              int connectionTimeoutMs, int syncTimeMs) {

    static ZooKeeperConfig from(Settings settings) {
        return new ZooKeeperConfig(settings.get(ConfigKeys.ZK_ENABLE), settings.get(ConfigKeys.ZK_CONNECT),
                settings.get(ConfigKeys.ZK_ROOT), settings.get(ConfigKeys.ZK_SESSION_TIMEOUT_MS),
                settings.get(ConfigKeys.ZK_CONNECTION_TIMEOUT_MS), settings.get(ConfigKeys.ZK_SYNC_TIME_MS));
    }
}
