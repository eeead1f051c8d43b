package io.imago.store.txlog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/** A growable big-endian byte buffer for journal records. Not thread-safe. */
final class Encoder {
    private byte[] bytes;
    private int length;

    Encoder(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    int length() {
        return length;
    }

    byte[] array() {
        return bytes;
    }

    void clear() {
        length = 0;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    Encoder putByte(int b) {
        ensure(1);
        bytes[length++] = (byte) b;
        return this;
    }

    Encoder putInt(int v) {
        ensure(4);
        ByteBuffer.wrap(bytes, length, 4).putInt(v);
        length += 4;
        return this;
    }

    Encoder putLong(long v) {
        ensure(8);
        ByteBuffer.wrap(bytes, length, 8).putLong(v);
        length += 8;
        return this;
    }

    Encoder putBytes(ByteBuffer source) {
        int n = source.remaining();
        ensure(n);
        source.duplicate().get(bytes, length, n);
        length += n;
        return this;
    }

    Encoder putString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        putInt(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, bytes, length, utf8.length);
        length += utf8.length;
        return this;
    }

    /** Overwrites 4 bytes at {@code at}. */
    void setInt(int at, int v) {
        ByteBuffer.wrap(bytes, at, 4).putInt(v);
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    static int crc(ByteBuffer buffer) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate());
        return (int) crc.getValue();
    }
}
