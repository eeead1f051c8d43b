package io.imago.client.consumer;

import io.imago.client.MetaClientConfig;
import io.imago.protocol.Names;

/**
 * Configuration of a consumer, with MetaQ 1.4.6.2's fields and defaults (spec section 6.1). The group
 * is required and follows {@link Names}' rule (MetaQ refused {@code ~!#$%^&*()+=`'",;/?[]<>.:} and
 * spaces; Imago also refuses every other character but ASCII letters, digits, {@code _} and {@code -}). Mutable bean, read
 * when the consumer is created; not thread-safe.
 */
public class ConsumerConfig extends MetaClientConfig {
    private static final long serialVersionUID = 1L;
    /** Imago: the default of {@link #getMaxListenerTimeInMills()}, 5 minutes. */
    public static final long DEFAULT_MAX_LISTENER_TIME_IN_MILLS = 300_000;
    /** Imago: the default of {@link #getShutdownTimeoutInMills()}, 30 seconds. */
    public static final long DEFAULT_SHUTDOWN_TIMEOUT_IN_MILLS = 30_000;

    private String group;
    private String consumerId;
    private int fetchRunnerCount = Runtime.getRuntime().availableProcessors();
    private long fetchTimeoutInMills = 10_000;
    private long maxDelayFetchTimeInMills = 5_000;
    private long maxDelayFetchTimeWhenExceptionInMills = 10_000;
    private int longPollMaxWaitInMills = 1_000;
    /** Not serialised: a hook lives in the application that set it. */
    private transient CorruptRecordHandler corruptRecordHandler;

    private long offset;
    private boolean alwaysConsumeFromMaxOffset;
    private long commitOffsetPeriodInMills = 5_000;
    private int maxFetchRetries = 5;
    private int maxIncreaseFetchDataRetries = 5;
    private String partition;
    private LoadBalanceStrategy.Type loadBalanceStrategyType = LoadBalanceStrategy.Type.DEFAULT;
    private long maxListenerTimeInMills = DEFAULT_MAX_LISTENER_TIME_IN_MILLS;
    private long shutdownTimeoutInMills = DEFAULT_SHUTDOWN_TIMEOUT_IN_MILLS;

    public ConsumerConfig() {}

    public ConsumerConfig(String group) {
        this.group = group;
    }

    /** MetaQ's constructor with an explicit consumer id (otherwise generated as {@code <group>_<host>-<time>...}). */
    public ConsumerConfig(String consumerId, String group) {
        this.consumerId = consumerId;
        this.group = group;
    }

    /**
     * Checks the group name against the naming rule of topics and groups ({@link Names}: ASCII letters,
     * digits, {@code _} and {@code -}, at most 249 characters), and a consumer id, when one is set,
     * against ZooKeeper's rule for node names.
     *
     * @throws IllegalArgumentException ({@link io.imago.protocol.InvalidNameException} for the group)
     *     naming the offending name and character
     */
    public void validate() {
        if (group == null || group.isEmpty()) {
            throw new IllegalArgumentException("consumer group is required");
        }
        Names.checkGroup(group);
        if (consumerId != null) {
            Names.zooKeeperNodeProblem(consumerId).ifPresent(problem -> {
                throw new IllegalArgumentException(
                        "invalid consumer id '" + Names.printable(consumerId) + "': " + problem);
            });
        }
    }

    public String getGroup() {
        return group;
    }

    public void setGroup(String group) {
        this.group = group;
    }

    public String getConsumerId() {
        return consumerId;
    }

    public void setConsumerId(String consumerId) {
        this.consumerId = consumerId;
    }

    public int getFetchRunnerCount() {
        return fetchRunnerCount;
    }

    public void setFetchRunnerCount(int fetchRunnerCount) {
        this.fetchRunnerCount = fetchRunnerCount;
    }

    public long getFetchTimeoutInMills() {
        return fetchTimeoutInMills;
    }

    public void setFetchTimeoutInMills(long fetchTimeoutInMills) {
        this.fetchTimeoutInMills = fetchTimeoutInMills;
    }

    /**
     * Deprecated in MetaQ and without effect there since 1.4: kept so that MetaQ configurations compile; Imago
     * backs off after a failed fetch as after an empty one ({@link #getMaxDelayFetchTimeInMills()}).
     */
    @Deprecated
    public long getMaxDelayFetchTimeWhenExceptionInMills() {
        return maxDelayFetchTimeWhenExceptionInMills;
    }

    /** See {@link #getMaxDelayFetchTimeWhenExceptionInMills()}: stored, not used. */
    @Deprecated
    public void setMaxDelayFetchTimeWhenExceptionInMills(long ms) {
        this.maxDelayFetchTimeWhenExceptionInMills = ms;
    }

    public long getMaxDelayFetchTimeInMills() {
        return maxDelayFetchTimeInMills;
    }

    public void setMaxDelayFetchTimeInMills(long maxDelayFetchTimeInMills) {
        this.maxDelayFetchTimeInMills = maxDelayFetchTimeInMills;
    }

    /** Where a group that has no stored position in a partition starts (default 0). */
    /**
     * Imago extension: how long an Imago broker may hold a fetch at the end of a partition, waiting for
     * the next message, instead of answering "nothing new" at once (default 1,000 ms; 0 turns long
     * polling off). Used only with brokers that announce it; the original broker never sees it.
     */
    public int getLongPollMaxWaitInMills() {
        return longPollMaxWaitInMills;
    }

    public void setLongPollMaxWaitInMills(int longPollMaxWaitInMills) {
        if (longPollMaxWaitInMills < 0) {
            throw new IllegalArgumentException(
                    "longPollMaxWaitInMills must not be negative: " + longPollMaxWaitInMills);
        }
        this.longPollMaxWaitInMills = longPollMaxWaitInMills;
    }

    /**
     * Imago extension: the dead-letter hook told of every corrupt record the consumer skipped (null,
     * the default: the WARN line and the counter are the only report). See {@link CorruptRecordHandler}.
     */
    public CorruptRecordHandler getCorruptRecordHandler() {
        return corruptRecordHandler;
    }

    public void setCorruptRecordHandler(CorruptRecordHandler corruptRecordHandler) {
        this.corruptRecordHandler = corruptRecordHandler;
    }

    public long getOffset() {
        return offset;
    }

    public void setOffset(long offset) {
        this.offset = offset;
    }

    /** New partitions start at their end ({@code Long.MAX_VALUE}: the broker answers 301 with its max offset). */
    public void setConsumeFromMaxOffset() {
        this.offset = Long.MAX_VALUE;
    }

    /**
     * With {@code always}, every start of the consumer consumes from the end: the partitions it claims in its
     * first rebalance round after {@code completeSubscribe} start at their end whatever position is stored.
     * Partitions it takes later (a member left, a broker joined) continue from their stored position, so a
     * rebalance never skips what was produced meanwhile (MetaQ applied it at every claim).
     */
    public void setConsumeFromMaxOffset(boolean always) {
        setConsumeFromMaxOffset();
        this.alwaysConsumeFromMaxOffset = always;
    }

    public boolean isAlwaysConsumeFromMaxOffset() {
        return alwaysConsumeFromMaxOffset;
    }

    public long getCommitOffsetPeriodInMills() {
        return commitOffsetPeriodInMills;
    }

    public void setCommitOffsetPeriodInMills(long commitOffsetPeriodInMills) {
        this.commitOffsetPeriodInMills = commitOffsetPeriodInMills;
    }

    /**
     * Imago: the longest one call of a listener (or of a filter) may take, like Kafka's
     * {@code max.poll.interval.ms}; 5 minutes by default, 0 for no bound. A consumer whose listener
     * runs longer gives up all its partitions and leaves its group (logging which listener hung, on
     * which message and where), so that the others take them over from the committed positions; it
     * joins again when the call returns. The message the listener hung on is delivered again by the
     * partition's next owner.
     */
    public long getMaxListenerTimeInMills() {
        return maxListenerTimeInMills;
    }

    /** See {@link #getMaxListenerTimeInMills()}. */
    public void setMaxListenerTimeInMills(long maxListenerTimeInMills) {
        if (maxListenerTimeInMills < 0) {
            throw new IllegalArgumentException(
                    "maxListenerTimeInMills must not be negative: " + maxListenerTimeInMills);
        }
        this.maxListenerTimeInMills = maxListenerTimeInMills;
    }

    /**
     * Imago: how long {@code shutdown()} waits for listener calls in progress to return (30 s by
     * default, at least 1 ms); past it the consumer leaves without them, logs each one, and their
     * messages are delivered again by the partitions' next owners.
     */
    public long getShutdownTimeoutInMills() {
        return shutdownTimeoutInMills;
    }

    /** See {@link #getShutdownTimeoutInMills()}. */
    public void setShutdownTimeoutInMills(long shutdownTimeoutInMills) {
        if (shutdownTimeoutInMills <= 0) {
            throw new IllegalArgumentException("shutdownTimeoutInMills must be positive: " + shutdownTimeoutInMills);
        }
        this.shutdownTimeoutInMills = shutdownTimeoutInMills;
    }

    public int getMaxFetchRetries() {
        return maxFetchRetries;
    }

    public void setMaxFetchRetries(int maxFetchRetries) {
        this.maxFetchRetries = maxFetchRetries;
    }

    public int getMaxIncreaseFetchDataRetries() {
        return maxIncreaseFetchDataRetries;
    }

    public void setMaxIncreaseFetchDataRetries(int maxIncreaseFetchDataRetries) {
        this.maxIncreaseFetchDataRetries = maxIncreaseFetchDataRetries;
    }

    /** Direct mode: the one partition ({@code "<brokerId>-<partition>"}) this consumer reads. */
    public String getPartition() {
        return partition;
    }

    public void setPartition(String partition) {
        this.partition = partition;
    }

    /** How partitions are shared among the group's consumers (default {@code DEFAULT}). */
    public LoadBalanceStrategy.Type getLoadBalanceStrategyType() {
        return loadBalanceStrategyType;
    }

    public void setLoadBalanceStrategyType(LoadBalanceStrategy.Type loadBalanceStrategyType) {
        this.loadBalanceStrategyType = loadBalanceStrategyType;
    }
}
