package io.imago.protocol.message;

import io.imago.protocol.RecordDescriptor;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.CRC32;

/**
 * Walks the records of a message set, the body of a {@code value} reply (spec section 2.5), as the
 * 1.4.6.2 client does: a record is returned only when all of it is present, so an incomplete
 * trailing record ends the iteration silently (the client fetches it again from
 * {@link #nextOffset()}); a complete record whose checksum fails, whose length is impossible or
 * whose attribute section does not fit raises {@link InvalidMessageException} with its offset.
 *
 * <p>Reads the readable bytes of the buffer with absolute gets; it neither moves the buffer's
 * indices nor takes or releases a reference (the caller keeps ownership and must keep the buffer
 * alive while iterating). Not thread-safe.
 */
public final class MessageSetIterator implements Iterator<StoredMessage> {
    /** The client's default maximum payload ({@code notify.remoting.max_read_buffer_size}, 2 MiB). */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;

    private final ByteBuf messageSet;
    /** The readable bytes as one NIO view (index 0 = {@link #base}): header reads without per-call checks. */
    private final ByteBuffer view;
    /** A second view whose window is moved over each payload for the checksum (no allocation per record). */
    private final ByteBuffer payloadWindow;

    private final CRC32 crc = new CRC32();
    private final long startOffset;
    private final int maxPayloadBytes;
    private final int base;
    private int position;

    /** Iterates {@code messageSet}, whose first byte is at {@code startOffset} in the partition. */
    public MessageSetIterator(ByteBuf messageSet, long startOffset) {
        this(messageSet, startOffset, DEFAULT_MAX_PAYLOAD_BYTES);
    }

    /** As above, refusing payloads longer than {@code maxPayloadBytes}. */
    public MessageSetIterator(ByteBuf messageSet, long startOffset, int maxPayloadBytes) {
        this.messageSet = messageSet;
        this.startOffset = startOffset;
        this.maxPayloadBytes = maxPayloadBytes;
        this.base = messageSet.readerIndex();
        this.position = base;
        this.view = messageSet.nioBuffer(base, messageSet.writerIndex() - base);
        this.payloadWindow = view.duplicate();
    }

    /** Whether a complete record (header and payload) follows. */
    @Override
    public boolean hasNext() {
        int at = position - base;
        int remaining = view.limit() - at;
        if (remaining < RecordDescriptor.HEADER_LENGTH) {
            return false;
        }
        int length = view.getInt(at + RecordDescriptor.LENGTH_OFFSET);
        return remaining - RecordDescriptor.HEADER_LENGTH >= length;
    }

    /**
     * The next complete record.
     *
     * @throws InvalidMessageException when the record is corrupt; the iterator stays on it
     * @throws NoSuchElementException when no complete record follows
     */
    @Override
    public StoredMessage next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no complete record at offset " + nextOffset());
        }
        long offset = nextOffset();
        int at = position - base;
        int length = view.getInt(at + RecordDescriptor.LENGTH_OFFSET);
        if (length < 0 || length > maxPayloadBytes) {
            throw new InvalidMessageException(
                    offset,
                    InvalidMessageException.Reason.ILLEGAL_LENGTH,
                    "payload length " + length + " outside [0, " + maxPayloadBytes + "]",
                    null);
        }
        int payloadStart = position + RecordDescriptor.HEADER_LENGTH;
        int stored = view.getInt(at + RecordDescriptor.CHECKSUM_OFFSET);
        int payloadAt = at + RecordDescriptor.HEADER_LENGTH;
        payloadWindow.limit(payloadAt + length).position(payloadAt);
        int actual = RecordDescriptor.checksum(crc, payloadWindow);
        if (stored != actual) {
            throw new InvalidMessageException(
                    offset,
                    InvalidMessageException.Reason.CHECKSUM_MISMATCH,
                    "stored checksum " + stored + ", computed " + actual,
                    null);
        }
        int flag = view.getInt(at + RecordDescriptor.FLAG_OFFSET);
        MessagePayload payload;
        try {
            payload = MessagePayload.decode(flag, messageSet.slice(payloadStart, length));
        } catch (IllegalArgumentException e) {
            throw new InvalidMessageException(
                    offset, InvalidMessageException.Reason.ILLEGAL_ATTRIBUTE, e.getMessage(), e);
        }
        long id = view.getLong(at + RecordDescriptor.MESSAGE_ID_OFFSET);
        position = payloadStart + length;
        return new StoredMessage(offset, id, flag, length, payload);
    }

    /** Bytes of complete records returned so far. */
    public int consumedBytes() {
        return position - base;
    }

    /** The offset to fetch from next: start offset plus the bytes of the records returned. */
    public long nextOffset() {
        return startOffset + consumedBytes();
    }
}
