package io.imago.client.internal.consumer;

import io.imago.Message;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the messages of one fetched answer to a partition's listener, one at a time and in order
 * (the delivery half of the fetch loop, {@link FetchManager} being the scheduling half): a message
 * below {@link FetchTask#handledBelow} (read again after a resync) is passed over, a message
 * whose id the {@link MessageIdCache} holds (delivered and acknowledged) is skipped as a duplicate
 * (except below the task's replay offset, after a rollback), a message the subscription's filter rejects is skipped, the others
 * go to the listener through {@link ListenerCalls}. A delivered message advances the fetch offset and
 * the position by its bytes (the position on ack only, in transactional consumption). A failure of
 * the listener (any {@code Throwable}, JVM errors included) or of the filter leaves the position on
 * the message (it is fetched again after the back-off its {@link FetchState} sets); after
 * {@code maxFetchRetries} retries the message goes to the {@link RecoverManager}, reported once, and
 * delivery moves on.
 *
 * <p>Threading: a fetch thread calls {@link #deliverAll} while holding the task's monitor, so a task's
 * fields and state are touched by one thread at a time; the counters are {@link LongAdder}s and the id
 * cache and recover manager are thread-safe, so one instance serves every fetch thread. Thread-safe.
 */
final class MessageDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(MessageDelivery.class);

    /** How the delivery of a fetched answer ended. */
    enum Outcome {
        DELIVERED,
        INCOMPLETE,
        LISTENER_FAILED,
        ROLLED_BACK,
        CORRUPT,
        STOPPED
    }

    private final FetchSettings settings;
    private final MessageIdCache idCache;
    private final RecoverManager recover;
    private final BooleanSupplier stopped;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder recovered = new LongAdder();

    /**
     * @param settings the group and {@code maxFetchRetries}
     * @param idCache the ids delivered and acked most recently, shared by every partition of the consumer
     * @param recover where a message goes after too many listener failures
     * @param stopped whether the fetch loop stops (delivery ends before the next message)
     */
    MessageDelivery(FetchSettings settings, MessageIdCache idCache, RecoverManager recover, BooleanSupplier stopped) {
        this.settings = settings;
        this.idCache = idCache;
        this.recover = recover;
        this.stopped = stopped;
    }

    /** Messages delivered to listeners so far. */
    long deliveredCount() {
        return delivered.sum();
    }

    /** Messages skipped because their id had been delivered already. */
    long duplicateCount() {
        return duplicates.sum();
    }

    /** Messages handed to the recover store after too many listener failures. */
    long recoveredCount() {
        return recovered.sum();
    }

    /**
     * Delivers the answer's messages in order until one fails, the partition is revoked or the answer
     * ends. Called under the task's monitor.
     */
    Outcome deliverAll(FetchTask task, FetchedMessageIterator it) throws MetaClientException, InterruptedException {
        while (it.hasNext()) {
            if (task.revoked || stopped.getAsBoolean()) {
                return Outcome.STOPPED;
            }
            Message message;
            try {
                message = it.next();
            } catch (MetaClientException e) {
                return corrupt(task, it, e);
            }
            long end = it.nextOffset();
            if (message.getOffset() < task.handledBelow) {
                duplicates.increment(); // read again after a resync: handled already
                task.fetchOffset = end;
                continue;
            }
            if (message.getOffset() >= task.replayBelow && idCache.contains(message.getId())) {
                duplicates.increment();
            } else if (!filterAndDeliver(task, message)) {
                return Outcome.LISTENER_FAILED;
            }
            if (!consumed(task, end, message.getId())) {
                return Outcome.ROLLED_BACK;
            }
        }
        return it.consumedBytes() > 0 ? Outcome.DELIVERED : Outcome.INCOMPLETE;
    }

    /**
     * The next record is corrupt. Below {@link FetchTask#handledBelow} (re-read after a resync, and
     * corrupt since it was handled) the fetch jumps to that offset: nothing below it is needed again.
     * Otherwise the records before it were delivered (the next fetch starts at it), or it is the
     * first of the answer: CORRUPT, and {@link UndeliverableRecords} decides (resync, or skip).
     */
    private static Outcome corrupt(FetchTask task, FetchedMessageIterator it, MetaClientException e) {
        long at = it.nextOffset();
        if (at < task.handledBelow) {
            task.fetchOffset = task.handledBelow;
            return Outcome.DELIVERED;
        }
        if (it.consumedBytes() > 0) {
            return Outcome.DELIVERED;
        }
        task.corruption = (e.getCause() != null ? e.getCause() : e).getMessage();
        return Outcome.CORRUPT;
    }

    /**
     * Asks the filter, then the listener; true when the message was handled (rejected by the filter,
     * delivered, or stored for recovery), false when it failed and is to be fetched again after the
     * back-off. A filter that throws fails the delivery like the listener would: back-off, retries,
     * then the recover store (whose rounds hand the message to the listener without the filter).
     */
    private boolean filterAndDeliver(FetchTask task, Message message) throws MetaClientException, InterruptedException {
        Throwable failure = null;
        String failed = "filter";
        task.listenerCallStarts(message.getId());
        try {
            try {
                if (!task.subscription.accepts(settings.group(), message)) {
                    return true;
                }
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            if (failure == null) {
                failure = ListenerCalls.deliver(task.subscription.listener(), message);
                failed = "listener";
            }
        } finally {
            task.listenerCallEnded();
        }
        if (failure != null && !handToRecoverAfterRetries(task, message, failed, failure)) {
            return false;
        }
        task.state.onListenerDone();
        task.unacked.add(message.getId()); // enters the id cache when acked (consumed)
        delivered.increment();
        return true;
    }

    /**
     * Counts a failed delivery; true when the message was stored for recovery (consumption moves on).
     * Reported once, at WARN, when the message goes to the recover store; the retries log at DEBUG.
     */
    private boolean handToRecoverAfterRetries(FetchTask task, Message message, String failed, Throwable failure)
            throws MetaClientException {
        int failures = task.state.onListenerFailure();
        if (failures <= settings.maxFetchRetries()) {
            LOG.debug(
                    "The {} of group {} failed on message {} of {} ({} times): {}",
                    failed,
                    settings.group(),
                    message.getId(),
                    task,
                    failures,
                    failure.toString());
            return false;
        }
        recover.store(message);
        recovered.increment();
        LOG.warn(
                "The {} of group {} failed {} times on message {} of {}; kept in the recover store: {}",
                failed,
                settings.group(),
                failures,
                message.getId(),
                task,
                failure.toString());
        return true;
    }

    /**
     * The message ending at {@code end} was handled: the next fetch starts there, and the position
     * follows unless transactional consumption waits for an ack. The ids handled since the last ack
     * enter the id cache only with the position (so a partition revoked before its ack, and claimed
     * again, delivers those messages again instead of skipping them as duplicates). False after a
     * rollback, which rewinds the fetch to the position (the last ack) and forgets those ids.
     */
    private boolean consumed(FetchTask task, long end, long messageId) {
        Partition p = task.partition();
        task.fetchOffset = end;
        if (p.isRolledBack()) {
            p.resetAckState();
            task.unacked.clear(); // delivered again: not duplicates
            task.replayBelow = Math.max(task.replayBelow, end);
            task.fetchOffset = task.position().getOffset();
            task.handledBelow = Math.min(task.handledBelow, task.fetchOffset);
            return false;
        }
        if (p.isAutoAck() || p.isAcked()) {
            // never backwards: after a resync to a segment start, re-read messages do not move the
            // committed position below what was already consumed
            if (end > task.position().getOffset()) {
                task.position().advance(end, messageId);
            }
            p.resetAckState();
            task.unacked.ackInto(idCache);
        }
        return true;
    }
}
