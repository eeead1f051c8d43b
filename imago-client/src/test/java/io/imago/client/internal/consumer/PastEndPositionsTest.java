package io.imago.client.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A fetch offset past the broker's end: when it is checked, when it moves, and what moves with it. */
class PastEndPositionsTest {
    private final FetchSettings settings = new FetchSettings("g", 1, 1_000, 100, 2, 5, 1 << 20, 0, null);
    private final AtomicInteger questions = new AtomicInteger();
    private long end = 40;
    private boolean exact = true;
    private long nowNanos;
    private final PastEndPositions pastEnd = new PastEndPositions(
            settings,
            new PastEndPositions.EndLookup() {
                @Override
                public long maxOffset(FetchTask task) {
                    questions.incrementAndGet();
                    return end;
                }

                @Override
                public boolean knowsExactEnd(FetchTask task) {
                    return exact;
                }
            },
            () -> nowNanos);
    private final FetchTask task = FetchTasks.at(100);

    @Test
    void anOffsetPastAnImagoBrokersEndMovesToItAtTheFirstCheck() throws Exception {
        task.handledBelow = 100;
        pastEnd.onNotFound(task);
        assertThat(task.fetchOffset).isEqualTo(40);
        assertThat(task.position().getOffset()).isEqualTo(40);
        assertThat(task.handledBelow).isEqualTo(40);
        assertThat(pastEnd.moveCount()).isEqualTo(1);
    }

    @Test
    void anOffsetAtTheEndStaysAndTheNextCheckWaitsForTheInterval() throws Exception {
        end = 100;
        pastEnd.onNotFound(task);
        later(PastEndPositions.CHECK_INTERVAL_MS - 1);
        pastEnd.onNotFound(task);
        assertThat(questions).hasValue(1);
        later(1);
        pastEnd.onNotFound(task);
        assertThat(questions).hasValue(2);
        PastEndPositions.onFetchFailed(task); // the broker may have restarted: the next 404 checks at once
        pastEnd.onNotFound(task);
        assertThat(questions).hasValue(3);
        assertThat(task.fetchOffset).isEqualTo(100);
        assertThat(pastEnd.moveCount()).isZero();
    }

    @Test
    void pastAFlushedEndTheMoveWaitsForACheckAnIntervalLaterStillBelowTheFirstOffset() throws Exception {
        exact = false;
        pastEnd.onNotFound(task);
        assertThat(task.fetchOffset).isEqualTo(100);

        later(PastEndPositions.CHECK_INTERVAL_MS);
        task.fetchOffset = 150; // consumed more unflushed data; the broker flushed up to the first offset
        end = 120;
        pastEnd.onNotFound(task);
        assertThat(task.fetchOffset)
                .as("the end reached where the first check was: a flush lag")
                .isEqualTo(150);

        end = 130; // lost data: the end stays below the offset the previous check found...
        PastEndPositions.onFetchFailed(task);
        pastEnd.onNotFound(task);
        assertThat(task.fetchOffset).as("...but not for an interval yet").isEqualTo(150);

        later(PastEndPositions.CHECK_INTERVAL_MS);
        pastEnd.onNotFound(task);
        assertThat(task.fetchOffset).isEqualTo(130);
        assertThat(pastEnd.moveCount()).isEqualTo(1);
    }

    @Test
    void anUnacknowledgedPositionBelowTheEndStaysWhereItIs() throws Exception {
        task.fetchOffset = 60; // transactional: delivered up to 60, acknowledged up to 20
        task.position().advance(20, -1);
        pastEnd.onNotFound(task);
        assertThat(task.fetchOffset).isEqualTo(40);
        assertThat(task.position().getOffset()).isEqualTo(20);
    }

    private void later(long ms) {
        nowNanos += TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
