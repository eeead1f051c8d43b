package io.imago.broker;

import java.time.Clock;

/**
 * Message ids in MetaQ's snowflake layout (spec section 2.4), from wall-clock time:
 *
 * <pre>
 *   id = (millis - EPOCH_MS) &lt;&lt; 22 | brokerId &lt;&lt; 12 | sequence
 *        41 bits of milliseconds   10 bits   12 bits
 * </pre>
 *
 * Unlike the original, which used {@code System.nanoTime()} and so produced negative ids that
 * repeat across machine reboots, the time part is wall-clock milliseconds since MetaQ's epoch, so
 * ids are positive and stay unique across restarts (DESIGN.md difference 6). If the clock steps
 * back, the generator keeps issuing ids from the last millisecond it used (borrowing sequence
 * numbers, then moving to the next millisecond) rather than repeating ids. A restart after the
 * clock stepped back by more than the downtime could repeat ids; clients treat ids as opaque and
 * only use them to drop duplicates.
 *
 * <p>Thread-safe: {@link #nextId()} is synchronized; it costs a few nanoseconds and is taken once
 * per put (or per batch of puts, {@link #nextIds}).
 */
public final class MessageIdGenerator {
    /** MetaQ's epoch (2011-04-28T08:34:20.503Z); keeps ids comparable with the original's layout. */
    public static final long EPOCH_MS = 1303895660503L;

    public static final int MAX_BROKER_ID = 1023;
    private static final int SEQUENCE_BITS = 12;
    private static final int BROKER_ID_BITS = 10;
    private static final long SEQUENCE_MASK = (1L << SEQUENCE_BITS) - 1;
    /** Most ids {@link #nextIds} gives at once: one millisecond's sequence space. */
    public static final int MAX_BATCH_IDS = 1 << SEQUENCE_BITS;

    private final long brokerBits;
    private final Clock clock;
    private long lastMs = -1;
    private long sequence;

    public MessageIdGenerator(int brokerId, Clock clock) {
        if (brokerId < 0 || brokerId > MAX_BROKER_ID) {
            throw new IllegalArgumentException(
                    "brokerId must be in 0.." + MAX_BROKER_ID + " to fit a message id, was " + brokerId);
        }
        this.brokerBits = (long) brokerId << SEQUENCE_BITS;
        this.clock = clock;
    }

    public synchronized long nextId() {
        long now = clock.millis();
        if (now > lastMs) {
            lastMs = now;
            sequence = 0;
        } else if (++sequence > SEQUENCE_MASK) {
            lastMs++;
            sequence = 0;
        }
        return ((lastMs - EPOCH_MS) << (SEQUENCE_BITS + BROKER_ID_BITS)) | brokerBits | sequence;
    }

    /**
     * {@code count} consecutive ids, all in one millisecond, so that id {@code i} of a batch is
     * {@code first + i}: taken from the current millisecond when its sequence has room, else from
     * the next one (borrowing a millisecond as {@link #nextId()} does when a millisecond is used up).
     *
     * @return the first id
     * @throws IllegalArgumentException unless {@code 1 <= count <= }{@link #MAX_BATCH_IDS}
     */
    public synchronized long nextIds(int count) {
        if (count < 1 || count > MAX_BATCH_IDS) {
            throw new IllegalArgumentException("count must be in 1.." + MAX_BATCH_IDS + ", was " + count);
        }
        long now = clock.millis();
        long first;
        if (now > lastMs) {
            lastMs = now;
            first = 0;
        } else if (sequence + count <= SEQUENCE_MASK) {
            first = sequence + 1;
        } else {
            lastMs++;
            first = 0;
        }
        sequence = first + count - 1;
        return ((lastMs - EPOCH_MS) << (SEQUENCE_BITS + BROKER_ID_BITS)) | brokerBits | first;
    }

    /** The broker id bits of an id made by any MetaQ-layout generator. */
    public static int brokerIdOf(long id) {
        return (int) ((id >>> SEQUENCE_BITS) & MAX_BROKER_ID);
    }
}
