package io.imago.protocol;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * Layout of one stored message record, identical on disk and in the body of a {@code value} reply
 * (MetaQ 1.4.6.2, spec section 2.1). All fields are big-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     payload length (int32)                    |  0
 *  +---------------------------------------------------------------+
 *  |          checksum = CRC32(payload) &amp; 0x7FFFFFFF           |  4
 *  +---------------------------------------------------------------+
 *  |                                                               |  8
 *  +                       message id (int64)                      +
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          flag (int32)                         | 16
 *  +---------------------------------------------------------------+
 *  |                 payload (payload length bytes)               ... 20
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A partition is a plain concatenation of such records; a record's offset is the byte position of
 * its first header byte in the partition's logical log. The payload is the encoded message: when
 * bit 0 of the flag is set it starts with an int32 attribute length and the UTF-8 attribute
 * (spec section 2.2). The checksum is computed here and nowhere else ({@link #checksum(CRC32)} and
 * its overloads). This class is stateless (but for one reusable CRC32 per thread) and thread-safe.
 */
public final class RecordDescriptor {
    public static final int LENGTH_OFFSET = 0;
    public static final int CHECKSUM_OFFSET = 4;
    public static final int MESSAGE_ID_OFFSET = 8;
    public static final int FLAG_OFFSET = 16;
    public static final int HEADER_LENGTH = 20;

    /** Flag bit 0: the payload starts with an attribute section. */
    public static final int FLAG_HAS_ATTRIBUTE = 1;

    /** The checksum is the CRC32 with its top bit (of 32) cleared. */
    private static final long CHECKSUM_MASK = 0x7FFFFFFFL;
    /** Reused by the checksum overloads that take no CRC32, so that the hot paths allocate nothing. */
    private static final ThreadLocal<CRC32> THREAD_CRC = ThreadLocal.withInitial(CRC32::new);

    private RecordDescriptor() {}

    /** Total bytes of a record whose payload has {@code payloadLength} bytes. */
    public static int recordLength(int payloadLength) {
        return HEADER_LENGTH + payloadLength;
    }

    /**
     * MetaQ's checksum of the bytes {@code crc} has been updated with: their CRC32 masked to a
     * non-negative int, {@code CRC32(payload) & 0x7FFFFFFF}. For callers that feed the payload in
     * pieces; every other {@code checksum} overload computes through this one.
     */
    public static int checksum(CRC32 crc) {
        return (int) (crc.getValue() & CHECKSUM_MASK);
    }

    /**
     * MetaQ's checksum of the remaining bytes of {@code payload}, whose position is left where it was.
     * Uses a CRC32 of the calling thread: allocates nothing.
     */
    public static int checksum(ByteBuffer payload) {
        int position = payload.position();
        int checksum = checksum(THREAD_CRC.get(), payload);
        payload.position(position);
        return checksum;
    }

    /**
     * MetaQ's checksum of the remaining bytes of {@code payload}, with a caller's reusable
     * {@code crc} (reset first); consumes {@code payload} (its position moves to its limit).
     */
    public static int checksum(CRC32 crc, ByteBuffer payload) {
        crc.reset();
        crc.update(payload);
        return checksum(crc);
    }

    /**
     * MetaQ's checksum over {@code length} bytes of {@code bytes} starting at {@code offset}. Uses a
     * CRC32 of the calling thread: allocates nothing.
     */
    public static int checksum(byte[] bytes, int offset, int length) {
        CRC32 crc = THREAD_CRC.get();
        crc.reset();
        crc.update(bytes, offset, length);
        return checksum(crc);
    }

    /**
     * Writes the 20-byte header at the buffer's position and advances it.
     *
     * @param header a buffer with at least {@link #HEADER_LENGTH} bytes remaining, big-endian
     */
    public static void writeHeader(ByteBuffer header, int payloadLength, int checksum, long messageId, int flag) {
        header.putInt(payloadLength).putInt(checksum).putLong(messageId).putInt(flag);
    }

    public static int payloadLength(ByteBuffer buffer, int recordStart) {
        return buffer.getInt(recordStart + LENGTH_OFFSET);
    }

    /** The checksum stored in the header of the record at {@code recordStart} (read, not computed). */
    public static int storedChecksum(ByteBuffer buffer, int recordStart) {
        return buffer.getInt(recordStart + CHECKSUM_OFFSET);
    }

    public static long messageId(ByteBuffer buffer, int recordStart) {
        return buffer.getLong(recordStart + MESSAGE_ID_OFFSET);
    }

    public static int flag(ByteBuffer buffer, int recordStart) {
        return buffer.getInt(recordStart + FLAG_OFFSET);
    }

    public static boolean hasAttribute(int flag) {
        return (flag & FLAG_HAS_ATTRIBUTE) != 0;
    }
}
