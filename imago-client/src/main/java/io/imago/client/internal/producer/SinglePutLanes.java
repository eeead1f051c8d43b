package io.imago.client.internal.producer;

import io.imago.exception.MessageNotSentException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-partition order for single puts (batching off, the original broker, a message too big for a
 * batch), as {@link PutBatcher}'s lanes keep it for batches (issue 12 item 14): the first failed put
 * of a partition stops its lane, and every put to it then fails with {@link MessageNotSentException}
 * without being sent, until the puts already in flight there have completed; so nothing sent after a
 * failure was known is stored behind the gap it left. Puts in flight when it failed (sent before it
 * was known) may still be stored. Thread-safe.
 */
final class SinglePutLanes {
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    /**
     * Counts a put to {@code lane} in flight.
     *
     * @throws MessageNotSentException when the lane is stopped by an earlier failure
     */
    void admit(String lane) throws MessageNotSentException {
        lanes.computeIfAbsent(lane, k -> new Lane()).admit(lane);
    }

    /** A put admitted to {@code lane} completed, or failed with {@code failure} (null on success). */
    void finished(String lane, Throwable failure) {
        Lane l = lanes.get(lane);
        if (l != null) {
            l.finished(failure);
        }
    }

    private static final class Lane {
        private int inFlight;
        private String stoppedBy;

        synchronized void admit(String name) throws MessageNotSentException {
            if (stoppedBy != null) {
                throw new MessageNotSentException("Not sent: an earlier put to " + name + " failed (" + stoppedBy
                        + "); sends to it resume once the puts in flight there have completed");
            }
            inFlight++;
        }

        synchronized void finished(Throwable failure) {
            inFlight--;
            if (failure != null) {
                stoppedBy = String.valueOf(failure.getMessage());
            }
            if (inFlight == 0) {
                stoppedBy = null; // everything sent before the failure has completed: the lane resumes
            }
        }
    }
}
