package io.imago.store;

import io.imago.protocol.RecordDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helpers: deterministic payloads, and reading a whole log back as checked records. */
public final class StoredRecords {

    /** One record as read back from the log. */
    public record Stored(long offset, long messageId, int flag, byte[] payload) {
        public int length() {
            return RecordDescriptor.recordLength(payload.length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Stored s
                    && s.offset == offset
                    && s.messageId == messageId
                    && s.flag == flag
                    && Arrays.equals(s.payload, payload);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(offset) * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Stored{offset=" + offset + ", id=" + messageId + ", flag=" + flag + ", " + payload.length + " B}";
        }
    }

    private StoredRecords() {}

    /** A payload of {@code size} bytes derived from {@code seed}. */
    public static ByteBuffer payload(long seed, int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (seed * 31 + i * 7L);
        }
        return ByteBuffer.wrap(bytes);
    }

    /** The bytes of a region (without releasing it). */
    public static byte[] bytes(LogRegion region) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(region.length());
        try (WritableByteChannel channel = Channels.newChannel(out)) {
            long done = 0;
            while (done < region.length()) {
                done += region.transferTo(channel, done, region.length() - done);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Reads every acknowledged record from minOffset to maxOffset, checking each checksum. */
    public static List<Stored> readAll(PartitionLog log) {
        List<Stored> records = new ArrayList<>();
        long offset = log.minOffset();
        while (true) {
            ReadResult result = log.read(offset, 1 << 20);
            if (!(result instanceof LogRegion region)) {
                return records;
            }
            byte[] bytes;
            try {
                bytes = bytes(region);
            } finally {
                region.release();
            }
            int consumed = parse(ByteBuffer.wrap(bytes), offset, records);
            if (consumed == 0) {
                throw new AssertionError("no complete record at offset " + offset);
            }
            offset += consumed;
        }
    }

    /** Parses complete records, checking checksums; returns the bytes they take. */
    public static int parse(ByteBuffer bytes, long baseOffset, List<Stored> out) {
        int at = 0;
        while (bytes.limit() - at >= RecordDescriptor.HEADER_LENGTH) {
            int length = RecordDescriptor.payloadLength(bytes, at);
            if (length < 0 || bytes.limit() - at - RecordDescriptor.HEADER_LENGTH < length) {
                break;
            }
            byte[] payload = new byte[length];
            bytes.get(at + RecordDescriptor.HEADER_LENGTH, payload);
            if (RecordDescriptor.checksum(payload, 0, length) != RecordDescriptor.storedChecksum(bytes, at)) {
                throw new AssertionError("checksum mismatch at offset " + (baseOffset + at));
            }
            out.add(new Stored(
                    baseOffset + at, RecordDescriptor.messageId(bytes, at), RecordDescriptor.flag(bytes, at), payload));
            at += RecordDescriptor.HEADER_LENGTH + length;
        }
        return at;
    }
}
