package io.imago.client.internal.consumer;

import io.imago.exception.MetaClientException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fetch position past the end of the broker's log (issue 12 item 2): a promoted slave, a broker
 * restarted on lost or emptied data, or a position stored by hand. With {@code updateConsumerOffsets}
 * off the broker answers such a {@code get} with 404, as when the consumer has caught up, and the
 * messages written later at offsets below the position would never be delivered. The policy, like
 * Kafka's {@code auto.offset.reset=latest} and like the broker's own {@code updateConsumerOffsets}:
 * <ul>
 *   <li>after a 404 that a long poll did not hold (a held one was at the end exactly), at most once per
 *       {@value #CHECK_INTERVAL_MS} ms per partition, and at once after a failed fetch (the broker may
 *       have restarted) or a new assignment, the broker is asked its end ({@code offset} at
 *       {@code Long.MAX_VALUE}; 0 for a partition it does not hold);</li>
 *   <li>a fetch offset past that end moves to it: one WARN naming group, partition, offset and end,
 *       counted; the position moves back with it (a transactional consumer's unacknowledged position
 *       only if it is past the end too). Offsets from the end up are read as new: the id cache, not the
 *       old position, decides what is a duplicate;</li>
 *   <li>the original broker's end is its flushed end, which a consumer that read unflushed data is
 *       past for a while: there the move waits for a check at least {@value #CHECK_INTERVAL_MS} ms
 *       after the first that finds the end still below the offset the first one found (a flush would
 *       have reached it).</li>
 * </ul>
 * Messages written at or above the end between the loss and the check are delivered; messages the
 * broker holds below its end are not (they were below the position).
 *
 * <p>Threading: a fetch thread calls it while holding the task's monitor; the counter is a
 * {@link LongAdder}. Thread-safe.
 */
final class PastEndPositions {
    private static final Logger LOG = LoggerFactory.getLogger(PastEndPositions.class);

    /** The shortest time between two checks of one partition. */
    static final long CHECK_INTERVAL_MS = 15_000;

    /** What the broker of a task's partition says of its end ({@link OffsetQueries}). */
    interface EndLookup {
        /** The partition's max offset on its broker; 0 when the broker does not hold it. */
        long maxOffset(FetchTask task) throws MetaClientException, InterruptedException;

        /** Whether that max offset is the end a get can read (an Imago broker), not the flushed end. */
        boolean knowsExactEnd(FetchTask task) throws MetaClientException;
    }

    private final FetchSettings settings;
    private final EndLookup offsets;
    private final LongSupplier nanoClock;
    private final LongAdder moves = new LongAdder();

    /** {@code nanoClock}: {@link System#nanoTime()} but in tests. */
    PastEndPositions(FetchSettings settings, EndLookup offsets, LongSupplier nanoClock) {
        this.settings = settings;
        this.offsets = offsets;
        this.nanoClock = nanoClock;
    }

    /** Fetch offsets moved back to the broker's end. */
    long moveCount() {
        return moves.sum();
    }

    /** A fetch failed: the broker may have restarted on other data, so the next 404 checks at once. */
    static void onFetchFailed(FetchTask task) {
        task.endCheckDue = true;
    }

    /** The task's {@code get} found nothing (404) without a long poll holding it: checks the end if due. */
    void onNotFound(FetchTask task) throws InterruptedException {
        long now = nanoClock.getAsLong();
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(CHECK_INTERVAL_MS);
        if (!task.endCheckDue && now - task.lastEndCheckNanos < intervalNanos) {
            return;
        }
        task.endCheckDue = false;
        task.lastEndCheckNanos = now;
        long end;
        boolean exact;
        try {
            end = offsets.maxOffset(task);
            exact = offsets.knowsExactEnd(task);
        } catch (MetaClientException e) {
            LOG.debug("Could not ask the end of {} for group {}: {}", task, settings.group(), e.getMessage());
            return;
        }
        if (task.fetchOffset <= end) {
            task.pastEndSuspect = -1;
        } else if (exact
                || (task.pastEndSuspect >= 0
                        && end < task.pastEndSuspect
                        && now - task.pastEndSuspectNanos >= intervalNanos)) {
            moveToEnd(task, end);
        } else if (task.pastEndSuspect < 0 || end >= task.pastEndSuspect) {
            task.pastEndSuspect = task.fetchOffset; // (again) past a flushed end: confirm later
            task.pastEndSuspectNanos = now;
        }
    }

    private void moveToEnd(FetchTask task, long end) {
        LOG.warn(
                "Offset {} of {} for group {} is past the end of the broker's log ({}): a promoted slave, lost"
                        + " data, or an offset set by hand. Moved to {}: messages written from there on are delivered",
                task.fetchOffset,
                task,
                settings.group(),
                end,
                end);
        moves.increment();
        task.fetchOffset = end;
        task.handledBelow = Math.min(task.handledBelow, end);
        task.replayBelow = Math.min(task.replayBelow, end);
        task.lastCorruptOffset = -1;
        task.lastStuckOffset = -1;
        task.pastEndSuspect = -1;
        if (task.position().getOffset() > end) {
            task.state.moveTo(end);
        }
    }
}
