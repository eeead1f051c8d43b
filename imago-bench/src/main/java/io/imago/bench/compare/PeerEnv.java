package io.imago.bench.compare;

import java.nio.file.Path;
import java.util.List;

/**
 * What every peer of one comparison gets alike.
 *
 * @param workDir a fresh, empty directory for this peer's data (on the comparison's data disk)
 * @param logDir where the peer writes its process logs ({@code <name>-broker.log}, …)
 * @param javaBin the {@code java} executable for child JVMs
 * @param jvmArgs heap and GC options every broker JVM gets (e.g. {@code -Xms1g -Xmx1g})
 * @param topic the topic the workloads use
 * @param partitions its partition count
 * @param settings peer-specific variants, e.g. {@code unflushThreshold=1000} for Imago; may be empty
 */
public record PeerEnv(
        Path workDir,
        Path logDir,
        Path javaBin,
        List<String> jvmArgs,
        String topic,
        int partitions,
        java.util.Map<String, String> settings) {
    /**
     * A setting of {@link #settings()} for the brokers of MetaQ and Imago (not a broker key): comma-separated
     * topics declared with one partition, besides {@link #topic()} (workload W1 with one partition).
     */
    public static final String ONE_PARTITION_TOPICS = "onePartitionTopics";

    /** The topics of {@link #ONE_PARTITION_TOPICS}, in order; empty when none. */
    public java.util.List<String> onePartitionTopics() {
        return java.util.Arrays.stream(
                        settings.getOrDefault(ONE_PARTITION_TOPICS, "").split(","))
                .map(String::trim)
                .filter(t -> !t.isEmpty())
                .toList();
    }
}
