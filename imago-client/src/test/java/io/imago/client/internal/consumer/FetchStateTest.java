package io.imago.client.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.cluster.Partition;
import io.imago.client.consumer.TopicPartitionRegInfo;
import org.junit.jupiter.api.Test;

class FetchStateTest {
    private final FetchState state = new FetchState(new TopicPartitionRegInfo("t", new Partition(0, 1), 0),
            1024, 2 << 20, 5, 5000);

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
            state.onIncompleteOnly();
        }
        assertThat(state.maxSize()).isEqualTo(1024);
        state.onIncompleteOnly();
        assertThat(state.maxSize()).isEqualTo(2048);
        state.onDelivered(2000);
        assertThat(state.maxSize()).isEqualTo(2048);
        state.onDelivered(100);
        assertThat(state.maxSize()).isEqualTo(1024);
    }

    @Test
    void theSizeNeverGrowsPastTheCap() {
        for (int i = 0; i < 200; i++) {
            state.onIncompleteOnly();
        }
        assertThat(state.maxSize()).isEqualTo(2 << 20);
    }

    @Test
    void aMoveSetsThePositionAndClearsTheDelay() {
        state.onNothing();
        state.moveTo(120);
        assertThat(state.position().getOffset()).isEqualTo(120);
        assertThat(state.delayMs()).isZero();
    }
}
