package io.imago.protocol.command;

import java.util.Objects;

/**
 * {@code offset <topic> <group> <partition> <offset> <opaque>}: ask for the nearest valid offset at or
 * before {@code offset} (the start of its segment, clamped to the partition's range). The group is
 * carried but unused by the broker. Immutable.
 */
public record OffsetCommand(String topic, String group, int partition, long offset, int opaque)
        implements RequestCommand {

    /** Checks that the strings are present. */
    public OffsetCommand {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(group, "group");
    }
}
