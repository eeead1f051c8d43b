package io.imago.client;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Configuration of a {@link MessageSessionFactory}, as MetaQ's {@code MetaClientConfig}: either
 * ZooKeeper discovery ({@link #setZkConfig}, or the {@code setZk...} shortcuts) or direct mode with a
 * fixed {@code serverUrl} ({@code meta://host:port}) and no ZooKeeper. Mutable bean, read when the
 * factory is created; not thread-safe.
 */
public class MetaClientConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private String serverUrl;
    private ZKConfig zkConfig = new ZKConfig();
    private long recoverMessageIntervalInMills = 300_000;
    private int recoverThreadCount = Runtime.getRuntime().availableProcessors();
    private String recoverDirectory = Path.of(System.getProperty("user.home"), ".meta_recover").toString();
    private Properties partitionsInfo;

    /** Direct mode: {@code meta://host:port} of the one broker to use, without ZooKeeper. */
    public String getServerUrl() {
        return serverUrl;
    }

    public void setServerUrl(String serverUrl) {
        this.serverUrl = serverUrl;
    }

    public ZKConfig getZkConfig() {
        return zkConfig;
    }

    public void setZkConfig(ZKConfig zkConfig) {
        this.zkConfig = zkConfig;
    }

    public void setZkConnect(String zkConnect) {
        zkConfig.zkConnect = zkConnect;
    }

    public void setZkRoot(String zkRoot) {
        zkConfig.zkRoot = zkRoot;
    }

    public void setZkSessionTimeoutMs(int ms) {
        zkConfig.zkSessionTimeoutMs = ms;
    }

    public void setZkConnectionTimeoutMs(int ms) {
        zkConfig.zkConnectionTimeoutMs = ms;
    }

    public void setZkSyncTimeMs(int ms) {
        zkConfig.zkSyncTimeMs = ms;
    }

    /** How often the local recover store is redelivered (default 5 minutes). */
    public long getRecoverMessageIntervalInMills() {
        return recoverMessageIntervalInMills;
    }

    public void setRecoverMessageIntervalInMills(long ms) {
        this.recoverMessageIntervalInMills = ms;
    }

    public int getRecoverThreadCount() {
        return recoverThreadCount;
    }

    public void setRecoverThreadCount(int recoverThreadCount) {
        this.recoverThreadCount = recoverThreadCount;
    }

    /**
     * Directory of the local recover store: one file per {@code topic@group} holding the messages a
     * listener failed on more than {@code maxFetchRetries} times (default {@code ~/.meta_recover},
     * as MetaQ's {@code meta.recover.path}).
     */
    public String getRecoverDirectory() {
        return recoverDirectory;
    }

    public void setRecoverDirectory(String recoverDirectory) {
        this.recoverDirectory = recoverDirectory;
    }

    /**
     * The ordered producer's view of every topic's partitions, available or not, as MetaQ's
     * {@code partitionsInfo}: {@code topic.num.<topic>=<brokerId>:<count>;<brokerId>:<count>}. Null when
     * not set (the ordered producer then chooses among the partitions published right now).
     */
    public Properties getPartitionsInfo() {
        return partitionsInfo;
    }

    public void setPartitionsInfo(Properties partitionsInfo) {
        this.partitionsInfo = partitionsInfo;
    }
}
