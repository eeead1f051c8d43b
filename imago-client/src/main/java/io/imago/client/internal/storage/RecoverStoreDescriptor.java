package io.imago.client.internal.storage;

import io.imago.Message;
import io.imago.cluster.Partition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Byte layout of a recover store file ({@code <topic>@<group>.recover}); all integers big-endian.
 * <pre>
 * file    := header record*
 * header  := "IMRS" (4) | version = 1 (1) | reserved = 0 (3)                         8 bytes
 *
 * record  := magic 0x52 0x45 0x43 0xA7 (4) | length (4) | crc (4) | body[length]    12 + length bytes
 *            crc = CRC32C over the 4 length bytes, then the body
 * body    := type (1) | sequence (8) | payload
 *   MESSAGE (type 1)  payload := id (8) | brokerId (4) | partition (4) | offset (8) | flags (1)
 *                                | topicLength (2) | topic UTF-8 | attributeLength (4) | attribute UTF-8
 *                                | dataLength (4) | data
 *                      flags: bit 0 = has attribute, bit 1 = has partition
 *   REMOVED (type 2)  payload := (none); cancels the MESSAGE record with the same sequence
 * </pre>
 * The magic lets a reader find the next record after a corrupt one (whose length cannot be trusted);
 * the CRC covers the length so that a flipped length is detected. Sequences grow by one per append
 * and survive compaction. Stateless.
 */
public final class RecoverStoreDescriptor {
    public static final String FILE_SUFFIX = ".recover";
    public static final String COMPACT_SUFFIX = ".compact";

    private static final byte[] FILE_MAGIC = {'I', 'M', 'R', 'S'};
    public static final byte VERSION = 1;
    public static final int FILE_HEADER_SIZE = 8;

    public static final int RECORD_MAGIC = 0x524543A7;
    public static final int MAGIC_OFFSET = 0;
    public static final int LENGTH_OFFSET = 4;
    public static final int CRC_OFFSET = 8;
    public static final int RECORD_HEADER_SIZE = 12;

    public static final byte TYPE_MESSAGE = 1;
    public static final byte TYPE_REMOVED = 2;
    public static final int TYPE_OFFSET = 0;
    public static final int SEQUENCE_OFFSET = 1;
    public static final int BODY_FIXED_SIZE = 9;
    /** Largest body accepted (far above any message a broker takes); bounds what a reader allocates. */
    public static final int MAX_BODY_SIZE = 256 * 1024 * 1024;
    /** Fixed part of a MESSAGE body: type, sequence, id, brokerId, partition, offset, flags and three lengths. */
    public static final int MESSAGE_FIXED_SIZE = BODY_FIXED_SIZE + 8 + 4 + 4 + 8 + 1 + 2 + 4 + 4;

    private static final int FLAG_ATTRIBUTE = 1;
    private static final int FLAG_PARTITION = 2;

    private RecoverStoreDescriptor() {}

    /** The header of a new file. */
    public static byte[] fileHeader() {
        return new byte[] {FILE_MAGIC[0], FILE_MAGIC[1], FILE_MAGIC[2], FILE_MAGIC[3], VERSION, 0, 0, 0};
    }

    /** Whether {@code header} (8 bytes) starts a file of this format and version. */
    public static boolean isValidHeader(ByteBuffer header) {
        for (int i = 0; i < FILE_MAGIC.length; i++) {
            if (header.get(i) != FILE_MAGIC[i]) {
                return false;
            }
        }
        return header.get(FILE_MAGIC.length) == VERSION;
    }

    /** The whole record of a MESSAGE, ready to write. */
    public static ByteBuffer encodeMessage(long sequence, Message m) {
        byte[] topic = m.getTopic().getBytes(StandardCharsets.UTF_8);
        byte[] attribute = m.hasAttribute() ? m.getAttribute().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (topic.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("topic longer than " + Short.MAX_VALUE + " bytes");
        }
        long bodyLength = (long) MESSAGE_FIXED_SIZE + topic.length + attribute.length + m.getData().length;
        if (bodyLength > MAX_BODY_SIZE) {
            throw new IllegalArgumentException("message too large for the recover store: " + bodyLength + " bytes");
        }
        ByteBuffer buf = ByteBuffer.allocate(RECORD_HEADER_SIZE + (int) bodyLength);
        buf.position(RECORD_HEADER_SIZE);
        buf.put(TYPE_MESSAGE).putLong(sequence).putLong(m.getId());
        Partition p = m.getPartition();
        buf.putInt(p == null ? -1 : p.getBrokerId())
                .putInt(p == null ? -1 : p.getPartition())
                .putLong(m.getOffset());
        buf.put((byte) ((m.hasAttribute() ? FLAG_ATTRIBUTE : 0) | (p != null ? FLAG_PARTITION : 0)));
        buf.putShort((short) topic.length).put(topic);
        buf.putInt(attribute.length).put(attribute);
        buf.putInt(m.getData().length).put(m.getData());
        return seal(buf, (int) bodyLength);
    }

    /** The whole record cancelling the MESSAGE of {@code sequence}. */
    public static ByteBuffer encodeRemoved(long sequence) {
        ByteBuffer buf = ByteBuffer.allocate(RECORD_HEADER_SIZE + BODY_FIXED_SIZE);
        buf.position(RECORD_HEADER_SIZE);
        buf.put(TYPE_REMOVED).putLong(sequence);
        return seal(buf, BODY_FIXED_SIZE);
    }

    private static ByteBuffer seal(ByteBuffer buf, int bodyLength) {
        buf.putInt(MAGIC_OFFSET, RECORD_MAGIC).putInt(LENGTH_OFFSET, bodyLength);
        buf.putInt(
                CRC_OFFSET,
                crc(bodyLength, buf.duplicate().position(RECORD_HEADER_SIZE).limit(buf.capacity())));
        return buf.position(0).limit(buf.capacity());
    }

    /** The CRC of a record: over its length field, then its body (the buffer's remaining bytes). */
    public static int crc(int bodyLength, ByteBuffer body) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(4).putInt(0, bodyLength));
        crc.update(body.duplicate());
        return (int) crc.getValue();
    }

    /** The smallest body a record of {@code type} can have, or -1 for an unknown type. */
    public static int minBodyLength(byte type) {
        return switch (type) {
            case TYPE_MESSAGE -> MESSAGE_FIXED_SIZE;
            case TYPE_REMOVED -> BODY_FIXED_SIZE;
            default -> -1;
        };
    }

    /**
     * Decodes the body of a MESSAGE record (positioned at its type byte, limited to its end);
     * IllegalArgumentException when its inner lengths do not add up to the body length.
     */
    public static Message decodeMessage(ByteBuffer body) {
        ByteBuffer b = body.duplicate();
        int end = b.limit();
        b.position(b.position() + BODY_FIXED_SIZE);
        long id = b.getLong();
        int brokerId = b.getInt();
        int partition = b.getInt();
        long offset = b.getLong();
        int flags = b.get();
        String topic = new String(bytes(b, b.getShort(), end), StandardCharsets.UTF_8);
        String attribute = new String(bytes(b, b.getInt(), end), StandardCharsets.UTF_8);
        byte[] data = bytes(b, b.getInt(), end);
        if (b.position() != end || topic.isBlank()) {
            throw new IllegalArgumentException("message body lengths do not add up");
        }
        Message m = new Message(topic, data, (flags & FLAG_ATTRIBUTE) != 0 ? attribute : null);
        m.setId(id);
        m.setOffset(offset);
        if ((flags & FLAG_PARTITION) != 0) {
            m.setPartition(new Partition(brokerId, partition));
        }
        return m;
    }

    private static byte[] bytes(ByteBuffer b, int length, int end) {
        if (length < 0 || length > end - b.position()) {
            throw new IllegalArgumentException("field length " + length + " runs past the body");
        }
        byte[] out = new byte[length];
        b.get(out);
        return out;
    }
}
