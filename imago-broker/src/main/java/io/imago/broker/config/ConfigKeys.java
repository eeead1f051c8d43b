package io.imago.broker.config;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import io.imago.protocol.zk.ZnodeDescriptor;
import io.imago.store.LogThreads;
import io.imago.store.retention.RetentionPolicy;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The catalogue of every {@code server.ini} key: MetaQ 1.4.6.2's keys (spec sections 5.1 to 5.3) with
 * their defaults, plus Imago's new {@code maxMessageSize}. Each key has a name, a default constant, a
 * validator and a line of documentation; {@code docs/configuration.md} and the shipped
 * {@code conf/server.ini} explain each one at length (a test checks that both mention every key).
 *
 * <p>Where MetaQ required a key, the default is the value of MetaQ's shipped sample, except
 * {@code unflushThreshold}, whose default 0 selects group commit (DESIGN.md difference 1).
 * Stateless and thread-safe.
 */
public final class ConfigKeys {
    public static final String SYSTEM_SECTION = "system";
    public static final String ZOOKEEPER_SECTION = "zookeeper";
    /** A topic section is {@code [topic=<name>]}; the name may contain {@code *} wildcards. */
    public static final String TOPIC_SECTION_PREFIX = "topic=";
    /** In a topic section, {@code group.<consumerGroup>=<filter class>} names a server-side filter. */
    public static final String GROUP_FILTER_PREFIX = "group.";

    public static final int DEFAULT_BROKER_ID = 0;
    public static final int MAX_BROKER_ID = 1023;
    public static final int DEFAULT_SERVER_PORT = 8123;
    public static final int DEFAULT_DASHBOARD_HTTP_PORT = 8120;
    public static final int DEFAULT_NUM_PARTITIONS = 1;
    public static final String DEFAULT_DATA_DIRECTORY_NAME = "meta";
    public static final int DEFAULT_UNFLUSH_THRESHOLD = 0;
    public static final int DEFAULT_UNFLUSH_INTERVAL_MS = 10_000;
    public static final int DEFAULT_MAX_SEGMENT_BYTES = 1024 * 1024 * 1024;
    public static final int DEFAULT_MAX_TRANSFER_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
    public static final long DEFAULT_SCRUB_BYTES_PER_SECOND = 16L * 1024 * 1024;
    public static final long DEFAULT_SCRUB_INTERVAL_MS = 3_600_000L;
    public static final int DEFAULT_THREADS_PER_PROCESSOR = 10;
    public static final String DEFAULT_DELETE_WHEN = "0 0 6,18 * * ?";
    public static final int DEFAULT_QUARTZ_THREAD_COUNT = 5;
    public static final int DEFAULT_MAX_CHECKPOINTS = 3;
    public static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 3_600_000L;
    public static final int DEFAULT_MAX_TX_TIMEOUT_TIMER_CAPACITY = 30_000;
    public static final int DEFAULT_MAX_TX_TIMEOUT_SECONDS = 60;
    public static final int DEFAULT_FLUSH_TX_LOG_AT_COMMIT = 1;
    public static final boolean DEFAULT_ACCEPT_PUBLISH = true;
    public static final boolean DEFAULT_ACCEPT_SUBSCRIBE = true;
    public static final boolean DEFAULT_STAT = false;
    public static final boolean DEFAULT_UPDATE_CONSUMER_OFFSETS = false;
    public static final boolean DEFAULT_LOAD_MESSAGE_STORES_IN_PARALLEL = false;
    public static final boolean DEFAULT_ZK_ENABLE = true;
    public static final String DEFAULT_ZK_CONNECT = "127.0.0.1:2181";
    public static final String DEFAULT_ZK_ROOT = ZnodeDescriptor.DEFAULT_ROOT;
    public static final int DEFAULT_ZK_SESSION_TIMEOUT_MS = 30_000;
    public static final int DEFAULT_ZK_CONNECTION_TIMEOUT_MS = 30_000;
    public static final int DEFAULT_ZK_SYNC_TIME_MS = 5_000;

    private static final int MAX = Integer.MAX_VALUE;
    private static final int MAX_PORT = 65_535;

    // ---- [system] -------------------------------------------------------------------------------
    public static final ConfigKey<Integer> BROKER_ID = ConfigKey.intKey(
            "brokerId",
            DEFAULT_BROKER_ID,
            0,
            MAX_BROKER_ID,
            "Broker id, unique in the cluster; also the worker id inside message ids (0..1023).");
    public static final ConfigKey<String> HOST_NAME = ConfigKey.of(
            "hostName",
            env -> env.localHostAddress().get(),
            ConfigKeys::parseHostName,
            "Host published in ZooKeeper as meta://host:port; unset = first non-loopback IPv4.");
    public static final ConfigKey<Integer> SERVER_PORT = ConfigKey.intKey(
            "serverPort",
            DEFAULT_SERVER_PORT,
            0,
            MAX_PORT,
            "TCP port of the MetaQ protocol (0 = any free port, for tests).");
    public static final ConfigKey<Integer> DASHBOARD_HTTP_PORT = ConfigKey.intKey(
            "dashboardHttpPort",
            DEFAULT_DASHBOARD_HTTP_PORT,
            0,
            MAX_PORT,
            "HTTP port of the dashboard, metrics, health and HTTP protocol.");
    public static final ConfigKey<Integer> NUM_PARTITIONS = ConfigKey.intKey(
            "numPartitions",
            DEFAULT_NUM_PARTITIONS,
            1,
            MAX,
            "Partitions of a topic on this broker, unless its topic section says otherwise.");
    public static final ConfigKey<Path> DATA_PATH = ConfigKey.of(
            "dataPath",
            env -> env.userHome()
                    .resolve(DEFAULT_DATA_DIRECTORY_NAME)
                    .toAbsolutePath()
                    .normalize(),
            ConfigKeys::parsePath,
            "Directory holding one <topic>-<partition> directory per partition.");
    public static final ConfigKey<Optional<Path>> DATA_LOG_PATH = ConfigKey.of(
            "dataLogPath",
            env -> Optional.empty(),
            text -> Optional.of(parsePath(text)),
            "Directory of the transaction journal; unset = dataPath.");
    public static final ConfigKey<Optional<Path>> APP_CLASS_PATH = ConfigKey.of(
            "appClassPath",
            env -> Optional.empty(),
            text -> Optional.of(parsePath(text)),
            "Directory (and its *.jar) of server-side filter classes; unset = <config dir>/../provided if it exists.");
    public static final ConfigKey<Integer> UNFLUSH_THRESHOLD = ConfigKey.intKey(
            "unflushThreshold",
            DEFAULT_UNFLUSH_THRESHOLD,
            Integer.MIN_VALUE,
            MAX,
            "<= 0: group commit (a put is acked after fsync); N > 0: fsync after N unflushed messages.");
    public static final ConfigKey<Integer> UNFLUSH_INTERVAL = ConfigKey.intKey(
            "unflushInterval",
            DEFAULT_UNFLUSH_INTERVAL_MS,
            1,
            MAX,
            "With unflushThreshold > 0: milliseconds between forced fsyncs.");
    public static final ConfigKey<Integer> MAX_SEGMENT_SIZE = ConfigKey.intKey(
            "maxSegmentSize",
            DEFAULT_MAX_SEGMENT_BYTES,
            1,
            MAX,
            "Bytes after which a segment file is sealed and a new one started.");
    public static final ConfigKey<Integer> MAX_TRANSFER_SIZE = ConfigKey.intKey(
            "maxTransferSize", DEFAULT_MAX_TRANSFER_BYTES, 1, MAX, "Most bytes one get answer carries.");
    public static final ConfigKey<Integer> MAX_MESSAGE_SIZE = ConfigKey.intKey(
            "maxMessageSize",
            DEFAULT_MAX_MESSAGE_BYTES,
            1,
            MAX,
            "New in Imago: a put whose body is larger is refused (result 500).");
    public static final ConfigKey<Long> SCRUB_BYTES_PER_SECOND = ConfigKey.longKey(
            "scrubBytesPerSecond",
            DEFAULT_SCRUB_BYTES_PER_SECOND,
            0,
            Long.MAX_VALUE,
            "New in Imago: pace of the background scrub of sealed segments in bytes/s; 0 = no scrub.");
    public static final ConfigKey<Long> SCRUB_INTERVAL = ConfigKey.longKey(
            "scrubInterval",
            DEFAULT_SCRUB_INTERVAL_MS,
            1,
            Long.MAX_VALUE,
            "New in Imago: milliseconds between the end of one scrub pass and the start of the next.");
    public static final ConfigKey<Integer> LOG_WRITER_THREADS = ConfigKey.intKey(
            "logWriterThreads",
            LogThreads.DEFAULT_WRITER_THREADS,
            1,
            1024,
            "New in Imago: writer threads per data directory, shared by all its partitions (they write,"
                    + " fsync and acknowledge puts).");
    public static final ConfigKey<Long> LOG_BUFFER_BYTES = ConfigKey.longKey(
            "logBufferBytes",
            LogThreads.DEFAULT_MAX_BUFFER_BYTES,
            1,
            Long.MAX_VALUE,
            "New in Imago: most bytes of direct write buffers per data directory; beyond, puts are"
                    + " buffered on the heap.");
    public static final ConfigKey<Integer> GET_PROCESS_THREAD_COUNT = ConfigKey.intKey(
            "getProcessThreadCount",
            env -> DEFAULT_THREADS_PER_PROCESSOR * env.availableProcessors(),
            1,
            MAX,
            "Threads serving get and offset; default 10 per processor.");
    public static final ConfigKey<Integer> PUT_PROCESS_THREAD_COUNT = ConfigKey.intKey(
            "putProcessThreadCount",
            env -> DEFAULT_THREADS_PER_PROCESSOR * env.availableProcessors(),
            1,
            MAX,
            "Threads serving put and transaction; default 10 per processor.");
    public static final ConfigKey<RetentionPolicy> DELETE_POLICY = ConfigKey.of(
            "deletePolicy",
            env -> RetentionPolicy.parse(RetentionPolicy.DEFAULT),
            RetentionPolicy::parse,
            "Retention of sealed segments: delete,<age> or archive,<age>[,<compress>].");
    public static final ConfigKey<String> DELETE_WHEN = ConfigKey.of(
            "deleteWhen",
            env -> DEFAULT_DELETE_WHEN,
            ConfigKeys::parseQuartzCron,
            "Quartz cron expression (seconds first) of the retention runs.");
    public static final ConfigKey<Integer> QUARTZ_THREAD_COUNT = ConfigKey.intKey(
            "quartzThreadCount", DEFAULT_QUARTZ_THREAD_COUNT, 1, MAX, "Threads running retention jobs.");
    public static final ConfigKey<Integer> MAX_CHECKPOINTS = ConfigKey.intKey(
            "maxCheckpoints", DEFAULT_MAX_CHECKPOINTS, 1, MAX, "Transaction journal checkpoints kept.");
    public static final ConfigKey<Long> CHECKPOINT_INTERVAL = ConfigKey.longKey(
            "checkpointInterval",
            DEFAULT_CHECKPOINT_INTERVAL_MS,
            1,
            Long.MAX_VALUE,
            "Milliseconds between transaction journal checkpoints.");
    public static final ConfigKey<Integer> MAX_TX_TIMEOUT_TIMER_CAPACITY = ConfigKey.intKey(
            "maxTxTimeoutTimerCapacity",
            DEFAULT_MAX_TX_TIMEOUT_TIMER_CAPACITY,
            1,
            MAX,
            "Most transaction timeout timers pending at once.");
    public static final ConfigKey<Integer> MAX_TX_TIMEOUT_IN_SECONDS = ConfigKey.intKey(
            "maxTxTimeoutInSeconds",
            DEFAULT_MAX_TX_TIMEOUT_SECONDS,
            1,
            MAX,
            "Cap on the timeout a client may ask for a transaction.");
    public static final ConfigKey<Integer> FLUSH_TX_LOG_AT_COMMIT = ConfigKey.intKey(
            "flushTxLogAtCommit",
            DEFAULT_FLUSH_TX_LOG_AT_COMMIT,
            0,
            2,
            "Transaction journal fsync: 0 = left to the OS, 1 = at every commit/rollback/prepare, 2 = once a second.");
    public static final ConfigKey<Boolean> ACCEPT_PUBLISH = ConfigKey.booleanKey(
            "acceptPublish",
            DEFAULT_ACCEPT_PUBLISH,
            "Topics accept puts and are published under topics-pub in ZooKeeper; false = put answers 403.");
    public static final ConfigKey<Boolean> ACCEPT_SUBSCRIBE = ConfigKey.booleanKey(
            "acceptSubscribe",
            DEFAULT_ACCEPT_SUBSCRIBE,
            "Topics are published under topics-sub in ZooKeeper, so consumers find them.");
    public static final ConfigKey<Boolean> STAT = ConfigKey.booleanKey(
            "stat", DEFAULT_STAT, "Collect realtime per-topic statistics (stats realtime / stats <topic>).");
    public static final ConfigKey<Boolean> UPDATE_CONSUMER_OFFSETS = ConfigKey.booleanKey(
            "updateConsumerOffsets",
            DEFAULT_UPDATE_CONSUMER_OFFSETS,
            "A get beyond the end answers 301 with the max offset instead of 404.");
    public static final ConfigKey<Boolean> LOAD_MESSAGE_STORES_IN_PARALLEL = ConfigKey.booleanKey(
            "loadMessageStoresInParallel",
            DEFAULT_LOAD_MESSAGE_STORES_IN_PARALLEL,
            "Load (and recover) partitions on several threads at startup.");

    // ---- [zookeeper] ----------------------------------------------------------------------------
    public static final ConfigKey<Boolean> ZK_ENABLE = ConfigKey.booleanKey(
            "zk.zkEnable",
            DEFAULT_ZK_ENABLE,
            "Register the broker and its topics in ZooKeeper; false = clients cannot discover it.");
    public static final ConfigKey<String> ZK_CONNECT = ConfigKey.of(
            "zk.zkConnect",
            env -> DEFAULT_ZK_CONNECT,
            ConfigKeys::parseZkConnect,
            "ZooKeeper connect string host:port[,host:port...][/chroot].");
    public static final ConfigKey<String> ZK_ROOT = ConfigKey.of(
            "zk.zkRoot", env -> DEFAULT_ZK_ROOT, ConfigKeys::parseZkRoot, "Root znode of the MetaQ layout.");
    public static final ConfigKey<Integer> ZK_SESSION_TIMEOUT_MS = ConfigKey.intKey(
            "zk.zkSessionTimeoutMs",
            DEFAULT_ZK_SESSION_TIMEOUT_MS,
            1,
            MAX,
            "ZooKeeper session timeout in milliseconds.");
    public static final ConfigKey<Integer> ZK_CONNECTION_TIMEOUT_MS = ConfigKey.intKey(
            "zk.zkConnectionTimeoutMs",
            DEFAULT_ZK_CONNECTION_TIMEOUT_MS,
            1,
            MAX,
            "Milliseconds to wait for the first ZooKeeper connection.");
    public static final ConfigKey<Integer> ZK_SYNC_TIME_MS = ConfigKey.intKey(
            "zk.zkSyncTimeMs",
            DEFAULT_ZK_SYNC_TIME_MS,
            0,
            MAX,
            "Milliseconds of grace for ZooKeeper followers to catch up (retry sleep, shutdown grace).");

    /** Every key of {@code [system]}, in the order of the documentation. */
    public static final List<ConfigKey<?>> SYSTEM = List.of(
            BROKER_ID,
            HOST_NAME,
            SERVER_PORT,
            DASHBOARD_HTTP_PORT,
            NUM_PARTITIONS,
            DATA_PATH,
            DATA_LOG_PATH,
            APP_CLASS_PATH,
            UNFLUSH_THRESHOLD,
            UNFLUSH_INTERVAL,
            MAX_SEGMENT_SIZE,
            MAX_TRANSFER_SIZE,
            MAX_MESSAGE_SIZE,
            SCRUB_BYTES_PER_SECOND,
            SCRUB_INTERVAL,
            LOG_WRITER_THREADS,
            LOG_BUFFER_BYTES,
            GET_PROCESS_THREAD_COUNT,
            PUT_PROCESS_THREAD_COUNT,
            DELETE_POLICY,
            DELETE_WHEN,
            QUARTZ_THREAD_COUNT,
            MAX_CHECKPOINTS,
            CHECKPOINT_INTERVAL,
            MAX_TX_TIMEOUT_TIMER_CAPACITY,
            MAX_TX_TIMEOUT_IN_SECONDS,
            FLUSH_TX_LOG_AT_COMMIT,
            ACCEPT_PUBLISH,
            ACCEPT_SUBSCRIBE,
            STAT,
            UPDATE_CONSUMER_OFFSETS,
            LOAD_MESSAGE_STORES_IN_PARALLEL);

    /** Every key of {@code [zookeeper]}. */
    public static final List<ConfigKey<?>> ZOOKEEPER =
            List.of(ZK_ENABLE, ZK_CONNECT, ZK_ROOT, ZK_SESSION_TIMEOUT_MS, ZK_CONNECTION_TIMEOUT_MS, ZK_SYNC_TIME_MS);

    /**
     * The keys a {@code [topic=...]} section may set (besides {@code group.<g>} filters); each inherits
     * the {@code [system]} value when absent or blank.
     */
    public static final List<ConfigKey<?>> TOPIC = List.of(
            NUM_PARTITIONS,
            UNFLUSH_THRESHOLD,
            UNFLUSH_INTERVAL,
            DATA_PATH,
            DELETE_POLICY,
            DELETE_WHEN,
            ACCEPT_PUBLISH,
            ACCEPT_SUBSCRIBE,
            STAT);

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\-\\[\\]%]+");
    private static final Pattern ZK_HOST_PORT = Pattern.compile("[A-Za-z0-9._\\-]+(:\\d{1,5})?");
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

    private ConfigKeys() {}

    static String parseHostName(String text) {
        if (!HOST.matcher(text).matches()) {
            throw new IllegalArgumentException("not a host name or IP address");
        }
        return text;
    }

    /**
     * A directory path, made absolute against the working directory (as MetaQ does). Refused: text with
     * control characters, text that is not a path on this file system, and a path that exists but is
     * not a directory.
     */
    static Path parsePath(String text) {
        if (text.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("not a valid path (it contains a control character)");
        }
        Path path;
        try {
            path = Path.of(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a valid path (" + e.getReason() + ")", e);
        }
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new IllegalArgumentException("not a directory (" + path + " exists and is a file)");
        }
        return path;
    }

    /** Validates with cron-utils' Quartz definition (6 or 7 fields, seconds first); returns the text. */
    static String parseQuartzCron(String text) {
        CronParser parser = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));
        try {
            parser.parse(text).validate();
            return text;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a Quartz cron expression (" + e.getMessage() + ")", e);
        }
    }

    static String parseZkConnect(String text) {
        int slash = text.indexOf('/');
        if (slash >= 0) {
            parseZkRoot(text.substring(slash));
        }
        for (String hostPort : (slash < 0 ? text : text.substring(0, slash)).split(",", -1)) {
            String trimmed = hostPort.trim();
            if (!ZK_HOST_PORT.matcher(trimmed).matches()) {
                throw new IllegalArgumentException("'" + hostPort + "' is not host or host:port");
            }
            int colon = trimmed.indexOf(':');
            if (colon >= 0 && Integer.parseInt(trimmed.substring(colon + 1)) > MAX_PORT) {
                throw new IllegalArgumentException("port of '" + trimmed + "' is above 65535");
            }
        }
        return text;
    }

    static String parseZkRoot(String text) {
        if (text.length() < 2 || !text.startsWith("/") || text.endsWith("/") || text.contains("//")) {
            throw new IllegalArgumentException("must be an absolute znode path below / such as /meta");
        }
        return text;
    }

    /** A {@code group.<g>} value: a fully qualified Java class name. */
    static String parseFilterClass(String text) {
        if (!CLASS_NAME.matcher(text).matches()) {
            throw new IllegalArgumentException("not a fully qualified Java class name");
        }
        return text;
    }
}
