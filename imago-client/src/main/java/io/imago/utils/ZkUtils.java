package io.imago.utils;

import io.imago.protocol.zk.ZnodeDescriptor;
import java.io.Serializable;

/**
 * MetaQ's {@code com.taobao.metamorphosis.utils.ZkUtils}, kept for the one part of it an application
 * touches: the nested {@link ZKConfig}, so that {@code ZkUtils.ZKConfig} ports by replacing the package
 * name. Not instantiable.
 */
public final class ZkUtils {
    private ZkUtils() {}

    /**
     * Where the client finds the cluster: MetaQ's {@code ZkUtils.ZKConfig}, with the same public fields
     * and defaults ({@code zkRoot=/meta}, 30 s session and connection timeouts, 5 s sync time). Mutable
     * configuration bean, read once when a session factory is created; not thread-safe.
     */
    public static class ZKConfig implements Serializable {
        private static final long serialVersionUID = 1L;

        public String zkRoot = ZnodeDescriptor.DEFAULT_ROOT;
        public boolean zkEnable = true;
        public String zkConnect;
        public int zkSessionTimeoutMs = 30_000;
        public int zkConnectionTimeoutMs = 30_000;
        public int zkSyncTimeMs = 5_000;

        public ZKConfig() {}

        public ZKConfig(String zkConnect) {
            this.zkConnect = zkConnect;
        }

        public ZKConfig(String zkConnect, int zkSessionTimeoutMs, int zkConnectionTimeoutMs, int zkSyncTimeMs) {
            this.zkConnect = zkConnect;
            this.zkSessionTimeoutMs = zkSessionTimeoutMs;
            this.zkConnectionTimeoutMs = zkConnectionTimeoutMs;
            this.zkSyncTimeMs = zkSyncTimeMs;
        }

        /** MetaQ's full constructor: root, connect string, the three timeouts, enabled. */
        public ZKConfig(
                String zkRoot,
                String zkConnect,
                int zkSessionTimeoutMs,
                int zkConnectionTimeoutMs,
                int zkSyncTimeMs,
                boolean zkEnable) {
            this(zkConnect, zkSessionTimeoutMs, zkConnectionTimeoutMs, zkSyncTimeMs);
            this.zkRoot = zkRoot;
            this.zkEnable = zkEnable;
        }

        public String getZkRoot() {
            return zkRoot;
        }

        public void setZkRoot(String zkRoot) {
            this.zkRoot = zkRoot;
        }

        public boolean isZkEnable() {
            return zkEnable;
        }

        public void setZkEnable(boolean zkEnable) {
            this.zkEnable = zkEnable;
        }

        public String getZkConnect() {
            return zkConnect;
        }

        public void setZkConnect(String zkConnect) {
            this.zkConnect = zkConnect;
        }

        public int getZkSessionTimeoutMs() {
            return zkSessionTimeoutMs;
        }

        public void setZkSessionTimeoutMs(int zkSessionTimeoutMs) {
            this.zkSessionTimeoutMs = zkSessionTimeoutMs;
        }

        public int getZkConnectionTimeoutMs() {
            return zkConnectionTimeoutMs;
        }

        public void setZkConnectionTimeoutMs(int zkConnectionTimeoutMs) {
            this.zkConnectionTimeoutMs = zkConnectionTimeoutMs;
        }

        public int getZkSyncTimeMs() {
            return zkSyncTimeMs;
        }

        public void setZkSyncTimeMs(int zkSyncTimeMs) {
            this.zkSyncTimeMs = zkSyncTimeMs;
        }

        @Override
        public String toString() {
            return "ZKConfig[zkConnect=" + zkConnect + ", zkRoot=" + zkRoot + ", zkEnable=" + zkEnable
                    + ", zkSessionTimeoutMs=" + zkSessionTimeoutMs + ", zkConnectionTimeoutMs=" + zkConnectionTimeoutMs
                    + ", zkSyncTimeMs=" + zkSyncTimeMs + "]";
        }
    }
}
