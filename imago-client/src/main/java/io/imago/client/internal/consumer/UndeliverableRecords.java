package io.imago.client.internal.consumer;

import io.imago.client.consumer.CorruptRecordHandler;
import io.imago.exception.MetaClientException;
import io.imago.protocol.RecordDescriptor;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the fetch loop does with a record at the fetch offset that it cannot deliver (beside
 * {@link FetchManager}'s scheduling and {@link MessageDelivery}'s delivery):
 * <ul>
 *   <li>a <b>corrupt</b> record (checksum, attribute section): the first time, resynchronise with
 *       {@code offset} (the fetch offset may not be a record boundary) and read again from the segment
 *       start it names, passing over everything below the corrupt offset ({@link FetchTask#handledBelow}).
 *       Found corrupt again at the same offset after that resync, the offset is a record boundary
 *       (reached by walking whole records) and the record stays corrupt: it is skipped by its length
 *       field, logged once at WARN, counted and handed to the {@link CorruptRecordHandler};</li>
 *   <li>a record that cannot be fetched <b>whole</b> (longer than the broker's transfer limit, a
 *       corrupt length field, or over the fetch size cap): the fetch size grows while that helps
 *       ({@link FetchState#onIncompleteOnly}); then the partition is reported stuck there, once, and
 *       fetched again with back-off. So is a corrupt record whose length is negative.</li>
 * </ul>
 *
 * <p>Threading: a fetch thread calls it while holding the task's monitor; the counters are
 * {@link LongAdder}s. Thread-safe.
 */
final class UndeliverableRecords {
    private static final Logger LOG = LoggerFactory.getLogger(UndeliverableRecords.class);

    /** Asks the partition's broker for the nearest valid offset at or below the task's fetch offset. */
    @FunctionalInterface
    interface OffsetLookup {
        long nearestValidOffset(FetchTask task) throws MetaClientException, InterruptedException;
    }

    private final FetchSettings settings;
    private final OffsetLookup lookup;
    private final LongAdder resyncs = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder stuckAnswers = new LongAdder();

    UndeliverableRecords(FetchSettings settings, OffsetLookup lookup) {
        this.settings = settings;
        this.lookup = lookup;
    }

    long resyncCount() {
        return resyncs.sum();
    }

    long skippedCount() {
        return skipped.sum();
    }

    long stuckAnswerCount() {
        return stuckAnswers.sum();
    }

    /**
     * The answer {@code body} holds no whole record: grow the fetch size, or, when that cannot help,
     * count the answer as stuck and report the offset once.
     */
    void onIncomplete(FetchTask task, ByteBuf body) {
        int bodyBytes = body.readableBytes();
        long recordBytes = bodyBytes < RecordDescriptor.HEADER_LENGTH
                ? -1
                : RecordDescriptor.HEADER_LENGTH + (long) declaredLength(body);
        int askedBytes = task.state.maxSize();
        if (task.state.onIncompleteOnly(bodyBytes, recordBytes)) {
            stuck(
                    task,
                    "the record there declares " + recordBytes + " bytes, but the broker sends " + bodyBytes
                            + " of the " + askedBytes + " asked for (the consumer grows its fetch size up to "
                            + task.state.maxSizeCap()
                            + "): a record over the broker's maxTransferSize, or a corrupt length"
                            + " field. It cannot be delivered until the broker sends it whole or the group's offset is moved"
                            + " past it");
        }
    }

    /** The first record of the answer {@code body}, at the fetch offset, is corrupt: resync, or skip it. */
    void onCorrupt(FetchTask task, ByteBuf body) throws MetaClientException, InterruptedException {
        if (task.lastCorruptOffset != task.fetchOffset) {
            resync(task);
        } else {
            skip(task, body);
        }
    }

    private void resync(FetchTask task) throws MetaClientException, InterruptedException {
        long valid = lookup.nearestValidOffset(task);
        LOG.warn(
                "Corrupt message in {} at offset {} ({}); resynchronising at {}",
                task,
                task.fetchOffset,
                task.corruption,
                valid);
        task.lastCorruptOffset = task.fetchOffset;
        task.handledBelow = Math.max(task.handledBelow, task.fetchOffset);
        resyncs.increment();
        task.fetchOffset = valid;
        task.state.onNothing();
    }

    /**
     * Skips the corrupt record at the fetch offset, trusting its length field (outside the CRC); the
     * position moves past it (at once with auto-ack, with the next ack otherwise).
     */
    private void skip(FetchTask task, ByteBuf body) {
        long at = task.fetchOffset;
        int length = declaredLength(body);
        if (length < 0) {
            stuck(
                    task,
                    "the record there is corrupt (" + task.corruption + ") and its length field is negative, so"
                            + " where the next record starts is unknown. It cannot be delivered until the group's offset is"
                            + " moved past it");
            return;
        }
        long end = at + RecordDescriptor.recordLength(length);
        skipped.increment();
        LOG.warn(
                "Skipped corrupt record of {} at offsets [{}, {}) for group {}, still corrupt after resynchronising"
                        + " ({}); its message is not delivered",
                task,
                at,
                end,
                settings.group(),
                task.corruption);
        task.fetchOffset = end;
        task.handledBelow = Math.max(task.handledBelow, end);
        if (task.partition().isAutoAck() && end > task.position().getOffset()) {
            task.position().advance(end, task.position().getMessageId());
        }
        task.state.onNothing();
        CorruptRecordHandler handler = settings.corruptRecordHandler();
        if (handler != null) {
            try {
                handler.skipped(task.topic(), task.partition(), at, end, task.corruption);
            } catch (RuntimeException e) {
                LOG.warn(
                        "Corrupt record handler of group {} failed on {} [{}, {})", settings.group(), task, at, end, e);
            }
        }
    }

    /** Counts a stuck answer, backs off, and reports the offset once. */
    private void stuck(FetchTask task, String why) {
        task.state.onNothing();
        stuckAnswers.increment();
        if (task.lastStuckOffset != task.fetchOffset) {
            task.lastStuckOffset = task.fetchOffset;
            LOG.warn(
                    "Partition {} is stuck at offset {} for group {}: {}; fetching it again with back-off",
                    task,
                    task.fetchOffset,
                    settings.group(),
                    why);
        }
    }

    private static int declaredLength(ByteBuf body) {
        return body.getInt(body.readerIndex() + RecordDescriptor.LENGTH_OFFSET);
    }
}
