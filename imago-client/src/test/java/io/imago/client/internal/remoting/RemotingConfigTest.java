package io.imago.client.internal.remoting;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RemotingConfigTest {
    private final RemotingConfig config = RemotingConfig.defaults(); // 100 ms doubling, at most 2 s

    @Test
    void reconnectDelaysAreSpreadSoClientsThatLostABrokerTogetherDoNotReconnectInStep() {
        Set<Long> delays = IntStream.range(0, 50).mapToObj(i -> config.reconnectBackoffMs(3))
                .collect(Collectors.toSet());
        assertThat(delays).as("delays of the third attempt").hasSizeGreaterThan(1)
                .allSatisfy(d -> assertThat(d).isBetween(200L, 400L));
    }

    @Test
    void aReconnectDelayIsBetweenHalfAndAllOfTheDoublingBackoffCappedAtTheMaximum() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200; i++) {
            assertThat(config.reconnectBackoffMs(1, random)).isBetween(50L, 100L);
            assertThat(config.reconnectBackoffMs(2, random)).isBetween(100L, 200L);
            assertThat(config.reconnectBackoffMs(30, random)).isBetween(1_000L, 2_000L);
        }
    }
}
