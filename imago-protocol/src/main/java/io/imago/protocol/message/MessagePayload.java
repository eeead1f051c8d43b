package io.imago.protocol.message;

import io.imago.protocol.RecordDescriptor;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A message's payload: its data and optional attribute, as the client encodes them in a put body
 * and the broker stores them after the record header (spec section 2.2).
 *
 * <pre>
 *  no attribute:   data                                  flag bit 0 = 0
 *  with attribute: int32 attrLen | attr (UTF-8) | data   flag bit 0 = 1 (even for "")
 * </pre>
 *
 * Immutable (arrays are copied in and out) and thread-safe.
 */
public record MessagePayload(Optional<String> attribute, byte[] data) {
    private static final int ATTRIBUTE_LENGTH_BYTES = 4;

    /** Copies the data so the value stays immutable. */
    public MessagePayload {
        Objects.requireNonNull(attribute, "attribute");
        data = data.clone();
    }

    /** A payload without attribute section. */
    public static MessagePayload of(byte[] data) {
        return new MessagePayload(Optional.empty(), data);
    }

    /** A payload with an attribute section (an empty attribute still gets one). */
    public static MessagePayload of(byte[] data, String attribute) {
        return new MessagePayload(Optional.of(attribute), data);
    }

    /** A copy of the data. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The flag a put of this payload carries. */
    public int flag() {
        return attribute.isPresent() ? RecordDescriptor.FLAG_HAS_ATTRIBUTE : 0;
    }

    /** The encoded bytes: the put body and the stored record's payload. */
    public byte[] encode() {
        if (attribute.isEmpty()) {
            return data.clone();
        }
        byte[] attr = attribute.get().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(ATTRIBUTE_LENGTH_BYTES + attr.length + data.length)
                .putInt(attr.length)
                .put(attr)
                .put(data)
                .array();
    }

    /** {@code CRC32(encode()) & 0x7FFFFFFF}, the checksum a put of this payload carries. */
    public int checksum() {
        byte[] encoded = encode();
        return RecordDescriptor.checksum(encoded, 0, encoded.length);
    }

    /**
     * Decodes the readable bytes of {@code payload} (indices untouched) according to {@code flag}.
     *
     * @throws IllegalArgumentException when the flag announces an attribute section that does not fit
     */
    public static MessagePayload decode(int flag, ByteBuf payload) {
        int start = payload.readerIndex();
        int length = payload.readableBytes();
        if (!RecordDescriptor.hasAttribute(flag)) {
            return of(bytes(payload, start, length));
        }
        if (length < ATTRIBUTE_LENGTH_BYTES) {
            throw new IllegalArgumentException("payload of " + length + " bytes has no room for an attribute length");
        }
        int attrLength = payload.getInt(start);
        if (attrLength < 0 || attrLength > length - ATTRIBUTE_LENGTH_BYTES) {
            throw new IllegalArgumentException(
                    "attribute length " + attrLength + " does not fit a payload of " + length + " bytes");
        }
        String attr = payload.toString(start + ATTRIBUTE_LENGTH_BYTES, attrLength, StandardCharsets.UTF_8);
        int dataStart = start + ATTRIBUTE_LENGTH_BYTES + attrLength;
        return of(bytes(payload, dataStart, start + length - dataStart), attr);
    }

    private static byte[] bytes(ByteBuf buf, int index, int length) {
        byte[] out = new byte[length];
        buf.getBytes(index, out);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessagePayload other
                && attribute.equals(other.attribute)
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * attribute.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "MessagePayload[attribute=" + attribute + ", dataLength=" + data.length + "]";
    }
}
