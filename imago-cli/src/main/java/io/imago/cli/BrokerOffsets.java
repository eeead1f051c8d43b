package io.imago.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The min and max offsets of every partition of every live broker, from each broker's
 * {@code stats offsets} (lines {@code <topic> part <p> min_offset <n> max_offset <n>}); brokers that
 * did not answer are remembered with the reason. Offsets are byte positions, so a partition's size is
 * {@code max - min}. Immutable once fetched; not thread-safe while fetching.
 */
final class BrokerOffsets {
    /** A partition's first and end offsets. */
    record Range(long min, long max) {
        long size() {
            return max - min;
        }
    }

    private final SortedMap<Integer, String> brokers;
    private final Map<String, Range> ranges = new HashMap<>();
    private final Map<Integer, String> unreachable = new TreeMap<>();

    private BrokerOffsets(SortedMap<Integer, String> brokers) {
        this.brokers = brokers;
    }

    /** Asks every broker of {@code brokers} (id to {@code meta://host:port}) for its offsets. */
    static BrokerOffsets fetch(SortedMap<Integer, String> brokers, BrokerStatsClient client) {
        BrokerOffsets offsets = new BrokerOffsets(brokers);
        for (Map.Entry<Integer, String> broker : brokers.entrySet()) {
            try {
                List<String> lines = client.stats(BrokerStatsClient.parseAddress(broker.getValue()), "offsets");
                for (String line : lines) {
                    offsets.add(broker.getKey(), line);
                }
            } catch (ToolException e) {
                offsets.unreachable.put(broker.getKey(), e.getMessage());
            }
        }
        return offsets;
    }

    private void add(int brokerId, String line) {
        String[] w = line.split(" ");
        if (w.length == 7 && "part".equals(w[1]) && "min_offset".equals(w[3]) && "max_offset".equals(w[5])) {
            ranges.put(key(w[0], brokerId + "-" + w[2]), new Range(Long.parseLong(w[4]), Long.parseLong(w[6])));
        }
    }

    /** The range of {@code brokerId-p} of {@code topic}; empty when its broker is down or has no data for it. */
    Optional<Range> range(String topic, String partition) {
        return Optional.ofNullable(ranges.get(key(topic, partition)));
    }

    /** Whether the broker is live in ZooKeeper and answered. */
    boolean answered(int brokerId) {
        return brokers.containsKey(brokerId) && !unreachable.containsKey(brokerId);
    }

    Optional<String> address(int brokerId) {
        return Optional.ofNullable(brokers.get(brokerId));
    }

    Map<Integer, String> unreachable() {
        return unreachable;
    }

    private static String key(String topic, String partition) {
        return topic + "/" + partition;
    }

    /** The broker id of a partition name {@code brokerId-p}. */
    static int brokerOf(String partition) {
        return Integer.parseInt(partition.substring(0, partition.indexOf('-')));
    }
}
