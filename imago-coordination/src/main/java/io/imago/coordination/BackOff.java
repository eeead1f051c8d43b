package io.imago.coordination;

/**
 * The one back-off rule of the code base: no pause before a first attempt, {@code initialMs} after the
 * first failure, twice the previous pause after each further one, never more than {@code maxMs} (a cap
 * below {@code initialMs} wins: every pause is then {@code maxMs}). Used by the ZooKeeper agents'
 * retries ({@link ZooKeeperAgentRunner}), the client's reconnects and its empty fetches.
 *
 * <p>Two forms of the same rule, for two kinds of callers:
 * <ul>
 *   <li>{@link #delayMs(int)} for a caller that counts its failures in a row; the doubling stops after
 *       {@value #MAX_DOUBLINGS} of them (an overflow guard: a million times {@code initialMs});</li>
 *   <li>{@link #nextDelayMs(long)} for a caller that keeps its current pause and lets other rules change
 *       it too (the client's fetch state adds to it when a listener fails).</li>
 * </ul>
 * The two agree as long as {@code maxMs} is at most {@code initialMs << MAX_DOUBLINGS}.
 *
 * <p>Immutable; thread-safe.
 *
 * @param initialMs the pause after the first failure, above 0
 * @param maxMs the longest pause, at least 0
 */
public record BackOff(long initialMs, long maxMs) {
    /** Failures in a row after which {@link #delayMs(int)} stops doubling. */
    public static final int MAX_DOUBLINGS = 20;

    /** Checks both values. */
    public BackOff {
        if (initialMs <= 0) {
            throw new IllegalArgumentException("initialMs must be > 0, was " + initialMs);
        }
        if (maxMs < 0) {
            throw new IllegalArgumentException("maxMs must be >= 0, was " + maxMs);
        }
    }

    /**
     * The pause before the next attempt after {@code failures} failures in a row: 0 for none, then
     * {@code initialMs << (failures - 1)}, at most {@code maxMs}.
     */
    public long delayMs(int failures) {
        if (failures <= 0) {
            return 0;
        }
        return Math.min(maxMs, initialMs << Math.min(failures - 1, MAX_DOUBLINGS));
    }

    /**
     * The pause after one more failure when the current pause is {@code currentMs}: {@code initialMs}
     * after none (0 or less), else twice {@code currentMs}, at most {@code maxMs}.
     */
    public long nextDelayMs(long currentMs) {
        if (currentMs <= 0) {
            return Math.min(maxMs, initialMs);
        }
        return currentMs > maxMs / 2 ? maxMs : 2 * currentMs;
    }
}
