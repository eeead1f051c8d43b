package io.imago.client.internal.consumer;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.client.internal.rebalance.PartitionAssignment;
import io.imago.cluster.Partition;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One owned partition in the fetch loop: its assignment (whose position is what may be committed),
 * its {@link FetchState}, the offset the next fetch starts at (ahead of the position while
 * transactional consumption waits for an ack) and when it may be fetched again. Ordered in the delay
 * queue by that time.
 *
 * <p>Threading: a fetch thread processes it while holding its {@link #lock} ("the monitor" below);
 * {@link #revoked} is set by the coordinator's thread, which then takes the lock to wait for a fetch in
 * progress (for a bounded time: a listener call past {@code maxListenerTimeMs} is abandoned). While its
 * {@code get} is in flight the task is neither queued nor held; the reply, stored under the lock by
 * the network thread, puts it back in the queue. The mutable fields other than {@code revoked} and the
 * volatile listener-call fields are touched only under the lock.
 */
final class FetchTask implements Delayed {
    final PartitionAssignment assignment;
    final Subscription subscription;
    final FetchState state;
    /** Under the monitor: where the next fetch starts. */
    long fetchOffset;
    /** Under the monitor: messages below this offset are being delivered again on purpose (no dedup). */
    long replayBelow;
    /**
     * Under the monitor: every message below this offset was handled (delivered, filtered, recovered
     * or skipped); one read again (a resync goes back to a segment start) is passed over, whatever the
     * id cache remembers. Starts at the assigned position; lowered to the position by a rollback.
     */
    long handledBelow;
    /**
     * Under the monitor: the ids of the messages handled since the last ack, waiting to enter the id
     * cache (a revoked task drops them, so they are delivered again when the partition comes back).
     */
    final UnackedIds unacked;
    /** Under the monitor: why the record at the fetch offset was refused, when the last answer ended CORRUPT. */
    String corruption;
    /** Under the monitor: whether the last fetch failed (to log a failure once, not once per retry). */
    boolean failing;
    /** Under the monitor: the offset of the last corrupt message reported (-1: none). */
    long lastCorruptOffset = -1;
    /** Under the monitor: the offset last reported stuck (a record that cannot be fetched whole; -1: none). */
    long lastStuckOffset = -1;
    /** Under the monitor: the answer to the {@code get} in flight arrived ({@link #reply} or {@link #replyFailure}). */
    boolean replyReady;
    /** Under the monitor: that answer, owned (released) by whoever takes it. */
    io.imago.protocol.command.ResponseCommand reply;
    /** Under the monitor: why the {@code get} failed, if it did. */
    Throwable replyFailure;
    /** Under the monitor: how long the last {@code get} let the broker wait (0: a plain get). */
    int lastWaitMs;
    /** Under the monitor: when the last {@code get} was sent ({@link System#nanoTime()}). */
    long lastSentNanos;

    /** Under the monitor: whether the next 404 asks the broker's end at once ({@link PastEndPositions}). */
    boolean endCheckDue = true;
    /** Under the monitor: when the broker's end was last asked ({@link System#nanoTime()}). */
    long lastEndCheckNanos;
    /** Under the monitor: the offset a check of a flushed end found past it (-1: none), and when. */
    long pastEndSuspect = -1;

    long pastEndSuspectNanos;

    private volatile long readyAtNanos;
    volatile boolean revoked;
    /** Held while a fetch thread processes the task (a lock, not a monitor: revoke waits for a bounded time). */
    final ReentrantLock lock = new ReentrantLock();
    /** When the listener (or filter) call in progress began ({@link System#nanoTime()}); 0: none. */
    volatile long listenerSinceNanos;
    /** The thread making that call, and the message's id. */
    volatile Thread listenerThread;

    volatile long listenerMessageId;

    FetchTask(PartitionAssignment assignment, Subscription subscription, FetchState state, int maxUnackedIds) {
        this.assignment = assignment;
        this.subscription = subscription;
        this.state = state;
        this.unacked = new UnackedIds(maxUnackedIds);
        this.fetchOffset = assignment.position().getOffset();
        this.handledBelow = fetchOffset;
    }

    String topic() {
        return assignment.topic();
    }

    Partition partition() {
        return assignment.partition();
    }

    TopicPartitionRegInfo position() {
        return assignment.position();
    }

    /** A listener (or filter) call on message {@code messageId} begins on the current thread. */
    void listenerCallStarts(long messageId) {
        listenerMessageId = messageId;
        listenerThread = Thread.currentThread();
        listenerSinceNanos = Math.max(1, System.nanoTime());
    }

    /** That call returned. */
    void listenerCallEnded() {
        listenerSinceNanos = 0;
        listenerThread = null;
    }

    /** How long the listener call in progress has run, in ms; -1 when none is. */
    long listenerCallMs(long nowNanos) {
        long since = listenerSinceNanos;
        return since == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(nowNanos - since);
    }

    /** The listener call in progress, described for the log; null when none is. */
    String describeListenerCall(long nowNanos) {
        long ms = listenerCallMs(nowNanos);
        Thread thread = listenerThread;
        if (ms < 0 || thread == null) {
            return null;
        }
        StringBuilder where = new StringBuilder();
        StackTraceElement[] stack = thread.getStackTrace();
        for (int i = 0; i < Math.min(8, stack.length); i++) {
            where.append("\n\tat ").append(stack[i]);
        }
        return this + ": listener " + subscription.listener().getClass().getName() + " on message " + listenerMessageId
                + " for " + ms + " ms, thread " + thread.getName() + where;
    }

    /** Ready after {@code delayMs} from now. */
    void delay(long delayMs) {
        readyAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
    }

    @Override
    public long getDelay(TimeUnit unit) {
        return unit.convert(readyAtNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
        return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public String toString() {
        return assignment.topic() + "/" + assignment.partition();
    }
}
