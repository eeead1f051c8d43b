package io.imago.client.internal.storage;

import io.imago.client.consumer.TopicPartitionRegInfo;
import java.util.Optional;

/**
 * A consistent (offset, message id) pair taken from a {@link TopicPartitionRegInfo} for a commit.
 * Taking a snapshot of a modified position clears its modified flag under the info's monitor (the
 * one {@code advance} holds), so an advance that races with a commit is never lost; a failed commit
 * gives the flag back with {@link #remark}. Immutable.
 */
public record PositionSnapshot(TopicPartitionRegInfo info, long offset, long messageId) {

    /** The position of {@code info} if it moved since the last commit (its flag is then cleared). */
    public static Optional<PositionSnapshot> takeIfModified(TopicPartitionRegInfo info) {
        synchronized (info) {
            if (!info.isModified()) {
                return Optional.empty();
            }
            info.setModified(false);
            return Optional.of(new PositionSnapshot(info, info.getOffset(), info.getMessageId()));
        }
    }

    /** The position of {@code info}, modified or not (its flag is cleared). */
    public static PositionSnapshot take(TopicPartitionRegInfo info) {
        synchronized (info) {
            info.setModified(false);
            return new PositionSnapshot(info, info.getOffset(), info.getMessageId());
        }
    }

    /** The commit of this snapshot failed: the position must be written by the next commit. */
    public void remark() {
        synchronized (info) {
            info.setModified(true);
        }
    }
}
