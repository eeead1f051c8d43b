package io.imago.client.internal.consumer;

import io.imago.Message;
import io.imago.cluster.Partition;
import io.imago.consumer.MessageIterator;
import io.imago.protocol.message.InvalidMessageException;
import io.imago.protocol.message.MessageSetIterator;
import io.imago.protocol.message.StoredMessage;
import io.netty.buffer.ByteBuf;

/**
 * The messages of one {@code value} body (a raw message set that starts at a known partition offset),
 * as client {@link Message}s with their id, partition and offset filled in. A record cut at the end
 * of the body is not returned: {@link #nextOffset()} then points at its start, where the next fetch
 * begins (spec section 2.5). A CRC mismatch or an impossible length ends the iteration with a
 * client's {@link io.imago.exception.InvalidMessageException} whose cause is the protocol's
 * {@link InvalidMessageException} (the
 * consumer then resynchronises with {@code offset}). Reads the buffer without owning it; not
 * thread-safe.
 */
public final class FetchedMessageIterator implements MessageIterator {
    private final String topic;
    private final Partition partition;
    private final MessageSetIterator records;

    public FetchedMessageIterator(
            String topic, Partition partition, ByteBuf messageSet, long startOffset, int maxPayloadBytes) {
        this.topic = topic;
        this.partition = partition;
        this.records = new MessageSetIterator(messageSet, startOffset, maxPayloadBytes);
    }

    @Override
    public boolean hasNext() {
        return records.hasNext();
    }

    @Override
    public Message next() throws io.imago.exception.InvalidMessageException {
        StoredMessage stored;
        try {
            stored = records.next();
        } catch (InvalidMessageException e) {
            throw new io.imago.exception.InvalidMessageException(
                    "invalid message in " + topic + "/" + partition + " at offset " + e.offset() + ": " + e.reason(),
                    e);
        }
        Message message = new Message(
                topic, stored.payload().data(), stored.payload().attribute().orElse(null));
        message.setId(stored.id());
        message.setPartition(partition);
        message.setOffset(stored.offset());
        return message;
    }

    @Override
    public int getOffset() {
        return consumedBytes();
    }

    /** The offset just after the last message returned (or the start offset before any). */
    @Override
    public long nextOffset() {
        return records.nextOffset();
    }

    /** Bytes of the complete records returned so far. */
    public int consumedBytes() {
        return records.consumedBytes();
    }
}
