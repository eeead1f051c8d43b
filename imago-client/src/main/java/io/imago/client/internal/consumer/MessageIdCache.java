package io.imago.client.internal.consumer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the messages a consumer delivered most recently, to drop a message delivered twice
 * (a resync with {@code offset} goes back to a segment start, spec section 9.1 quirk 6). Ids are
 * unique across brokers (they carry the broker id), so one cache serves every partition of a
 * consumer. Least-recently-seen ids are evicted beyond the capacity (MetaQ's default 4096,
 * system property {@code metaq.consumer.message_ids.lru_cache.size}). Thread-safe (synchronized:
 * one short critical section per delivered message).
 */
public final class MessageIdCache {
    public static final int DEFAULT_CAPACITY =
            Integer.getInteger("metaq.consumer.message_ids.lru_cache.size", 4096);

    private final Map<Long, Boolean> ids;

    public MessageIdCache(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0: " + capacity);
        }
        this.ids = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Records the id; false when it was already there (a duplicate to drop). */
    public synchronized boolean firstSeen(long messageId) {
        return ids.put(messageId, Boolean.TRUE) == null;
    }

    /** Whether the id was recorded and not yet evicted (does not refresh it). */
    public synchronized boolean contains(long messageId) {
        return ids.containsKey(messageId);
    }

    public synchronized int size() {
        return ids.size();
    }
}
