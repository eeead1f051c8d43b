package io.imago.coordination;

/**
 * What {@link ZooKeeperAgentRunner#close()} does to a duty that is running, and how long it waits for
 * the agent's thread to end. Immutable; thread-safe.
 *
 * @param interrupt whether the running duty is interrupted (its ZooKeeper calls fail at once); if not, it
 *     finishes, and a duty that pauses should pause with {@link ZooKeeperAgentRunner#awaitClose}
 * @param maxWaitMs how long close waits for the thread before it goes on without it; 0: as long as it
 *     takes (with a warning every 10 s)
 */
public record ClosePolicy(boolean interrupt, long maxWaitMs) {
    /** Checks the wait. */
    public ClosePolicy {
        if (maxWaitMs < 0) {
            throw new IllegalArgumentException("maxWaitMs must be >= 0, was " + maxWaitMs);
        }
    }

    /** Interrupt the running duty and wait up to {@code maxWaitMs} (above 0) for the thread. */
    public static ClosePolicy interruptAndWaitUpTo(long maxWaitMs) {
        if (maxWaitMs <= 0) {
            throw new IllegalArgumentException("maxWaitMs must be > 0, was " + maxWaitMs);
        }
        return new ClosePolicy(true, maxWaitMs);
    }

    /** Let the running duty finish, however long it takes. */
    public static ClosePolicy letFinish() {
        return new ClosePolicy(false, 0);
    }
}
