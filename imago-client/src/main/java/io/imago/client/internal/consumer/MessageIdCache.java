package io.imago.client.internal.consumer;

import java.util.Arrays;

/**
 * The ids of the messages a consumer delivered and that were acknowledged (at once with auto-ack; at
 * the partition's {@code ack()} in transactional consumption, see {@link UnackedIds}) most recently, to drop a message delivered twice
 * (MetaQ's duplicate filter; a resync with {@code offset} goes back to a segment start, spec section
 * 9.1 quirk 6, but what it re-reads is passed over by offset, {@link FetchTask#handledBelow}, so
 * correctness does not depend on the cache being large enough). Ids are
 * unique across brokers (they carry the broker id), so one cache serves every partition of a
 * consumer. Holds the last {@code capacity} ids recorded (MetaQ's default 4096, system property
 * {@code metaq.consumer.message_ids.lru_cache.size}); the oldest is forgotten first (the original
 * client refreshes an id seen again, an LRU; ids are seen again only around a resync, so the two
 * windows hold the same ids in practice).
 *
 * <p>Every delivered message passes through it, so it allocates nothing per id: a ring of the ids
 * in the order recorded and an open-addressing hash set over them (linear probing, deletion by
 * backward shift). Thread-safe (synchronized: one short critical section per delivered message).
 */
public final class MessageIdCache {
    public static final int DEFAULT_CAPACITY = Integer.getInteger("metaq.consumer.message_ids.lru_cache.size", 4096);

    private final long[] ring;
    private int oldest;
    private int size;
    /** Slots of the hash set; {@link #FREE} marks an empty slot (and id 0 is tracked by {@link #hasZero}). */
    private final long[] table;

    private final int mask;
    private boolean hasZero;
    private static final long FREE = 0L;

    public MessageIdCache(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0: " + capacity);
        }
        this.ring = new long[capacity];
        int slots = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) * 2; // a power of two >= 2 x capacity
        this.table = new long[slots];
        this.mask = slots - 1;
        Arrays.fill(table, FREE);
    }

    /** Records the id; false when it was already there (a duplicate to drop). */
    public synchronized boolean firstSeen(long messageId) {
        if (containsId(messageId)) {
            return false;
        }
        if (size == ring.length) {
            remove(ring[oldest]);
            ring[oldest] = messageId;
            oldest = (oldest + 1) % ring.length;
        } else {
            ring[(oldest + size) % ring.length] = messageId;
            size++;
        }
        add(messageId);
        return true;
    }

    /** Whether the id was recorded and not yet forgotten. */
    public synchronized boolean contains(long messageId) {
        return containsId(messageId);
    }

    /** How many ids it holds at most. */
    public int capacity() {
        return ring.length;
    }

    public synchronized int size() {
        return size;
    }

    private boolean containsId(long id) {
        if (id == FREE) {
            return hasZero;
        }
        for (int i = slot(id); ; i = (i + 1) & mask) {
            long v = table[i];
            if (v == FREE) {
                return false;
            }
            if (v == id) {
                return true;
            }
        }
    }

    private void add(long id) {
        if (id == FREE) {
            hasZero = true;
            return;
        }
        int i = slot(id);
        while (table[i] != FREE) {
            i = (i + 1) & mask;
        }
        table[i] = id;
    }

    private void remove(long id) {
        if (id == FREE) {
            hasZero = false;
            return;
        }
        int i = slot(id);
        while (table[i] != id) {
            if (table[i] == FREE) {
                return;
            }
            i = (i + 1) & mask;
        }
        // backward-shift deletion: move later entries of the probe run into the hole
        int hole = i;
        for (int j = (hole + 1) & mask; table[j] != FREE; j = (j + 1) & mask) {
            int home = slot(table[j]);
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                table[hole] = table[j];
                hole = j;
            }
        }
        table[hole] = FREE;
    }

    private int slot(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
