package io.imago.client.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.cluster.Partition;
import org.junit.jupiter.api.Test;

class FetchStateTest {
    private final FetchState state =
            new FetchState(new TopicPartitionRegInfo("t", new Partition(0, 1), 0), 1024, 2 << 20, 5, 5000);

    @Test
    void emptyAnswersDoubleTheBackOffFromOneMillisecondUpToTheMaximum() {
        long[] expected = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 5000, 5000};
        for (long delay : expected) {
            state.onNothing();
            assertThat(state.delayMs()).isEqualTo(delay);
        }
        state.onDelivered(100);
        assertThat(state.delayMs()).isZero();
    }

    @Test
    void anEmptyAnswerAfterAListenerFailureDoublesTheListenersDelay() {
        state.onListenerFailure();
        assertThat(state.delayMs()).isEqualTo(500);
        state.onNothing();
        assertThat(state.delayMs()).isEqualTo(1000);
    }

    @Test
    void theSizeDoublesAfterFiveAnswersWithoutAWholeMessageAndShrinksBack() {
        for (int i = 0; i < 4; i++) {
            assertThat(state.onIncompleteOnly(1024, 1500)).isFalse();
        }
        assertThat(state.maxSize()).isEqualTo(1024);
        state.onIncompleteOnly(1024, 1500);
        assertThat(state.maxSize()).isEqualTo(2048);
        state.onDelivered(2000);
        assertThat(state.maxSize()).isEqualTo(2048);
        state.onDelivered(100);
        assertThat(state.maxSize()).isEqualTo(1024);
    }

    @Test
    void theSizeGrowsToTheCapThenTheRecordIsStuckAfterFiveMoreAnswers() {
        int answers = 0;
        while (!state.onIncompleteOnly(state.maxSize(), 2 << 20)) {
            answers++;
            assertThat(answers).isLessThan(200);
        }
        assertThat(state.maxSize()).isEqualTo(2 << 20);
        assertThat(answers).isEqualTo(11 * 5 + 4); // 1 KiB doubled 11 times after 5 answers each, then 4 + this one
        assertThat(state.delayMs()).isEqualTo(16); // stuck answers back off
    }

    @Test
    void aRecordOverTheCapDoesNotGrowTheSizeAndIsStuckAfterFiveAnswers() {
        for (int i = 0; i < 4; i++) {
            assertThat(state.onIncompleteOnly(1024, (2 << 20) + 1)).isFalse();
        }
        assertThat(state.onIncompleteOnly(1024, (2 << 20) + 1)).isTrue();
        assertThat(state.maxSize()).isEqualTo(1024);
    }

    @Test
    void anAnswerShorterThanAskedCannotGrowAndIsStuckAfterFiveOfThemWithBackOff() {
        for (int i = 0; i < 4; i++) {
            assertThat(state.onIncompleteOnly(60, 1 << 30)).isFalse();
        }
        assertThat(state.onIncompleteOnly(60, 1 << 30)).isTrue();
        assertThat(state.onIncompleteOnly(60, 1 << 30)).isTrue();
        assertThat(state.maxSize()).isEqualTo(1024);
        assertThat(state.delayMs()).isEqualTo(32);
        state.moveTo(500);
        assertThat(state.onIncompleteOnly(60, 1 << 30)).isFalse();
    }

    @Test
    void aMoveSetsThePositionAndClearsTheDelay() {
        state.onNothing();
        state.moveTo(120);
        assertThat(state.position().getOffset()).isEqualTo(120);
        assertThat(state.delayMs()).isZero();
    }
}
