package io.imago.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BackOffTest {
    private final BackOff backOff = new BackOff(100, 2_000);

    @Test
    void noFailureMeansNoPause() {
        assertThat(backOff.delayMs(0)).isZero();
        assertThat(backOff.delayMs(-3)).isZero();
    }

    @Test
    void eachFailureDoublesThePauseUpToTheCap() {
        long[] expected = {100, 200, 400, 800, 1_600, 2_000, 2_000};
        for (int failures = 1; failures <= expected.length; failures++) {
            assertThat(backOff.delayMs(failures))
                    .as("after %d failures", failures)
                    .isEqualTo(expected[failures - 1]);
        }
    }

    @Test
    void theStepFormDoublesTheCurrentPauseFromTheInitialUpToTheCap() {
        BackOff fetches = new BackOff(1, 5_000);
        long[] expected = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 5000, 5000};
        long delay = 0;
        for (long next : expected) {
            delay = fetches.nextDelayMs(delay);
            assertThat(delay).isEqualTo(next);
        }
    }

    @Test
    void theStepFormContinuesFromAPauseSetByAnotherRule() {
        assertThat(backOff.nextDelayMs(300)).isEqualTo(600);
        assertThat(backOff.nextDelayMs(1_500)).isEqualTo(2_000);
        assertThat(backOff.nextDelayMs(5_000)).isEqualTo(2_000);
    }

    @Test
    void aCapBelowTheInitialPauseWins() {
        BackOff capped = new BackOff(100, 30);
        assertThat(capped.delayMs(1)).isEqualTo(30);
        assertThat(capped.delayMs(7)).isEqualTo(30);
        assertThat(capped.nextDelayMs(0)).isEqualTo(30);
        assertThat(new BackOff(1, 0).nextDelayMs(0)).isZero();
    }

    @Test
    void theCountFormStopsDoublingAfterTwentyFailures() {
        BackOff unbounded = new BackOff(1, Long.MAX_VALUE);
        assertThat(unbounded.delayMs(BackOff.MAX_DOUBLINGS + 1)).isEqualTo(1L << 20);
        assertThat(unbounded.delayMs(Integer.MAX_VALUE)).isEqualTo(1L << 20);
    }

    @Test
    void theStepFormNeverOverflows() {
        BackOff unbounded = new BackOff(1, Long.MAX_VALUE);
        assertThat(unbounded.nextDelayMs(Long.MAX_VALUE / 2 + 1)).isEqualTo(Long.MAX_VALUE);
        assertThat(unbounded.nextDelayMs(Long.MAX_VALUE / 2)).isEqualTo(Long.MAX_VALUE - 1);
    }

    @Test
    void refusesANonPositiveInitialPauseAndANegativeCap() {
        assertThatThrownBy(() -> new BackOff(0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initialMs");
        assertThatThrownBy(() -> new BackOff(1, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxMs");
    }
}
