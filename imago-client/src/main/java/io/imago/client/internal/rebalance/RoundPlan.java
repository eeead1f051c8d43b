package io.imago.client.internal.rebalance;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one rebalance attempt changes, worked out from the topics as it sees them, the topics as the
 * last successful round saw them and what this consumer owns: the partitions to give up, the
 * partitions to claim (by topic, as partition strings), and the topics whose sharing is unchanged but
 * whose broker registrations changed (the fetch loop is told so). A topic shared as last time is left
 * alone. Its collections are not changed once made; made and used on the coordinator thread only.
 *
 * @param toRelease what the fetch loop holds and the strategy no longer gives this consumer
 * @param toClaim by topic, the partitions the strategy gives this consumer and it does not hold
 * @param brokersChanged the topics shared as before whose {@code topics-sub} registrations changed
 */
record RoundPlan(List<PartitionAssignment> toRelease, Map<String, Set<String>> toClaim, List<String> brokersChanged) {

    /**
     * @param settings this consumer's id and strategy
     * @param views each subscribed topic as this attempt sees it
     * @param lastViews each topic as the last successful round saw it
     * @param owned what the fetch loop holds now
     */
    static RoundPlan of(
            RebalanceSettings settings,
            Map<String, TopicView> views,
            Map<String, TopicView> lastViews,
            OwnedPartitions owned) {
        Map<String, Set<String>> toClaim = new TreeMap<>();
        List<PartitionAssignment> toRelease = new ArrayList<>();
        List<String> brokersChanged = new ArrayList<>();
        for (Map.Entry<String, TopicView> entry : views.entrySet()) {
            String topic = entry.getKey();
            TopicView view = entry.getValue();
            TopicView last = lastViews.get(topic);
            if (view.sharesLike(last)) {
                if (!view.registrations().equals(last.registrations())) {
                    brokersChanged.add(topic);
                }
                continue;
            }
            Set<String> target = view.partitions().isEmpty()
                    ? Set.of()
                    : new LinkedHashSet<>(settings.strategy()
                            .partitionsFor(settings.consumerId(), view.consumers(), view.partitions()));
            Map<String, PartitionAssignment> current = owned.of(topic);
            current.forEach((partition, assignment) -> {
                if (!target.contains(partition)) {
                    toRelease.add(assignment);
                }
            });
            for (String partition : target) {
                if (!current.containsKey(partition)) {
                    toClaim.computeIfAbsent(topic, t -> new LinkedHashSet<>()).add(partition);
                }
            }
        }
        return new RoundPlan(toRelease, toClaim, brokersChanged);
    }

    /** Whether the attempt changes what this consumer owns. */
    boolean changesOwnership() {
        return !toRelease.isEmpty() || !toClaim.isEmpty();
    }
}
