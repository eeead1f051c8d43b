package io.imago.store;

import java.util.Optional;

/**
 * A topic and a partition number, and the name of their directory under the data path:
 * {@code <topic>-<partition>}. A topic may itself contain {@code -}, so parsing splits at the last
 * one (spec section 3.1). Immutable and thread-safe.
 *
 * @param topic     the topic, non-empty
 * @param partition the partition, {@code >= 0}
 */
public record TopicPartition(String topic, int partition) {

    public TopicPartition {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic must be non-empty");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0: " + partition);
        }
    }

    /** The partition directory name, {@code <topic>-<partition>}. */
    public String directoryName() {
        return topic + LogDescriptor.PARTITION_SEPARATOR + partition;
    }

    /** Parses a directory name; empty if it is not {@code <topic>-<non-negative int>}. */
    public static Optional<TopicPartition> parseDirectoryName(String name) {
        int dash = name.lastIndexOf(LogDescriptor.PARTITION_SEPARATOR);
        if (dash <= 0 || dash == name.length() - 1) {
            return Optional.empty();
        }
        String digits = name.substring(dash + 1);
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(new TopicPartition(name.substring(0, dash), Integer.parseInt(digits)));
        } catch (NumberFormatException tooLarge) {
            // more digits than an int holds: not a partition directory
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return directoryName();
    }
}
