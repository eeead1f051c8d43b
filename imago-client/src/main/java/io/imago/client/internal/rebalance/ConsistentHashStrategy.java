package io.imago.client.internal.rebalance;

import io.imago.client.consumer.LoadBalanceStrategy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * MetaQ's {@code CONSIST} strategy: a ketama ring. Each consumer puts {@value #POINTS_PER_CONSUMER}
 * points on a ring of unsigned 32-bit values: for {@code i} in {@code 0..39}, the MD5 digest of
 * {@code <consumerId>-<i>} read as four little-endian 32-bit words. A partition hashes to the first
 * little-endian word of the MD5 of its {@code <brokerId>-<p>} string and belongs to the consumer of
 * the first point at or after that hash, wrapping to the ring's first point. When two points
 * collide, the consumer later in the sorted list keeps it (as in the original, which fills a map in
 * list order). Strings are hashed as UTF-8. Stateless; thread-safe.
 */
public final class ConsistentHashStrategy implements LoadBalanceStrategy {
    static final int POINTS_PER_CONSUMER = 160;
    private static final int POINTS_PER_DIGEST = 4;

    @Override
    public List<String> partitionsFor(String consumerId, List<String> consumers, List<String> partitions) {
        NavigableMap<Long, String> ring = ring(consumers);
        List<String> mine = new ArrayList<>();
        for (String partition : partitions) {
            if (consumerId.equals(owner(ring, partition))) {
                mine.add(partition);
            }
        }
        return List.copyOf(mine);
    }

    /** The consumer that owns {@code partition} on the ring of {@code consumers}, or null if there are none. */
    static String owner(NavigableMap<Long, String> ring, String partition) {
        Map.Entry<Long, String> entry = ring.ceilingEntry(littleEndianWord(md5(partition), 0));
        if (entry == null) {
            entry = ring.firstEntry();
        }
        return entry == null ? null : entry.getValue();
    }

    static NavigableMap<Long, String> ring(List<String> consumers) {
        TreeMap<Long, String> ring = new TreeMap<>();
        for (String consumer : consumers) {
            for (int i = 0; i < POINTS_PER_CONSUMER / POINTS_PER_DIGEST; i++) {
                byte[] digest = md5(consumer + "-" + i);
                for (int word = 0; word < POINTS_PER_DIGEST; word++) {
                    ring.put(littleEndianWord(digest, word), consumer);
                }
            }
        }
        return ring;
    }

    /** Word {@code index} of {@code digest} as an unsigned little-endian 32-bit value. */
    static long littleEndianWord(byte[] digest, int index) {
        int base = index * 4;
        return (digest[base + 3] & 0xFFL) << 24
                | (digest[base + 2] & 0xFFL) << 16
                | (digest[base + 1] & 0xFFL) << 8
                | (digest[base] & 0xFFL);
    }

    static byte[] md5(String text) {
        try {
            return MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide MD5 (MessageDigest's javadoc).
            throw new IllegalStateException("MD5 is not available", e);
        }
    }
}
