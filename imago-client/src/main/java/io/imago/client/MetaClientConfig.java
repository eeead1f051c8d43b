package io.imago.client;

import io.imago.utils.ZkUtils.ZKConfig;
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
    private String recoverDirectory =
            Path.of(System.getProperty("user.home"), ".meta_recover").toString();
    private Properties partitionsInfo;
    private boolean putBatchEnabled = true;
    private int putBatchMaxBytes = DEFAULT_PUT_BATCH_MAX_BYTES;
    private int putBatchMaxInFlight = DEFAULT_PUT_BATCH_MAX_IN_FLIGHT;
    private int putBatchBufferBytes = DEFAULT_PUT_BATCH_BUFFER_BYTES;

    /** Default of {@link #setPutBatchMaxBytes}: 256 KiB. */
    public static final int DEFAULT_PUT_BATCH_MAX_BYTES = 256 * 1024;
    /** Default of {@link #setPutBatchMaxInFlight}. */
    public static final int DEFAULT_PUT_BATCH_MAX_IN_FLIGHT = 4;
    /** Default of {@link #setPutBatchBufferBytes}: 32 MiB. */
    public static final int DEFAULT_PUT_BATCH_BUFFER_BYTES = 32 * 1024 * 1024;

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

    public String getZkConnect() {
        return zkConfig.zkConnect;
    }

    public void setZkConnect(String zkConnect) {
        zkConfig.zkConnect = zkConnect;
    }

    public String getZkRoot() {
        return zkConfig.zkRoot;
    }

    public int getZkSessionTimeoutMs() {
        return zkConfig.zkSessionTimeoutMs;
    }

    public int getZkConnectionTimeoutMs() {
        return zkConfig.zkConnectionTimeoutMs;
    }

    public int getZkSyncTimeMs() {
        return zkConfig.zkSyncTimeMs;
    }

    public boolean isZkEnable() {
        return zkConfig.zkEnable;
    }

    public void setZkEnable(boolean zkEnable) {
        zkConfig.zkEnable = zkEnable;
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

    /**
     * Whether producers batch sends to Imago brokers that announce the {@code putb} extension
     * (default {@code true}; see docs/client.md). Brokers that do not (the original MetaQ broker)
     * always get single puts, whatever this says.
     */
    public boolean isPutBatchEnabled() {
        return putBatchEnabled;
    }

    public void setPutBatchEnabled(boolean putBatchEnabled) {
        this.putBatchEnabled = putBatchEnabled;
    }

    /**
     * Most body bytes in one batch (each message takes its encoded payload plus 12 bytes); a message
     * bigger than this is sent alone with a single put.
     */
    public int getPutBatchMaxBytes() {
        return putBatchMaxBytes;
    }

    public void setPutBatchMaxBytes(int putBatchMaxBytes) {
        if (putBatchMaxBytes < 64) {
            throw new IllegalArgumentException("putBatchMaxBytes must be at least 64, was " + putBatchMaxBytes);
        }
        this.putBatchMaxBytes = putBatchMaxBytes;
    }

    /**
     * Batches of one producer in flight to one partition at a time. No linger: a send goes out at once
     * when fewer are in flight; otherwise it waits in the next batch, which leaves when one completes.
     */
    public int getPutBatchMaxInFlight() {
        return putBatchMaxInFlight;
    }

    public void setPutBatchMaxInFlight(int putBatchMaxInFlight) {
        if (putBatchMaxInFlight < 1) {
            throw new IllegalArgumentException("putBatchMaxInFlight must be at least 1, was " + putBatchMaxInFlight);
        }
        this.putBatchMaxInFlight = putBatchMaxInFlight;
    }

    /**
     * Most bytes of one producer's sends not yet acknowledged, batched messages and single puts alike (a
     * single put bigger than this takes all of it); a send beyond it waits (up to its timeout) for room,
     * then fails with {@link io.imago.exception.MessageNotSentException}.
     */
    public int getPutBatchBufferBytes() {
        return putBatchBufferBytes;
    }

    public void setPutBatchBufferBytes(int putBatchBufferBytes) {
        if (putBatchBufferBytes < 1) {
            throw new IllegalArgumentException("putBatchBufferBytes must be positive, was " + putBatchBufferBytes);
        }
        this.putBatchBufferBytes = putBatchBufferBytes;
    }
}
