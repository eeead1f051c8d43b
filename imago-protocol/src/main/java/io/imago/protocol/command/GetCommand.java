package io.imago.protocol.command;

import java.util.Objects;

/**
 * {@code get <topic> <group> <partition> <offset> <maxSize> <opaque>}: fetch up to {@code maxSize}
 * bytes of the partition's log starting at byte {@code offset}. Immutable.
 */
public record GetCommand(String topic, String group, int partition, long offset, int maxSize, int opaque)
        implements RequestCommand {

    /** Checks that the strings are present. */
    public GetCommand {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(group, "group");
    }
}
