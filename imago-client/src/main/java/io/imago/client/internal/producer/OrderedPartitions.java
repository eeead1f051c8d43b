package io.imago.client.internal.producer;

import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions an ordered producer's selector chooses among, per topic: those configured in
 * {@code partitionsInfo} ({@code topic.num.<topic>=<brokerId>:<count>;...}), available or not, or without
 * it every partition published now or since the first send, so that a key does not move while its
 * partition's broker is away (each change is logged once). Thread-safe.
 */
final class OrderedPartitions {
    private static final Logger LOG = LoggerFactory.getLogger(OrderedMessageProducer.class);
    private static final String PARTITIONS_KEY_PREFIX = "topic.num.";

    private final Properties partitionsInfo;
    private final Function<String, List<Partition>> publishedPartitions;
    private final Map<String, List<Partition>> seenPartitions = new ConcurrentHashMap<>();
    private final Map<String, List<Partition>> reportedAway = new ConcurrentHashMap<>();

    /**
     * @param partitionsInfo {@code topic.num.<topic>=<brokerId>:<count>;...}; null to use the published partitions
     * @param publishedPartitions the partitions published now, for topics not in {@code partitionsInfo}
     */
    OrderedPartitions(Properties partitionsInfo, Function<String, List<Partition>> publishedPartitions) {
        this.partitionsInfo = partitionsInfo;
        this.publishedPartitions = publishedPartitions;
    }

    /** The configured partitions of the topic, or those published now and since the first send. */
    List<Partition> of(String topic) throws MetaClientException {
        String spec = partitionsInfo == null ? null : partitionsInfo.getProperty(PARTITIONS_KEY_PREFIX + topic);
        if (spec == null || spec.isBlank()) {
            return publishedAndSeen(topic, publishedPartitions.apply(topic));
        }
        List<Partition> partitions = new ArrayList<>();
        try {
            for (String broker : spec.split(";")) {
                String[] idAndCount = broker.trim().split(":");
                int brokerId = Integer.parseInt(idAndCount[0].trim());
                int count = Integer.parseInt(idAndCount[1].trim());
                for (int p = 0; p < count; p++) {
                    partitions.add(new Partition(brokerId, p));
                }
            }
        } catch (RuntimeException e) {
            throw new MetaClientException(
                    "invalid partitionsInfo " + PARTITIONS_KEY_PREFIX + topic + "=" + spec
                            + ", expected <brokerId>:<count>;...",
                    e);
        }
        partitions.sort(null);
        return partitions;
    }

    /**
     * Without partitionsInfo: the partitions published now and every one published since the first
     * send to the topic, sorted, so that a key does not move while its partition's broker is away.
     */
    private List<Partition> publishedAndSeen(String topic, List<Partition> published) {
        if (published.isEmpty() && !seenPartitions.containsKey(topic)) {
            return published; // nothing published yet: the selector says so
        }
        List<Partition> before = seenPartitions.get(topic);
        List<Partition> all = seenPartitions.merge(
                topic,
                sorted(published),
                (seen, now) -> seen.containsAll(now)
                        ? seen
                        : sorted(Stream.concat(seen.stream(), now.stream())
                                .distinct()
                                .toList()));
        if (before == null) {
            LOG.warn(
                    "Ordered producer: no partitionsInfo for topic {}; choosing among the partitions published now "
                            + "and later ({}): a partition whose broker leaves keeps its keys (its messages wait locally), "
                            + "but keys move when partitions are added; set {}{} to fix them",
                    topic,
                    all,
                    PARTITIONS_KEY_PREFIX,
                    topic);
        } else if (before != all) {
            LOG.warn("Ordered producer: topic {} now has partitions {} (was {}): some keys move", topic, all, before);
        }
        List<Partition> away = all.stream().filter(p -> !published.contains(p)).toList();
        if (!away.equals(reportedAway.getOrDefault(topic, List.of()))) {
            reportedAway.put(topic, away);
            if (away.isEmpty()) {
                LOG.info("Ordered producer: every partition of topic {} is published again", topic);
            } else {
                LOG.warn(
                        "Ordered producer: partitions {} of topic {} are not published now (broker down?); their "
                                + "messages wait locally until they return",
                        away,
                        topic);
            }
        }
        return all;
    }

    private static List<Partition> sorted(List<Partition> partitions) {
        List<Partition> copy = new ArrayList<>(partitions);
        copy.sort(null);
        return List.copyOf(copy);
    }
}
