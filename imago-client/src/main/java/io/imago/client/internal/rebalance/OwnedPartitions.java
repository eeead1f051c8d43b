package io.imago.client.internal.rebalance;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.consumer.storage.OffsetStorage;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The coordinator's bookkeeping of what this consumer owns: the partitions the fetch loop holds
 * ({@code owned}, by topic and partition string), the owner nodes this session holds while the fetch
 * loop does not have their partitions ({@code heldNotFetched}: claimed but not yet handed over, or taken
 * back but not yet deleted), and their positions, loaded from and committed to the {@link OffsetStorage}.
 *
 * <p>Threading: not thread-safe. Everything but {@link #view()} is used by the {@link GroupCoordinator}'s
 * coordinator thread only (and by its {@code close} after that thread ended); {@link #view()} is a
 * snapshot, safe from any thread, republished after each change.
 */
final class OwnedPartitions {
    private final RebalanceSettings settings;
    private final OffsetStorage offsetStorage;
    /** Topic to partition string to what the fetch loop holds. */
    private final Map<String, Map<String, PartitionAssignment>> owned = new TreeMap<>();
    /** Owner nodes this session holds while the fetch loop does not have the partition. */
    private final Map<String, Set<String>> heldNotFetched = new TreeMap<>();

    private volatile Map<String, List<Partition>> view = Map.of();

    /**
     * Whether claimed partitions start at their end whatever is stored: true until the first round
     * after start ends when the consumer was configured to always consume from the end (MetaQ's
     * {@code setConsumeFromMaxOffset(true)}); later claims continue from the stored positions.
     */
    private boolean fromMaxOffset;

    OwnedPartitions(RebalanceSettings settings, OffsetStorage offsetStorage) {
        this.settings = settings;
        this.offsetStorage = offsetStorage;
        this.fromMaxOffset = settings.alwaysFromMaxOffset();
    }

    /** The first round after start is over: from now on claims continue from the stored positions. */
    void startRoundDone() {
        fromMaxOffset = false;
    }

    /** The partitions the fetch loop holds, by topic, as last published (any thread). */
    Map<String, List<Partition>> view() {
        return view;
    }

    /** What the fetch loop holds of {@code topic}, by partition string (empty if nothing). */
    Map<String, PartitionAssignment> of(String topic) {
        return owned.getOrDefault(topic, Map.of());
    }

    /** Everything the fetch loop holds. */
    List<PartitionAssignment> all() {
        List<PartitionAssignment> all = new ArrayList<>();
        owned.values().forEach(partitions -> all.addAll(partitions.values()));
        return all;
    }

    /**
     * The claimed partitions (by topic, as partition strings) with their positions: stored, else the
     * initial one (stored then). Nothing is recorded as owned yet.
     */
    List<PartitionAssignment> loadPositions(Map<String, Set<String>> claimed) throws MetaClientException {
        List<PartitionAssignment> assignments = new ArrayList<>();
        for (Map.Entry<String, Set<String>> entry : claimed.entrySet()) {
            for (String partition : entry.getValue()) {
                assignments.add(new PartitionAssignment(
                        entry.getKey(),
                        new Partition(partition),
                        loadPosition(entry.getKey(), new Partition(partition))));
            }
        }
        return assignments;
    }

    /**
     * {@code assignments} are handed to the fetch loop: they are owned, and every held owner node now
     * belongs to an owned partition; publishes.
     */
    void handedOver(List<PartitionAssignment> assignments) {
        for (PartitionAssignment assignment : assignments) {
            owned.computeIfAbsent(assignment.topic(), t -> new TreeMap<>())
                    .put(assignment.partition().toString(), assignment);
        }
        heldNotFetched.clear();
        publish();
    }

    /**
     * The fetch loop gave {@code partitions} back: they are no longer owned but their owner nodes are
     * still held (until deleted, see {@link #unhold}); publishes.
     */
    void takenBack(List<PartitionAssignment> partitions) {
        for (PartitionAssignment assignment : partitions) {
            String partition = assignment.partition().toString();
            remove(assignment.topic(), partition);
            hold(assignment.topic(), partition);
        }
        publish();
    }

    private void remove(String topic, String partition) {
        Map<String, PartitionAssignment> partitions = owned.get(topic);
        if (partitions != null) {
            partitions.remove(partition);
            if (partitions.isEmpty()) {
                owned.remove(topic);
            }
        }
    }

    /** Records an owner node this session holds while the fetch loop does not have its partition. */
    void hold(String topic, String partition) {
        heldNotFetched.computeIfAbsent(topic, t -> new LinkedHashSet<>()).add(partition);
    }

    /** The owner node of the partition was deleted. */
    void unhold(String topic, String partition) {
        heldNotFetched.get(topic).remove(partition);
    }

    /** The owner node paths of everything owned or held. */
    List<String> ownerPaths() {
        List<String> paths = new ArrayList<>();
        all().forEach(a -> paths.add(settings.ownerPath(a.topic(), a.partition().toString())));
        heldNotFetched.forEach((topic, parts) -> parts.forEach(p -> paths.add(settings.ownerPath(topic, p))));
        return paths;
    }

    /** Forgets {@code partitions}, no longer ours (their owner nodes are gone), and publishes. */
    void forget(List<PartitionAssignment> partitions) {
        for (PartitionAssignment assignment : partitions) {
            String partition = assignment.partition().toString();
            remove(assignment.topic(), partition);
            Set<String> held = heldNotFetched.get(assignment.topic());
            if (held != null) {
                held.remove(partition);
            }
        }
        publish();
    }

    /** Forgets everything owned and held, and publishes the empty view. */
    void clear() {
        owned.clear();
        heldNotFetched.clear();
        publish();
    }

    private void publish() {
        Map<String, List<Partition>> snapshot = new TreeMap<>();
        owned.forEach((topic, partitions) -> snapshot.put(
                topic,
                partitions.values().stream().map(PartitionAssignment::partition).toList()));
        view = Map.copyOf(snapshot);
    }

    private TopicPartitionRegInfo loadPosition(String topic, Partition partition) throws MetaClientException {
        if (fromMaxOffset) {
            return new TopicPartitionRegInfo(topic, partition, Long.MAX_VALUE);
        }
        String group = settings.group();
        TopicPartitionRegInfo stored = offsetStorage.load(topic, group, partition);
        if (stored != null) {
            return stored;
        }
        offsetStorage.initOffset(topic, group, partition, settings.initialOffset());
        return new TopicPartitionRegInfo(topic, partition, settings.initialOffset());
    }
}
