package io.imago.client.internal.rebalance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fetch loop stand-in. It records what it holds in a map shared by every consumer of a test, so a
 * partition held by two consumers at once is caught at the moment it happens, and it "consumes" one
 * message of each partition it is given (its position moves by one). With {@code checkHandover} it
 * also checks that a partition arrives at the position its previous holder gave it up at, which holds
 * only if the previous holder committed before releasing. Thread-safe.
 */
final class RecordingFetchControl implements FetchControl {
    /** Shared by the consumers of one test: partition key to the fetch control holding it. */
    static final class Holders {
        final Map<String, RecordingFetchControl> holders = new ConcurrentHashMap<>();
        final Map<String, Long> releasedAt = new ConcurrentHashMap<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final boolean checkHandover;

        Holders(boolean checkHandover) {
            this.checkHandover = checkHandover;
        }
    }

    private final String name;
    private final Holders shared;
    private final Set<PartitionAssignment> held = ConcurrentHashMap.newKeySet();
    final List<String> events = new CopyOnWriteArrayList<>();
    /** The position each partition had when it was last assigned here. */
    final Map<String, Long> assignedAt = new ConcurrentHashMap<>();
    /** Whether fetching is paused ({@link #pause()}): a paused holder delivers nothing. */
    volatile boolean paused;
    /** What {@link #hungListener} reports, set by a test to play a listener that does not return. */
    volatile String hung;

    RecordingFetchControl(String name, Holders shared) {
        this.name = name;
        this.shared = shared;
    }

    @Override
    public void assigned(List<PartitionAssignment> partitions) {
        if (partitions.isEmpty()) {
            shared.violations.add(name + " was assigned an empty list");
        }
        for (PartitionAssignment assignment : partitions) {
            String key = key(assignment);
            RecordingFetchControl other = shared.holders.put(key, this);
            if (other != null && !other.paused) {
                shared.violations.add(key + " assigned to " + name + " while " + other.name + " holds it");
            }
            Long expected = shared.releasedAt.get(key);
            if (shared.checkHandover
                    && expected != null
                    && assignment.position().getOffset() != expected) {
                shared.violations.add(key + " reached " + name + " at "
                        + assignment.position().getOffset() + " but was released at " + expected);
            }
            if (!held.add(assignment)) {
                shared.violations.add(key + " assigned twice to " + name);
            }
            assignedAt.put(key, assignment.position().getOffset());
            assignment
                    .position()
                    .advance(
                            assignment.position().getOffset() + 1,
                            assignment.position().getOffset());
            events.add("assigned " + key);
        }
    }

    @Override
    public void revoke(List<PartitionAssignment> partitions) {
        if (partitions.isEmpty()) {
            shared.violations.add(name + " was revoked an empty list");
        }
        for (PartitionAssignment assignment : partitions) {
            String key = key(assignment);
            if (!held.remove(assignment)) {
                shared.violations.add(key + " revoked from " + name + " which does not hold it");
            }
            shared.releasedAt.put(key, assignment.position().getOffset());
            shared.holders.remove(key, this);
            events.add("revoked " + key);
        }
    }

    @Override
    public void brokersChanged(String topic) {
        events.add("brokersChanged " + topic);
    }

    @Override
    public void pause() {
        paused = true;
        events.add("paused");
    }

    @Override
    public void resume() {
        if (paused) {
            paused = false;
            events.add("resumed");
            for (PartitionAssignment assignment : held) {
                RecordingFetchControl other = shared.holders.get(key(assignment));
                if (other != this) {
                    shared.violations.add(key(assignment) + " resumed by " + name + " while "
                            + (other == null ? "nobody" : other.name) + " holds it");
                }
            }
        }
    }

    @Override
    public Optional<String> hungListener(long boundMs) {
        return Optional.ofNullable(hung);
    }

    /** The assignments held now. */
    List<PartitionAssignment> heldAssignments() {
        return List.copyOf(held);
    }

    /** The partitions held now, as {@code topic/partition} keys. */
    List<String> held() {
        List<String> keys = new ArrayList<>();
        held.forEach(a -> keys.add(key(a)));
        keys.sort(null);
        return keys;
    }

    private static String key(PartitionAssignment assignment) {
        return assignment.topic() + "/" + assignment.partition();
    }
}
