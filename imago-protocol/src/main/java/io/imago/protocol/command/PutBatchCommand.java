package io.imago.protocol.command;

import io.imago.protocol.RecordDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.DefaultByteBufHolder;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Imago extension (not MetaQ 1.4.6.2): {@code putb <topic> <partition> <count> <bodyLen> <opaque>}
 * followed by {@code count} entries, each
 *
 * <pre>
 *   int32 payload length | int32 flag | int32 checksum = CRC32(payload) &amp; 0x7FFFFFFF | payload
 * </pre>
 *
 * where a payload is what a single {@code put} carries (attribute section + data, spec section 2.2)
 * and all ints are big-endian. The partition is explicit (never {@code -1}); there is no transaction
 * key. The broker assigns {@code count} consecutive message ids and answers
 * {@code <firstId> <partition> <firstOffset> <count>} ({@link Replies#putBatchOk}); message {@code i}
 * has id {@code firstId + i} and offset {@code firstOffset} plus the record sizes
 * ({@link RecordDescriptor#recordLength}) of the entries before it. A client sends it only to a
 * broker whose {@code version} reply announces it ({@link io.imago.protocol.Capabilities}).
 *
 * <p>A decoded command is structurally valid (entries fill the body exactly, no negative length,
 * {@code 1 <= count <= } {@link #MAX_COUNT}); checksums are not verified by the decoder.
 *
 * <p>Ownership: like {@link PutCommand}, the holder owns one reference to the body and must release
 * it; an encoder releases the command it writes. Not thread-safe for concurrent release.
 */
public final class PutBatchCommand extends DefaultByteBufHolder implements RequestCommand {
    /** Bytes before each entry's payload: length, flag, checksum. */
    public static final int ENTRY_HEADER_BYTES = 12;
    /**
     * Most entries in one batch: the per-millisecond sequence space of a message id (spec section
     * 2.4), so that a broker can always give a batch consecutive ids.
     */
    public static final int MAX_COUNT = 4096;

    private static final int ATTRIBUTE_LENGTH_BYTES = 4;

    private final String topic;
    private final int partition;
    private final int count;
    private final int opaque;

    /**
     * Creates a batch that takes over one reference of {@code body}.
     *
     * @throws IllegalArgumentException if the body does not hold exactly {@code count} well-formed
     *         entries (the message names the problem); the body is then still the caller's
     */
    public PutBatchCommand(String topic, int partition, int count, int opaque, ByteBuf body) {
        super(body);
        this.topic = Objects.requireNonNull(topic, "topic");
        this.partition = partition;
        this.count = count;
        this.opaque = opaque;
        checkEntries(body, count);
    }

    /**
     * Checks that the readable bytes of {@code body} are exactly {@code count} entries.
     *
     * @throws IllegalArgumentException naming the first problem
     */
    public static void checkEntries(ByteBuf body, int count) {
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("batch count " + count + " is outside 1.." + MAX_COUNT);
        }
        int at = body.readerIndex();
        int end = body.writerIndex();
        for (int i = 0; i < count; i++) {
            if (end - at < ENTRY_HEADER_BYTES) {
                throw new IllegalArgumentException("batch entry " + i + " of " + count + " is truncated (" + (end - at)
                        + " bytes left for its " + ENTRY_HEADER_BYTES + "-byte header)");
            }
            int length = body.getInt(at);
            if (length < 0 || length > end - at - ENTRY_HEADER_BYTES) {
                throw new IllegalArgumentException("batch entry " + i + " of " + count + " claims " + length
                        + " payload bytes but " + (end - at - ENTRY_HEADER_BYTES) + " are left");
            }
            at += ENTRY_HEADER_BYTES + length;
        }
        if (at != end) {
            throw new IllegalArgumentException((end - at) + " bytes follow the last of " + count + " batch entries");
        }
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    /** The number of entries (messages). */
    public int count() {
        return count;
    }

    @Override
    public int opaque() {
        return opaque;
    }

    /** The entries; same as {@link #content()}. */
    public ByteBuf body() {
        return content();
    }

    /** The number of body bytes. */
    public int bodyLength() {
        return content().readableBytes();
    }

    /** Bytes the batch takes in a partition log: the sum of its records' lengths. */
    public long recordBytes() {
        return (long) bodyLength() - (long) count * ENTRY_HEADER_BYTES + (long) count * RecordDescriptor.HEADER_LENGTH;
    }

    /** Receives the entries of a batch in order. */
    @FunctionalInterface
    public interface EntryVisitor {
        /**
         * Receives entry {@code index} of the batch.
         *
         * @param payload the entry's payload, a view (position 0) sharing the body's memory; valid
         *        only while the command is not released
         */
        void entry(int index, int flag, int checksum, ByteBuffer payload);
    }

    /** Calls {@code visitor} for each entry, in order. */
    public void forEachEntry(EntryVisitor visitor) {
        ByteBuf body = content();
        ByteBuffer all = body.nioBuffer();
        int at = 0;
        for (int i = 0; i < count; i++) {
            int length = all.getInt(at);
            int flag = all.getInt(at + 4);
            int checksum = all.getInt(at + 8);
            visitor.entry(i, flag, checksum, all.slice(at + ENTRY_HEADER_BYTES, length));
            at += ENTRY_HEADER_BYTES + length;
        }
    }

    /**
     * Appends one entry for a message to {@code out}: the payload is encoded in place (attribute
     * section when {@code attribute} is not null, then {@code data}) and its checksum computed over
     * the written bytes.
     *
     * @param attribute the message attribute, or {@code null} for none
     * @return the bytes written (entry header included)
     * @throws IndexOutOfBoundsException when the entry does not fit the buffer's maximum capacity
     *         (then nothing is written)
     */
    public static int writeEntry(ByteBuf out, String attribute, byte[] data) {
        int attributeBytes = attribute == null ? 0 : ByteBufUtil.utf8Bytes(attribute);
        int payloadBytes = data.length + (attribute == null ? 0 : ATTRIBUTE_LENGTH_BYTES + attributeBytes);
        out.ensureWritable(ENTRY_HEADER_BYTES + payloadBytes); // exact: nothing is written when it cannot fit
        int start = out.writerIndex();
        out.writeZero(ENTRY_HEADER_BYTES);
        int payloadStart = out.writerIndex();
        int flag = 0;
        if (attribute != null) {
            flag = RecordDescriptor.FLAG_HAS_ATTRIBUTE;
            out.writeInt(attributeBytes);
            if (attributeBytes > 0) {
                ByteBufUtil.reserveAndWriteUtf8(out, attribute, attributeBytes);
            }
        }
        out.writeBytes(data);
        int length = out.writerIndex() - payloadStart;
        // Without an attribute the payload is the data: no view of the buffer is needed.
        int checksum = attribute == null
                ? RecordDescriptor.checksum(data, 0, data.length)
                : RecordDescriptor.checksum(out.nioBuffer(payloadStart, length));
        out.setInt(start, length);
        out.setInt(start + 4, flag);
        out.setInt(start + 8, checksum);
        return out.writerIndex() - start;
    }

    /** The bytes {@link #writeEntry} writes for a message. */
    public static int entryBytes(String attribute, byte[] data) {
        int payload = data.length;
        if (attribute != null) {
            payload += ATTRIBUTE_LENGTH_BYTES + ByteBufUtil.utf8Bytes(attribute);
        }
        return ENTRY_HEADER_BYTES + payload;
    }

    @Override
    public PutBatchCommand replace(ByteBuf newBody) {
        return new PutBatchCommand(topic, partition, count, opaque, newBody);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PutBatchCommand other
                && partition == other.partition
                && count == other.count
                && opaque == other.opaque
                && topic.equals(other.topic)
                && content().equals(other.content());
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, count, opaque, content());
    }

    @Override
    public String toString() {
        return "PutBatchCommand[topic=" + topic + ", partition=" + partition + ", count=" + count + ", opaque=" + opaque
                + ", bodyLength=" + bodyLength() + "]";
    }
}
