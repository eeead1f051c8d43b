package io.imago.client.internal.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ConsistentHashStrategyTest {
    private static final List<String> TEN =
            IntStream.range(0, 10).mapToObj(p -> "0-" + p).toList();
    private static final ConsistentHashStrategy STRATEGY = new ConsistentHashStrategy();

    /** Expected values computed independently (Python's hashlib over the same ketama rule). */
    @Test
    void threeConsumersOverTenPartitionsMatchTheKetamaRing() {
        List<String> consumers = consumers(3);
        assertThat(shares(consumers, TEN))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "group_consumer0", List.of("0-1", "0-3", "0-4"),
                        "group_consumer1", List.of("0-0", "0-2", "0-5", "0-6"),
                        "group_consumer2", List.of("0-7", "0-8", "0-9")));
    }

    @Test
    void fourConsumersOverTenPartitionsMatchTheKetamaRing() {
        assertThat(shares(consumers(4), TEN))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "group_consumer0", List.of("0-1", "0-3"),
                        "group_consumer1", List.of("0-0", "0-2", "0-5", "0-6"),
                        "group_consumer2", List.of("0-7", "0-8"),
                        "group_consumer3", List.of("0-4", "0-9")));
    }

    @Test
    void ringWordsAreLittleEndianAndUnsigned() {
        byte[] digest = {(byte) 0x01, (byte) 0x02, (byte) 0x03, (byte) 0xF4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(ConsistentHashStrategy.littleEndianWord(digest, 0)).isEqualTo(0xF4030201L);
        assertThat(ConsistentHashStrategy.ring(List.of("g_a"))).hasSize(ConsistentHashStrategy.POINTS_PER_CONSUMER);
    }

    static Map<String, List<String>> shares(List<String> consumers, List<String> partitions) {
        Map<String, List<String>> shares = new HashMap<>();
        for (String consumer : consumers) {
            shares.put(consumer, STRATEGY.partitionsFor(consumer, consumers, partitions));
        }
        return shares;
    }

    static Map<String, String> owners(Map<String, List<String>> shares) {
        Map<String, String> owners = new HashMap<>();
        shares.forEach((consumer, partitions) -> partitions.forEach(p -> owners.put(p, consumer)));
        return owners;
    }

    static List<String> consumers(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> "group_consumer" + i)
                .sorted()
                .toList();
    }

    static List<String> partitions(int count) {
        return IntStream.range(0, count)
                .mapToObj(p -> (p % 3) + "-" + p)
                .sorted()
                .toList();
    }
}
