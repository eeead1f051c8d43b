package io.imago.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The two forms of the rule agree, and every pause stays within its bounds. */
class BackOffProperties {

    @Property(tries = 300)
    void countingFailuresAndDoublingTheCurrentPauseGiveTheSamePauses(
            @ForAll @LongRange(min = 1, max = 100_000) long initialMs,
            @ForAll @IntRange(min = 0, max = 1 << BackOff.MAX_DOUBLINGS) int capFactor,
            @ForAll @IntRange(min = 0, max = 40) int failures) {
        BackOff backOff = new BackOff(initialMs, initialMs * capFactor);
        long stepped = 0;
        for (int i = 0; i < failures; i++) {
            stepped = backOff.nextDelayMs(stepped);
        }
        assertThat(backOff.delayMs(failures)).isEqualTo(stepped);
    }

    @Property(tries = 300)
    void everyPauseAfterAFailureIsBetweenTheInitialPauseAndTheCap(
            @ForAll @LongRange(min = 1, max = 100_000) long initialMs,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long maxMs,
            @ForAll @IntRange(min = 1, max = 100) int failures) {
        BackOff backOff = new BackOff(initialMs, maxMs);
        long delay = backOff.delayMs(failures);
        assertThat(delay).isLessThanOrEqualTo(maxMs).isGreaterThanOrEqualTo(Math.min(initialMs, maxMs));
        assertThat(backOff.delayMs(failures + 1)).isGreaterThanOrEqualTo(delay);
    }
}
