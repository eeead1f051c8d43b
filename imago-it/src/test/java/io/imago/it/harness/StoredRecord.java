package io.imago.it.harness;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * One message record as a broker stores and serves it (spec §2.1), parsed independently of any
 * project code. Big-endian:
 * <pre>
 *  0        4          8                16       20
 *  +--------+----------+----------------+--------+------------------+
 *  | length | checksum | message id     | flag   | payload (length) |
 *  +--------+----------+----------------+--------+------------------+
 *  checksum = CRC32(payload) &amp; 0x7FFFFFFF
 * </pre>
 * Immutable apart from the payload array, which callers must not change.
 */
public record StoredRecord(int length, int checksum, long id, int flag, byte[] payload) {
    public static final int HEADER_BYTES = 20;

    /** Bytes the record takes in the log: header plus payload. */
    public int size() {
        return HEADER_BYTES + length;
    }

    public boolean checksumValid() {
        return checksum == checksumOf(payload);
    }

    /** {@code CRC32(bytes) & 0x7FFFFFFF}, the checksum of the protocol. */
    public static int checksumOf(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return (int) (crc.getValue() & 0x7FFFFFFF);
    }

    /**
     * Splits a {@code value} body into complete records; bytes of a trailing partial record (a
     * cut made by {@code maxSize}) are counted in {@link MessageSet#trailingBytes()}.
     */
    public static MessageSet parse(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        List<StoredRecord> records = new ArrayList<>();
        while (buf.remaining() >= HEADER_BYTES) {
            int length = buf.getInt(buf.position());
            if (length < 0 || buf.remaining() - HEADER_BYTES < length) {
                break;
            }
            int start = buf.position();
            StoredRecord r = new StoredRecord(
                    buf.getInt(start),
                    buf.getInt(start + 4),
                    buf.getLong(start + 8),
                    buf.getInt(start + 16),
                    Arrays.copyOfRange(bytes, start + HEADER_BYTES, start + HEADER_BYTES + length));
            records.add(r);
            buf.position(start + r.size());
        }
        return new MessageSet(List.copyOf(records), buf.remaining());
    }

    /** Complete records of a {@code value} body and the count of bytes after the last one. */
    public record MessageSet(List<StoredRecord> records, int trailingBytes) {
        /** Bytes taken by the complete records, i.e. how far a consumer advances. */
        public int completeBytes() {
            return records.stream().mapToInt(StoredRecord::size).sum();
        }
    }
}
