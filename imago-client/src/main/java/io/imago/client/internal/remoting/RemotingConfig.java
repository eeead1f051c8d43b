package io.imago.client.internal.remoting;

import io.imago.coordination.BackOff;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Settings of a {@link RemotingClient}. Immutable; {@link #defaults()} gives the values MetaQ's gecko
 * client uses where it has one (10 s idle heartbeat, 5 s heartbeat timeout, reconnect about every
 * 2 s, 350 reconnect attempts).
 *
 * @param ioThreads event-loop threads shared by all connections of the client
 * @param connectTimeoutMs TCP connect timeout
 * @param heartbeatIdleMs a {@code version} heartbeat is sent after this long without reads or writes
 * @param heartbeatTimeoutMs a heartbeat without reply within this closes the connection
 * @param maxInFlightPerConnection requests sent and not yet answered on one connection; a caller
 *        blocks (up to its request timeout) for a free slot
 * @param reconnectBackOff the delay before a reconnect attempt, by failed attempts in a row: doubled per
 *        failed attempt from its initial delay, at most its cap (which must not be below the initial delay); each
 *        delay is drawn between half of that back-off and all of it
 * @param maxReconnectAttempts failed attempts in a row after which the connection is dropped (the
 *        next request to that broker starts a new one)
 * @param maxReplyBodyBytes largest reply body accepted (a bigger one closes the connection)
 */
public record RemotingConfig(
        int ioThreads,
        int connectTimeoutMs,
        long heartbeatIdleMs,
        long heartbeatTimeoutMs,
        int maxInFlightPerConnection,
        BackOff reconnectBackOff,
        int maxReconnectAttempts,
        int maxReplyBodyBytes) {
    public static final long DEFAULT_HEARTBEAT_IDLE_MS = 10_000;
    public static final long DEFAULT_HEARTBEAT_TIMEOUT_MS = 5_000;
    public static final int DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION = 4_096;
    public static final long DEFAULT_RECONNECT_INITIAL_BACKOFF_MS = 100;
    public static final long DEFAULT_RECONNECT_MAX_BACKOFF_MS = 2_000;
    public static final int DEFAULT_MAX_RECONNECT_ATTEMPTS = 350;
    public static final int DEFAULT_MAX_REPLY_BODY_BYTES = 64 * 1024 * 1024;
    public static final int DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

    /** Checks every value. */
    public RemotingConfig {
        positive("ioThreads", ioThreads);
        positive("connectTimeoutMs", connectTimeoutMs);
        positive("heartbeatIdleMs", heartbeatIdleMs);
        positive("heartbeatTimeoutMs", heartbeatTimeoutMs);
        positive("maxInFlightPerConnection", maxInFlightPerConnection);
        Objects.requireNonNull(reconnectBackOff, "reconnectBackOff");
        positive("maxReconnectAttempts", maxReconnectAttempts);
        positive("maxReplyBodyBytes", maxReplyBodyBytes);
        if (reconnectBackOff.maxMs() < reconnectBackOff.initialMs()) {
            throw new IllegalArgumentException("the reconnect back-off's cap " + reconnectBackOff.maxMs()
                    + " ms is below its initial delay " + reconnectBackOff.initialMs() + " ms");
        }
    }

    /** The defaults, with one I/O thread per core. */
    public static RemotingConfig defaults() {
        return new RemotingConfig(
                Runtime.getRuntime().availableProcessors(),
                DEFAULT_CONNECT_TIMEOUT_MS,
                DEFAULT_HEARTBEAT_IDLE_MS,
                DEFAULT_HEARTBEAT_TIMEOUT_MS,
                DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION,
                new BackOff(DEFAULT_RECONNECT_INITIAL_BACKOFF_MS, DEFAULT_RECONNECT_MAX_BACKOFF_MS),
                DEFAULT_MAX_RECONNECT_ATTEMPTS,
                DEFAULT_MAX_REPLY_BODY_BYTES);
    }

    /** A copy with other heartbeat timings. */
    public RemotingConfig withHeartbeat(long idleMs, long timeoutMs) {
        return new RemotingConfig(
                ioThreads,
                connectTimeoutMs,
                idleMs,
                timeoutMs,
                maxInFlightPerConnection,
                reconnectBackOff,
                maxReconnectAttempts,
                maxReplyBodyBytes);
    }

    /** A copy with another in-flight bound. */
    public RemotingConfig withMaxInFlightPerConnection(int max) {
        return new RemotingConfig(
                ioThreads,
                connectTimeoutMs,
                heartbeatIdleMs,
                heartbeatTimeoutMs,
                max,
                reconnectBackOff,
                maxReconnectAttempts,
                maxReplyBodyBytes);
    }

    /** {@link #reconnectBackoffMs(int, RandomGenerator)} with the thread's own random generator. */
    public long reconnectBackoffMs(int attempt) {
        return reconnectBackoffMs(attempt, ThreadLocalRandom.current());
    }

    /**
     * The delay before reconnect attempt {@code attempt} (1-based): {@link #reconnectBackOff()} for that
     * many failures, drawn uniformly between half of it and all of it ("equal jitter"), so that clients
     * which lost a broker at the same moment do not all reconnect in step.
     */
    public long reconnectBackoffMs(int attempt, RandomGenerator random) {
        long backoff = reconnectBackOff.delayMs(Math.max(attempt, 1));
        long half = backoff / 2;
        return backoff - half + random.nextLong(half + 1);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
