package io.imago.client.internal.rebalance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The expected ranges are worked out by hand from n = P / C, extra = P % C, start = n*i + min(i, extra). */
@Timeout(10)
class DefaultLoadBalanceStrategyTest {
    private static final List<String> TEN =
            IntStream.range(0, 10).mapToObj(p -> "0-" + p).toList();
    private final DefaultLoadBalanceStrategy strategy = new DefaultLoadBalanceStrategy();

    @Test
    void threeConsumersOverTenPartitionsTakeFourThreeThree() {
        // n = 3, extra = 1: c0 starts at 0 and takes 4; c1 starts at 3+1 = 4; c2 starts at 6+1 = 7.
        List<String> consumers = List.of("g_c0", "g_c1", "g_c2");
        assertThat(strategy.partitionsFor("g_c0", consumers, TEN)).containsExactly("0-0", "0-1", "0-2", "0-3");
        assertThat(strategy.partitionsFor("g_c1", consumers, TEN)).containsExactly("0-4", "0-5", "0-6");
        assertThat(strategy.partitionsFor("g_c2", consumers, TEN)).containsExactly("0-7", "0-8", "0-9");
    }

    @Test
    void fourConsumersOverTenPartitionsTakeThreeThreeTwoTwo() {
        // n = 2, extra = 2: starts 0, 2+1 = 3, 4+2 = 6, 6+2 = 8.
        List<String> consumers = List.of("g_c0", "g_c1", "g_c2", "g_c3");
        assertThat(strategy.partitionsFor("g_c0", consumers, TEN)).containsExactly("0-0", "0-1", "0-2");
        assertThat(strategy.partitionsFor("g_c1", consumers, TEN)).containsExactly("0-3", "0-4", "0-5");
        assertThat(strategy.partitionsFor("g_c2", consumers, TEN)).containsExactly("0-6", "0-7");
        assertThat(strategy.partitionsFor("g_c3", consumers, TEN)).containsExactly("0-8", "0-9");
    }

    @Test
    void rangesFollowTheStringOrderOfPartitions() {
        // Sorted as strings: 0-0, 0-1, 0-10, 0-11, 0-2, ... so 0-10 and 0-11 belong to the first range.
        List<String> twelve =
                IntStream.range(0, 12).mapToObj(p -> "0-" + p).sorted().toList();
        assertThat(strategy.partitionsFor("g_a", List.of("g_a", "g_b", "g_c"), twelve))
                .containsExactly("0-0", "0-1", "0-10", "0-11");
    }

    @Test
    void consumersBeyondThePartitionCountGetNothing() {
        List<String> consumers = List.of("g_a", "g_b", "g_c");
        List<String> two = List.of("0-0", "0-1");
        assertThat(strategy.partitionsFor("g_a", consumers, two)).containsExactly("0-0");
        assertThat(strategy.partitionsFor("g_b", consumers, two)).containsExactly("0-1");
        assertThat(strategy.partitionsFor("g_c", consumers, two)).isEmpty();
    }

    @Test
    void anUnknownConsumerIsRefused() {
        assertThatThrownBy(() -> strategy.partitionsFor("g_x", List.of("g_a"), TEN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("g_x");
    }
}
