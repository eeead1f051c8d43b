package io.imago.broker.zk;

import java.util.Objects;

/**
 * The {@code [zookeeper]} keys of MetaQ's {@code server.ini} (spec section 5.2) that registration
 * needs, as plain values so that this package does not depend on the configuration classes.
 * Immutable and thread-safe.
 *
 * @param connectString {@code zk.zkConnect}, e.g. {@code 127.0.0.1:2181}
 * @param root {@code zk.zkRoot}, default {@value #DEFAULT_ROOT}; a path prefix, not a chroot
 * @param sessionTimeoutMs {@code zk.zkSessionTimeoutMs}, default 30000
 * @param connectionTimeoutMs {@code zk.zkConnectionTimeoutMs}, default 30000: how long
 *     {@link BrokerRegistration#start()} waits for a first connection
 * @param syncTimeMs {@code zk.zkSyncTimeMs}, default 5000: the longest pause between two attempts
 *     to re-register after a session loss
 */
public record ZkSettings(String connectString, String root, int sessionTimeoutMs, int connectionTimeoutMs,
        int syncTimeMs) {

    public static final String DEFAULT_ROOT = "/meta";
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 30_000;
    public static final int DEFAULT_CONNECTION_TIMEOUT_MS = 30_000;
    public static final int DEFAULT_SYNC_TIME_MS = 5_000;

    public ZkSettings {
        Objects.requireNonNull(connectString, "connectString");
        Objects.requireNonNull(root, "root");
        if (connectString.isBlank()) {
            throw new IllegalArgumentException("zk.zkConnect must not be blank");
        }
        if (!root.startsWith("/") || (root.length() > 1 && root.endsWith("/"))) {
            throw new IllegalArgumentException("zk.zkRoot must start with '/' and not end with '/', was '" + root + "'");
        }
        requirePositive("zk.zkSessionTimeoutMs", sessionTimeoutMs);
        requirePositive("zk.zkConnectionTimeoutMs", connectionTimeoutMs);
        requirePositive("zk.zkSyncTimeMs", syncTimeMs);
    }

    /** The MetaQ defaults for everything but the connect string. */
    public static ZkSettings withDefaults(String connectString) {
        return new ZkSettings(connectString, DEFAULT_ROOT, DEFAULT_SESSION_TIMEOUT_MS,
                DEFAULT_CONNECTION_TIMEOUT_MS, DEFAULT_SYNC_TIME_MS);
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, was " + value);
        }
    }
}
