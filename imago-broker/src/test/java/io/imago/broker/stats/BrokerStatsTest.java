package io.imago.broker.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.broker.stats.BrokerStats.Realtime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class BrokerStatsTest {

    /** A clock the test moves by hand. */
    private static final class HandClock extends Clock {
        long millis = 1_000_000;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    private final HandClock clock = new HandClock();
    private final BrokerStats stats = new BrokerStats(clock);

    @Test
    void realtimeReadsNullUntilAStatTopicRecordsSomething() {
        stats.put("quiet", false, 10);
        assertThat(stats.renderRealtime(Realtime.PUT)).isEqualTo("null");
        assertThat(stats.renderRealtime(Realtime.PUT, "quiet")).isEqualTo("null");
        assertThat(stats.cmdPut.sum()).as("totals count every topic").isEqualTo(1);
    }

    @Test
    void realtimeIsFormattedLikeMetaStatLog() {
        clock.millis += 4_000;
        stats.put("t", true, 10);
        stats.put("t", true, 15);
        stats.put("u", true, 1);
        assertThat(stats.renderRealtime(Realtime.PUT, "t"))
                .isEqualTo("Count=2,Value=2,Value/Count=1,Count/Duration=0.5,Duration=4");
        assertThat(stats.renderRealtime(Realtime.MESSAGE_SIZE, "t"))
                .isEqualTo("Count=2,Value=25,Value/Count=12.5,Count/Duration=0.5,Duration=4");
        assertThat(stats.renderRealtime(Realtime.PUT))
                .isEqualTo("Count=3,Value=3,Value/Count=1,Count/Duration=0.75,Duration=4");
        assertThat(stats.renderRealtime(Realtime.PUT, "other")).isEqualTo("Invalid keyTwo:other");
    }

    @Test
    void resetZeroesTheCountersAndRestartsTheDuration() {
        clock.millis += 2_000;
        stats.get("t", true);
        stats.resetRealtime();
        assertThat(stats.renderRealtime(Realtime.GET, "t"))
                .isEqualTo("Count=0,Value=0,Value/Count=invalid,Count/Duration=invalid,Duration=0");
        assertThat(stats.cmdGet.sum()).as("totals are not reset").isEqualTo(1);
    }
}
