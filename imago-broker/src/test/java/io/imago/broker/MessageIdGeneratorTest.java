package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MessageIdGeneratorTest {

    /** A clock a test moves by hand. */
    private static final class HandClock extends Clock {
        final AtomicLong millis =
                new AtomicLong(Instant.parse("2026-11-25T00:00:00Z").toEpochMilli());

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    @Test
    void idsArePositiveAndCarryTheBrokerId() {
        MessageIdGenerator ids = new MessageIdGenerator(1023, Clock.systemUTC());
        long id = ids.nextId();
        assertThat(id).isPositive();
        assertThat(MessageIdGenerator.brokerIdOf(id)).isEqualTo(1023);
    }

    @Test
    void idsAreUniqueAndIncreasingWithinOneMillisecondBeyondTheSequenceSpace() {
        HandClock clock = new HandClock();
        MessageIdGenerator ids = new MessageIdGenerator(7, clock);
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 10_000; i++) {
            long id = ids.nextId();
            assertThat(id).isGreaterThan(previous);
            previous = id;
        }
    }

    @Test
    void aClockSteppingBackNeverRepeatsAnId() {
        HandClock clock = new HandClock();
        MessageIdGenerator ids = new MessageIdGenerator(3, clock);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            seen.add(ids.nextId());
        }
        clock.millis.addAndGet(-5_000);
        for (int i = 0; i < 100; i++) {
            assertThat(seen.add(ids.nextId())).isTrue();
        }
    }

    @Test
    void twoBrokersNeverShareAnId() {
        HandClock clock = new HandClock();
        MessageIdGenerator a = new MessageIdGenerator(1, clock);
        MessageIdGenerator b = new MessageIdGenerator(2, clock);
        assertThat(a.nextId()).isNotEqualTo(b.nextId());
    }

    @Test
    void brokerIdOutsideTenBitsIsRefused() {
        assertThatThrownBy(() -> new MessageIdGenerator(1024, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1024");
    }

    @Test
    void aBatchOfIdsIsConsecutiveAndNeverOverlapsSingleIds() {
        HandClock clock = new HandClock();
        MessageIdGenerator ids = new MessageIdGenerator(7, clock);
        Set<Long> seen = new HashSet<>();
        long single = ids.nextId();
        seen.add(single);
        long first = ids.nextIds(100);
        assertThat(first).isEqualTo(single + 1);
        for (int i = 0; i < 100; i++) {
            assertThat(seen.add(first + i)).isTrue();
            assertThat(MessageIdGenerator.brokerIdOf(first + i)).isEqualTo(7);
        }
        assertThat(seen.add(ids.nextId())).isTrue();
        assertThat(ids.nextId()).isEqualTo(first + 101);
    }

    @Test
    void aBatchThatDoesNotFitTheMillisecondMovesWhollyToTheNextOne() {
        HandClock clock = new HandClock();
        MessageIdGenerator ids = new MessageIdGenerator(1, clock);
        long a = ids.nextIds(4000);
        long b = ids.nextIds(200); // 4000 + 200 > 4096: the whole batch borrows the next millisecond
        assertThat(b & 0xFFF).isZero();
        assertThat(b).isGreaterThan(a + 3999);
        assertThat((b + 199) & 0xFFF).isEqualTo(199);
        long c = ids.nextIds(MessageIdGenerator.MAX_BATCH_IDS);
        assertThat(c & 0xFFF).isZero();
        assertThat((c + 4095) & 0xFFF).isEqualTo(4095);
        assertThat(ids.nextId()).isGreaterThan(c + 4095);
        clock.millis.addAndGet(10);
        assertThat(ids.nextIds(1) & 0xFFF).isZero();
        assertThatThrownBy(() -> ids.nextIds(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ids.nextIds(4097)).isInstanceOf(IllegalArgumentException.class);
    }
}
