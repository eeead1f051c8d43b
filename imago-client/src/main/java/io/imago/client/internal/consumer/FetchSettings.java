package io.imago.client.internal.consumer;

import io.imago.client.consumer.ConsumerConfig;
import io.imago.client.consumer.CorruptRecordHandler;

/**
 * The fetch loop's knobs and its corrupt-record hook, taken from a {@link ConsumerConfig} (spec
 * section 6.1). Immutable.
 *
 * @param group the group fetches are made for (after the broadcast suffix, if any)
 * @param runnerCount fetch threads
 * @param fetchTimeoutMs how long one {@code get} may take
 * @param maxDelayMs the back-off cap after empty or failed fetches
 * @param maxFetchRetries failed deliveries of a message retried before it goes to the recover store
 * @param maxIncreaseRetries answers too small for one message before the fetch size doubles
 * @param maxFetchBytes the largest fetch size (the remoting's reply limit)
 * @param longPollMs how long a broker that supports it may hold a fetch at the end of a partition (0: never)
 * @param corruptRecordHandler told of every corrupt record skipped (null: none)
 * @param maxListenerTimeMs how long a revoke waits for a listener call before abandoning it (0: no bound)
 * @param shutdownTimeoutMs how long closing waits for listener calls in progress
 */
public record FetchSettings(
        String group,
        int runnerCount,
        long fetchTimeoutMs,
        long maxDelayMs,
        int maxFetchRetries,
        int maxIncreaseRetries,
        int maxFetchBytes,
        int longPollMs,
        CorruptRecordHandler corruptRecordHandler,
        long maxListenerTimeMs,
        long shutdownTimeoutMs) {

    /** The defaults of {@link ConsumerConfig} for the bounds of listener calls. */
    public FetchSettings(
            String group,
            int runnerCount,
            long fetchTimeoutMs,
            long maxDelayMs,
            int maxFetchRetries,
            int maxIncreaseRetries,
            int maxFetchBytes,
            int longPollMs,
            CorruptRecordHandler corruptRecordHandler) {
        this(
                group,
                runnerCount,
                fetchTimeoutMs,
                maxDelayMs,
                maxFetchRetries,
                maxIncreaseRetries,
                maxFetchBytes,
                longPollMs,
                corruptRecordHandler,
                ConsumerConfig.DEFAULT_MAX_LISTENER_TIME_IN_MILLS,
                ConsumerConfig.DEFAULT_SHUTDOWN_TIMEOUT_IN_MILLS);
    }

    /** Without a corrupt record handler. */
    public FetchSettings(
            String group,
            int runnerCount,
            long fetchTimeoutMs,
            long maxDelayMs,
            int maxFetchRetries,
            int maxIncreaseRetries,
            int maxFetchBytes,
            int longPollMs) {
        this(
                group,
                runnerCount,
                fetchTimeoutMs,
                maxDelayMs,
                maxFetchRetries,
                maxIncreaseRetries,
                maxFetchBytes,
                longPollMs,
                null);
    }

    /** Without long polling. */
    public FetchSettings(
            String group,
            int runnerCount,
            long fetchTimeoutMs,
            long maxDelayMs,
            int maxFetchRetries,
            int maxIncreaseRetries,
            int maxFetchBytes) {
        this(group, runnerCount, fetchTimeoutMs, maxDelayMs, maxFetchRetries, maxIncreaseRetries, maxFetchBytes, 0);
    }

    public static FetchSettings of(ConsumerConfig config, int maxFetchBytes) {
        return new FetchSettings(
                config.getGroup(),
                Math.max(1, config.getFetchRunnerCount()),
                config.getFetchTimeoutInMills(),
                config.getMaxDelayFetchTimeInMills(),
                config.getMaxFetchRetries(),
                Math.max(1, config.getMaxIncreaseFetchDataRetries()),
                maxFetchBytes,
                config.getLongPollMaxWaitInMills(),
                config.getCorruptRecordHandler(),
                config.getMaxListenerTimeInMills(),
                config.getShutdownTimeoutInMills());
    }
}
