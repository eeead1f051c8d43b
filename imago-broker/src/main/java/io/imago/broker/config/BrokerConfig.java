package io.imago.broker.config;

import io.imago.protocol.Names;
import io.imago.store.retention.RetentionPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.zip.CRC32;

/**
 * An immutable, validated snapshot of a broker's configuration: MetaQ's {@code server.ini} (spec
 * section 5) with Imago's defaults. Build it with {@link #load(Path)} for a file or
 * {@link #standalone(Path)} for {@code bin/imago server} without a file; every key has been parsed and
 * checked when the factory returns, and any problem is a {@link ConfigException} that names the file,
 * section, key and value. Command-line overrides make a new snapshot ({@link #withOverrides}).
 *
 * <p>Topics: a topic is accepted when a {@code [topic=<name>]} section names it exactly or, failing
 * that, when the first wildcard section in file order matches it ({@link #resolve(String)}); a
 * standalone configuration accepts every topic. The per-topic values inherit from {@code [system]}.
 *
 * <p>{@link #rawBytes()} and {@link #checksumCrc32()} describe the source as read, for
 * {@code stats config} and the ZooKeeper {@code master_config_checksum} node; overrides do not change
 * them (except for the standalone configuration, whose text is regenerated). Thread-safe.
 */
public final class BrokerConfig {
    static final String STANDALONE_SOURCE = "built-in standalone configuration";
    /** The implicit section of a standalone broker: every topic, every value from [system]. */
    private static final TopicSection ANY_TOPIC = new TopicSection("*", Map.of(), Map.of());

    private final ConfigSource source;
    private final byte[] rawBytes;
    private final long checksumCrc32;
    private final Settings system;
    private final ZooKeeperConfig zooKeeper;
    private final Optional<Path> appClassPath;
    private final List<TopicSection> topicSections;
    private final boolean acceptsAnyTopic;

    BrokerConfig(
            ConfigSource source,
            byte[] rawBytes,
            Settings system,
            Settings zooKeeper,
            Optional<Path> appClassPath,
            List<TopicSection> topicSections,
            boolean acceptsAnyTopic) {
        this.source = source;
        this.rawBytes = rawBytes.clone();
        this.checksumCrc32 = crc32(rawBytes);
        this.system = system;
        this.zooKeeper = ZooKeeperConfig.from(zooKeeper);
        this.appClassPath = appClassPath;
        this.topicSections = List.copyOf(topicSections);
        this.acceptsAnyTopic = acceptsAnyTopic;
    }

    private BrokerConfig(BrokerConfig base, Settings system) {
        this.source = base.source;
        this.rawBytes = base.rawBytes;
        this.checksumCrc32 = base.checksumCrc32;
        this.system = system;
        this.zooKeeper = base.zooKeeper;
        this.appClassPath = base.appClassPath;
        this.topicSections = base.topicSections;
        this.acceptsAnyTopic = base.acceptsAnyTopic;
    }

    /** Reads and validates {@code file} in the running JVM's environment. */
    public static BrokerConfig load(Path file) {
        return load(file, ConfigEnvironment.system());
    }

    /** Reads and validates {@code file}; machine-dependent defaults come from {@code environment}. */
    public static BrokerConfig load(Path file, ConfigEnvironment environment) {
        return ConfigLoader.load(file, environment);
    }

    /**
     * The configuration of {@code bin/imago server} without a file (DESIGN.md "standalone default"):
     * broker id 0, host 127.0.0.1, port 8123, data under {@code dataDir}, group commit, ZooKeeper
     * enabled on 127.0.0.1:2181, and any topic accepted with {@code numPartitions} = 1 partition (as
     * MetaQ's sample configuration). Every other key has its default.
     */
    public static BrokerConfig standalone(Path dataDir) {
        return standalone(dataDir, ConfigKeys.DEFAULT_SERVER_PORT);
    }

    private static BrokerConfig standalone(Path dataDir, int serverPort) {
        String text = "; " + STANDALONE_SOURCE + " of `bin/imago server`: any topic is accepted\n"
                + "[" + ConfigKeys.SYSTEM_SECTION + "]\n"
                + ConfigKeys.BROKER_ID.name() + "=0\n"
                + ConfigKeys.HOST_NAME.name() + "=127.0.0.1\n"
                + ConfigKeys.SERVER_PORT.name() + "=" + serverPort + "\n"
                + ConfigKeys.NUM_PARTITIONS.name() + "=1\n"
                + ConfigKeys.DATA_PATH.name() + "=" + dataDir.toAbsolutePath().normalize() + "\n"
                + ConfigKeys.UNFLUSH_THRESHOLD.name() + "=0\n"
                + "[" + ConfigKeys.ZOOKEEPER_SECTION + "]\n"
                + ConfigKeys.ZK_ENABLE.name() + "=true\n"
                + ConfigKeys.ZK_CONNECT.name() + "=127.0.0.1:2181\n";
        return ConfigLoader.parse(
                ConfigSource.builtIn(STANDALONE_SOURCE),
                text.getBytes(StandardCharsets.UTF_8),
                ConfigEnvironment.system(),
                true);
    }

    /**
     * This configuration with the command line's {@code --data-dir} and {@code --port} applied. Topics
     * without their own {@code dataPath} follow the new data directory, and so does the transaction
     * journal when {@code dataLogPath} is unset.
     */
    public BrokerConfig withOverrides(Optional<Path> dataPath, OptionalInt serverPort) {
        if (isStandalone()) {
            int port = serverPort.isPresent() ? checkedPort(serverPort.getAsInt()) : serverPort();
            return standalone(dataPath.orElse(dataPath()), port);
        }
        Settings settings = system;
        if (dataPath.isPresent()) {
            settings = settings.with(
                    ConfigKeys.DATA_PATH, dataPath.get().toAbsolutePath().normalize());
        }
        if (serverPort.isPresent()) {
            settings = settings.with(ConfigKeys.SERVER_PORT, checkedPort(serverPort.getAsInt()));
        }
        return new BrokerConfig(this, settings);
    }

    private int checkedPort(int port) {
        try {
            return ConfigKeys.SERVER_PORT.parse(Integer.toString(port));
        } catch (IllegalArgumentException e) {
            ConfigException.Location at = ConfigException.Location.of(source);
            throw new ConfigException(
                    "Invalid --port " + port + ": " + e.getMessage(),
                    at,
                    ConfigKeys.SERVER_PORT.name(),
                    Integer.toString(port),
                    e);
        }
    }

    // ---- topics ---------------------------------------------------------------------------------

    /**
     * The configuration of {@code topic}, or empty when this broker does not accept it (the broker
     * answers {@code The server do not accept topic <topic>}). An exact section wins over wildcards;
     * among wildcards the first in file order wins; a standalone configuration accepts every topic
     * whose name is valid. A name that breaks {@link Names}' rule is never accepted, whatever the
     * sections say. Resolve a topic once, when it is first seen, and keep the result.
     */
    public Optional<TopicConfig> resolve(String topic) {
        Objects.requireNonNull(topic);
        if (!Names.isValidTopic(topic)) {
            return Optional.empty();
        }
        for (TopicSection section : topicSections) {
            if (!section.isWildcard() && section.accepts(topic)) {
                return Optional.of(section.resolve(topic, system));
            }
        }
        for (TopicSection section : topicSections) {
            if (section.isWildcard() && section.accepts(topic)) {
                return Optional.of(section.resolve(topic, system));
            }
        }
        if (acceptsAnyTopic) {
            return Optional.of(ANY_TOPIC.resolve(topic, system));
        }
        return Optional.empty();
    }

    /**
     * The names of the {@code [topic=...]} sections in file order, wildcard patterns included (MetaQ
     * registers a literal {@code t*} in ZooKeeper too, spec section 9). Empty for standalone.
     */
    public List<String> configuredTopics() {
        return topicSections.stream().map(TopicSection::name).toList();
    }

    /** Whether every topic is accepted (the standalone configuration). */
    public boolean acceptsAnyTopic() {
        return acceptsAnyTopic;
    }

    /** Whether this is {@link #standalone(Path)}'s built-in configuration rather than a file. */
    public boolean isStandalone() {
        return source.file().isEmpty() && acceptsAnyTopic;
    }

    // ---- source ---------------------------------------------------------------------------------

    /** The file this was loaded from (absolute); empty for the standalone configuration. */
    public Optional<Path> sourceFile() {
        return source.file();
    }

    /** The file path, or a description of the built-in configuration, for logs. */
    public String sourceName() {
        return source.displayName();
    }

    /** The bytes of the source as read (for {@code stats config}); a fresh copy. */
    public byte[] rawBytes() {
        return rawBytes.clone();
    }

    /** CRC32 of {@link #rawBytes()}, as MetaQ's {@code master_config_checksum} node holds it (decimal). */
    public long checksumCrc32() {
        return checksumCrc32;
    }

    /** The typed value of any {@code [system]} key, e.g. {@code value(ConfigKeys.QUARTZ_THREAD_COUNT)}. */
    public <T> T value(ConfigKey<T> systemKey) {
        return system.get(systemKey);
    }

    /** Whether {@code systemKey} was written (non-blank) in {@code [system]} or set by an override. */
    public boolean isSet(ConfigKey<?> systemKey) {
        return system.isSet(systemKey);
    }

    // ---- [system] -------------------------------------------------------------------------------

    public int brokerId() {
        return system.get(ConfigKeys.BROKER_ID);
    }

    /** The host published in ZooKeeper; when unset in the file, the first non-loopback IPv4 address. */
    public String hostName() {
        return system.get(ConfigKeys.HOST_NAME);
    }

    public int serverPort() {
        return system.get(ConfigKeys.SERVER_PORT);
    }

    public int dashboardHttpPort() {
        return system.get(ConfigKeys.DASHBOARD_HTTP_PORT);
    }

    /** Default partitions per topic ({@link TopicConfig#numPartitions()} is what a topic gets). */
    public int numPartitions() {
        return system.get(ConfigKeys.NUM_PARTITIONS);
    }

    /** The default data directory (absolute). */
    public Path dataPath() {
        return system.get(ConfigKeys.DATA_PATH);
    }

    /** The transaction journal's directory: {@code dataLogPath}, or {@link #dataPath()} when unset. */
    public Path dataLogPath() {
        return system.get(ConfigKeys.DATA_LOG_PATH).orElseGet(this::dataPath);
    }

    /** The directory of server-side filter classes, when configured or when {@code <config dir>/../provided} exists. */
    public Optional<Path> appClassPath() {
        return appClassPath;
    }

    public int unflushThreshold() {
        return system.get(ConfigKeys.UNFLUSH_THRESHOLD);
    }

    public int unflushIntervalMs() {
        return system.get(ConfigKeys.UNFLUSH_INTERVAL);
    }

    public int maxSegmentBytes() {
        return system.get(ConfigKeys.MAX_SEGMENT_SIZE);
    }

    public int maxTransferBytes() {
        return system.get(ConfigKeys.MAX_TRANSFER_SIZE);
    }

    /** New in Imago: the largest put body accepted. */
    public int maxMessageBytes() {
        return system.get(ConfigKeys.MAX_MESSAGE_SIZE);
    }

    /** New in Imago: the pace of the background scrub in bytes per second; 0 = no scrub. */
    public long scrubBytesPerSecond() {
        return system.get(ConfigKeys.SCRUB_BYTES_PER_SECOND);
    }

    /** New in Imago: milliseconds between two scrub passes. */
    public long scrubIntervalMs() {
        return system.get(ConfigKeys.SCRUB_INTERVAL);
    }

    /** New in Imago: writer threads per data directory ({@link io.imago.store.LogThreads}). */
    public int logWriterThreads() {
        return system.get(ConfigKeys.LOG_WRITER_THREADS);
    }

    /** New in Imago: most bytes of direct write buffers per data directory. */
    public long logBufferBytes() {
        return system.get(ConfigKeys.LOG_BUFFER_BYTES);
    }

    public int getProcessThreadCount() {
        return system.get(ConfigKeys.GET_PROCESS_THREAD_COUNT);
    }

    public int putProcessThreadCount() {
        return system.get(ConfigKeys.PUT_PROCESS_THREAD_COUNT);
    }

    public RetentionPolicy deletePolicy() {
        return system.get(ConfigKeys.DELETE_POLICY);
    }

    /** A valid Quartz cron expression. */
    public String deleteWhen() {
        return system.get(ConfigKeys.DELETE_WHEN);
    }

    public int quartzThreadCount() {
        return system.get(ConfigKeys.QUARTZ_THREAD_COUNT);
    }

    public int maxCheckpoints() {
        return system.get(ConfigKeys.MAX_CHECKPOINTS);
    }

    public long checkpointIntervalMs() {
        return system.get(ConfigKeys.CHECKPOINT_INTERVAL);
    }

    public int maxTxTimeoutTimerCapacity() {
        return system.get(ConfigKeys.MAX_TX_TIMEOUT_TIMER_CAPACITY);
    }

    public int maxTxTimeoutSeconds() {
        return system.get(ConfigKeys.MAX_TX_TIMEOUT_IN_SECONDS);
    }

    /** 0 = the OS decides, 1 = fsync at every commit, rollback and prepare, 2 = fsync once a second. */
    public int flushTxLogAtCommit() {
        return system.get(ConfigKeys.FLUSH_TX_LOG_AT_COMMIT);
    }

    /** The {@code [system]} default for topics. */
    public boolean acceptsPublish() {
        return system.get(ConfigKeys.ACCEPT_PUBLISH);
    }

    /** The {@code [system]} default for topics. */
    public boolean acceptsSubscribe() {
        return system.get(ConfigKeys.ACCEPT_SUBSCRIBE);
    }

    /** The {@code [system]} default for topics. */
    public boolean collectsStats() {
        return system.get(ConfigKeys.STAT);
    }

    /** A get beyond the max offset answers 301 with the max offset instead of 404. */
    public boolean updatesConsumerOffsets() {
        return system.get(ConfigKeys.UPDATE_CONSUMER_OFFSETS);
    }

    public boolean loadsStoresInParallel() {
        return system.get(ConfigKeys.LOAD_MESSAGE_STORES_IN_PARALLEL);
    }

    public ZooKeeperConfig zooKeeper() {
        return zooKeeper;
    }

    @Override
    public String toString() {
        return "BrokerConfig[" + sourceName() + ", brokerId=" + brokerId() + ", " + hostName() + ":" + serverPort()
                + ", dataPath=" + dataPath() + ", unflushThreshold=" + unflushThreshold()
                + ", topics=" + (acceptsAnyTopic ? "any" : configuredTopics()) + ", zk=" + zooKeeper + "]";
    }

    private static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
