package io.imago.client.internal.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.client.consumer.ConsumerConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ConsumerIdGeneratorTest {
    private final ConsumerIdGenerator generator = new ConsumerIdGenerator(
            "127.0.0.1", 13181, Clock.fixed(Instant.ofEpochMilli(1795639330297L), ZoneOffset.UTC));

    @Test
    void anUnconfiguredIdIsTheGroupThenIpPidMillisAndCounter() {
        String first = generator.consumerId(new ConsumerConfig("grp1"));
        String second = generator.consumerId(new ConsumerConfig("grp1"));
        assertThat(first).matches("grp1_127\\.0\\.0\\.1-13181-1795639330297-\\d+");
        assertThat(second).isNotEqualTo(first);
        long firstCounter = Long.parseLong(first.substring(first.lastIndexOf('-') + 1));
        assertThat(second).endsWith("-" + (firstCounter + 1));
    }

    @Test
    void aConfiguredIdFollowsTheGroup() {
        ConsumerConfig config = new ConsumerConfig("grp1");
        config.setConsumerId("worker-7");
        assertThat(generator.consumerId(config)).isEqualTo("grp1_worker-7");
    }

    @Test
    void theLocalAddressIsALiteralAddress() {
        assertThat(ConsumerIdGenerator.localIp()).matches("[0-9a-fA-F.:%\\w]+");
    }
}
