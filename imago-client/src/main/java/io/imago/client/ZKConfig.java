package io.imago.client;

import java.io.Serializable;

import io.imago.protocol.zk.ZnodeDescriptor;

/**
 * Where the client finds the cluster: MetaQ's {@code ZkUtils.ZKConfig}, with the same public fields
 * and defaults ({@code zkRoot=/meta}, 30 s session and connection timeouts, 5 s sync time). Mutable
 * configuration bean, read once when a session factory is created; not thread-safe.
 */
public class ZKConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public String zkRoot = ZnodeDescriptor.DEFAULT_ROOT;
    public boolean zkEnable = true;
    public String zkConnect;
    public int zkSessionTimeoutMs = 30_000;
    public int zkConnectionTimeoutMs = 30_000;
    public int zkSyncTimeMs = 5_000;

    public ZKConfig() {
    }

    public ZKConfig(String zkConnect) {
        this.zkConnect = zkConnect;
    }

    public ZKConfig(String zkConnect, int zkSessionTimeoutMs, int zkConnectionTimeoutMs, int zkSyncTimeMs) {
        this.zkConnect = zkConnect;
        this.zkSessionTimeoutMs = zkSessionTimeoutMs;
        this.zkConnectionTimeoutMs = zkConnectionTimeoutMs;
        this.zkSyncTimeMs = zkSyncTimeMs;
    }

    @Override
    public String toString() {
        return "ZKConfig[zkConnect=" + zkConnect + ", zkRoot=" + zkRoot + ", zkEnable=" + zkEnable
                + ", zkSessionTimeoutMs=" + zkSessionTimeoutMs + ", zkConnectionTimeoutMs=" + zkConnectionTimeoutMs
                + ", zkSyncTimeMs=" + zkSyncTimeMs + "]";
    }
}
