package io.imago.client.internal.remoting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.coordination.BackOff;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RemotingConfigTest {
    private final RemotingConfig config = RemotingConfig.defaults(); // 100 ms doubling, at most 2 s

    @Test
    void reconnectsBackOffFrom100MillisecondsDoublingUpTo2Seconds() {
        BackOff backOff = RemotingConfig.defaults().reconnectBackOff();
        long[] expected = {100, 200, 400, 800, 1_600, 2_000, 2_000};
        for (int attempt = 1; attempt <= expected.length; attempt++) {
            assertThat(backOff.delayMs(attempt)).as("attempt %d", attempt).isEqualTo(expected[attempt - 1]);
        }
    }

    @Test
    void aReconnectCapBelowTheInitialDelayIsRefused() {
        RemotingConfig defaults = RemotingConfig.defaults();
        assertThatThrownBy(() -> new RemotingConfig(1, 1_000, 1_000, 1_000, 1, new BackOff(500, 100), 1, 1_024))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("below its initial delay");
        assertThat(defaults.withHeartbeat(200, 1_000).reconnectBackOff()).isEqualTo(defaults.reconnectBackOff());
    }

    @Test
    void reconnectDelaysAreSpreadSoClientsThatLostABrokerTogetherDoNotReconnectInStep() {
        Set<Long> delays = IntStream.range(0, 50)
                .mapToObj(i -> config.reconnectBackoffMs(3))
                .collect(Collectors.toSet());
        assertThat(delays)
                .as("delays of the third attempt")
                .hasSizeGreaterThan(1)
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
