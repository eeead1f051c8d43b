package io.imago.client.internal.consumer;

import io.imago.client.consumer.TopicPartitionRegInfo;
import io.imago.coordination.BackOff;

/**
 * The fetch state of one owned partition (MetaQ's {@code FetchRequest}): where to fetch next, how
 * many bytes to ask for, and how long to wait before asking again. Rules:
 * <ul>
 *   <li>an empty answer (no new data, 404) or an error doubles the delay, starting at
 *       {@value #FIRST_DELAY_MS} ms, up to {@code maxDelayMs} (a {@link BackOff}); delivered messages
 *       reset it to 0. (The original client adds a tenth of {@code maxDelayMs} each time, so a
 *       consumer that has caught up waits 500 ms before looking again: half a second of latency for
 *       every message that arrives just after an empty fetch. Doubling from 1 ms reaches the same cap
 *       within a dozen empty answers on an idle partition.)</li>
 *   <li>an answer holding data but no complete message (a message bigger than the asked size)
 *       counts a retry; after {@code maxIncreaseRetries} of them the size doubles, up to
 *       {@code maxSizeCap}; when it cannot grow any more, or the broker sends less than asked, the
 *       answer backs off and, after {@code maxIncreaseRetries} of them, the partition is stuck
 *       ({@link #onIncompleteOnly});</li>
 *   <li>an answer filling less than half of a grown size shrinks it back toward the subscribed size.</li>
 * </ul>
 * Owned by one fetch thread at a time (handed over through a queue); not thread-safe.
 */
public final class FetchState {
    /** The delay after the first empty answer. */
    static final long FIRST_DELAY_MS = 1;

    private final TopicPartitionRegInfo position;
    private final int subscribedMaxSize;
    private final int maxSizeCap;
    private final int maxIncreaseRetries;
    /** After empty answers; its cap is {@code maxDelayMs} (0 if that is negative, which means no delay too). */
    private final BackOff backOff;

    private int maxSize;
    private int incompleteAnswers;
    private long delayMs;
    private int listenerRetries;

    public FetchState(
            TopicPartitionRegInfo position,
            int subscribedMaxSize,
            int maxSizeCap,
            int maxIncreaseRetries,
            long maxDelayMs) {
        this.position = position;
        this.subscribedMaxSize = subscribedMaxSize;
        this.maxSizeCap = Math.max(maxSizeCap, subscribedMaxSize);
        this.maxIncreaseRetries = maxIncreaseRetries;
        this.backOff = new BackOff(FIRST_DELAY_MS, Math.max(0, maxDelayMs));
        this.maxSize = subscribedMaxSize;
    }

    public TopicPartitionRegInfo position() {
        return position;
    }

    public int maxSize() {
        return maxSize;
    }

    public long delayMs() {
        return delayMs;
    }

    /** Nothing new (404), a 403, or a failed fetch: back off twice as long as last time. */
    public void onNothing() {
        delayMs = backOff.nextDelayMs(delayMs);
    }

    /**
     * A long-polling fetch waited its time at the broker and found nothing: the wait was the back-off,
     * so fetch again at once.
     */
    public void onLongPollExpired() {
        delayMs = 0;
    }

    /** Messages were delivered from an answer of {@code answerBytes} bytes. */
    public void onDelivered(int answerBytes) {
        delayMs = 0;
        incompleteAnswers = 0;
        if (maxSize > subscribedMaxSize && answerBytes < maxSize / 2) {
            maxSize = Math.max(subscribedMaxSize, maxSize / 2);
        }
    }

    /**
     * The answer held {@code answerBytes} bytes but not one whole record, and that record declares
     * {@code recordBytes} (header included; -1 when even its header was cut). While the size can
     * grow (the broker filled the size asked for and the record fits {@code maxSizeCap}) it doubles
     * after {@code maxIncreaseRetries} such answers. Otherwise growing cannot help (the broker sends
     * no more: its transfer limit, or a corrupt length pointing past the data; or the record is over
     * the cap): the answer is backed off like an empty one, and from the {@code maxIncreaseRetries}-th
     * such answer on this returns true: the partition is stuck at this offset.
     */
    public boolean onIncompleteOnly(int answerBytes, long recordBytes) {
        boolean canGrow = answerBytes >= maxSize && maxSize < maxSizeCap && recordBytes <= maxSizeCap;
        if (canGrow) {
            if (++incompleteAnswers >= maxIncreaseRetries) {
                maxSize = (int) Math.min(maxSizeCap, 2L * maxSize);
                incompleteAnswers = 0;
            }
            return false;
        }
        onNothing();
        return ++incompleteAnswers >= maxIncreaseRetries;
    }

    /** The largest fetch size this partition may grow to. */
    public int maxSizeCap() {
        return maxSizeCap;
    }

    /** The broker moved us (301): continue at {@code offset}. */
    public void moveTo(long offset) {
        position.advance(offset, position.getMessageId());
        delayMs = 0;
        incompleteAnswers = 0;
        listenerRetries = 0;
    }

    /** The listener failed on the message at the current position; returns the failures so far. */
    public int onListenerFailure() {
        long maxDelayMs = backOff.maxMs();
        delayMs = Math.min(maxDelayMs, delayMs + Math.max(1, maxDelayMs / 10));
        return ++listenerRetries;
    }

    /** The message at the current position was handled (delivered, or handed to the recover store). */
    public void onListenerDone() {
        listenerRetries = 0;
    }
}
