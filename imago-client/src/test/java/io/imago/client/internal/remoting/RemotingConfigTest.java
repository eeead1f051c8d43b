package io.imago.client.internal.remoting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.imago.coordination.BackOff;

class RemotingConfigTest {

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
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below its initial delay");
        assertThat(defaults.withHeartbeat(200, 1_000).reconnectBackOff()).isEqualTo(defaults.reconnectBackOff());
    }
}
