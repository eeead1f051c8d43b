package io.imago.client.internal.consumer;

/**
 * The ids of a partition's messages handled (delivered, or stored for recovery) since its last ack,
 * in order: they enter the {@link MessageIdCache} only when acked (auto-ack: at once), and are
 * dropped by a rollback or when the partition is revoked, so that a message the application never
 * acknowledged is delivered again rather than skipped as a duplicate. Keeps at most {@code capacity}
 * ids, the most recent (the cache, of that capacity, would forget older ones at the ack anyway).
 *
 * <p>Not thread-safe: used under the {@link FetchTask}'s monitor.
 */
final class UnackedIds {
    private final int capacity;
    /** Grows (doubling) up to {@link #capacity}: most partitions are auto-acked and hold one id at a time. */
    private long[] ring = new long[1];

    private int oldest;
    private int size;

    UnackedIds(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0: " + capacity);
        }
        this.capacity = capacity;
    }

    /** Records the id of a message handled since the last ack. */
    void add(long id) {
        if (size == ring.length && ring.length < capacity) {
            long[] grown = new long[Math.min(capacity, 2 * ring.length)];
            for (int i = 0; i < size; i++) {
                grown[i] = ring[(oldest + i) % ring.length];
            }
            ring = grown;
            oldest = 0;
        }
        if (size == ring.length) {
            ring[oldest] = id;
            oldest = (oldest + 1) % ring.length;
        } else {
            ring[(oldest + size) % ring.length] = id;
            size++;
        }
    }

    /** The messages were acked: their ids go to {@code cache}, oldest first, and are forgotten here. */
    void ackInto(MessageIdCache cache) {
        for (int i = 0; i < size; i++) {
            cache.firstSeen(ring[(oldest + i) % ring.length]);
        }
        clear();
    }

    /** Forgets the ids (a rollback: the messages are delivered again). */
    void clear() {
        oldest = 0;
        size = 0;
    }

    int size() {
        return size;
    }
}
