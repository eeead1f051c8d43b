package io.imago.protocol.command;

import java.util.Objects;

/**
 * {@code get <topic> <group> <partition> <offset> <maxSize> <opaque>}: fetch up to {@code maxSize}
 * bytes of the partition's log starting at byte {@code offset}. Imago extension (long poll,
 * announced as {@link io.imago.protocol.Capabilities#LONG_POLL} in the {@code version} reply):
 * {@code get <topic> <group> <partition> <offset> <maxSize> <maxWaitMs> <opaque>} — with nothing at
 * {@code offset} yet, the broker holds the answer up to {@code maxWaitMs} until data arrives, instead
 * of answering 404 at once. {@code maxWaitMs == 0} is the original command. Immutable.
 */
public record GetCommand(String topic, String group, int partition, long offset, int maxSize, int maxWaitMs, int opaque)
        implements RequestCommand {

    /** Checks that the strings are present and the wait is not negative. */
    public GetCommand {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(group, "group");
        if (maxWaitMs < 0) {
            throw new IllegalArgumentException("maxWaitMs must not be negative: " + maxWaitMs);
        }
    }

    /** The original {@code get}: answered at once. */
    public GetCommand(String topic, String group, int partition, long offset, int maxSize, int opaque) {
        this(topic, group, partition, offset, maxSize, 0, opaque);
    }

    /** Whether this is a long-polling get. */
    public boolean waits() {
        return maxWaitMs > 0;
    }
}
