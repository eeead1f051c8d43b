package io.imago.store;

import io.imago.protocol.RecordDescriptor;
import io.imago.store.fs.FileChannelStorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test fixture: a partition directory whose first, sealed segment holds valid records with a block of
 * garbage between two of them, followed by a small last segment, and an unclean checkpoint at offset 0,
 * so that opening the log scans the whole sealed segment and must resynchronise after the garbage.
 * Payloads are random (a candidate inside one looks like a random header), at most 60 KiB each.
 */
final class GarbageSegments {
    /** Records of the last segment (its bytes do not matter to the scan of the sealed one). */
    static final int LAST_SEGMENT_RECORDS = 3;

    private static final int MAX_PAYLOAD_BYTES = 60 * 1024;
    private static final int POOL_BYTES = 1 << 20;
    private static final int CHUNK_BYTES = 8 << 20;

    /**
     * Where things are in the partition written by {@link #write}.
     *
     * @param garbageStart   offset of the first garbage byte (the end of a valid record)
     * @param garbageEnd     offset of the first valid record after the garbage
     * @param lastSealed     offset of the last record of the sealed segment
     * @param sealedEnd      end of the sealed segment: the start of the last segment
     * @param recordsWritten records written in the sealed segment
     */
    record Layout(long garbageStart, long garbageEnd, long lastSealed, long sealedEnd, int recordsWritten) {}

    private final SplittableRandom random;
    private final byte[] pool = new byte[POOL_BYTES];
    private long nextId = 1;

    GarbageSegments(long seed) {
        this.random = new SplittableRandom(seed);
        random.nextBytes(pool);
    }

    /** {@code count} bytes of uniformly random garbage. */
    byte[] randomGarbage(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * {@code count} bytes of numeric text, lines like {@code 1733593434123,42,1048576} (as a stray write
     * of a CSV or a log might leave): every byte is below 0x40, so every header read inside them claims
     * a payload of 0 to 1 GiB, which a scan that trusts any length fitting the segment checks with a
     * CRC over that many bytes.
     */
    byte[] numericTextGarbage(int count) {
        StringBuilder text = new StringBuilder(count + 64);
        while (text.length() < count) {
            text.append(1_700_000_000_000L + random.nextLong(100_000_000_000L))
                    .append(',')
                    .append(random.nextInt(1000))
                    .append(',')
                    .append(random.nextInt(1 << 24))
                    .append('\n');
        }
        return text.substring(0, count).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * {@code count} bytes, each 1, 2 or 3: every header read inside them claims a payload of 16 to 50
     * MB, non-negative and not zero fill, which a scan that trusts any length fitting the segment
     * checks with a CRC over that many bytes.
     */
    byte[] smallByteGarbage(int count) {
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++) {
            bytes[i] = (byte) (1 + random.nextInt(3));
        }
        return bytes;
    }

    /**
     * Writes the partition: a sealed segment of about {@code sealedBytes} with {@code garbage} after the
     * records that end at or after {@code garbageAfterBytes}, then the last segment and the checkpoint.
     */
    Layout write(Path dir, long sealedBytes, long garbageAfterBytes, byte[] garbage) throws IOException {
        Files.createDirectories(dir);
        long garbageStart = -1;
        long garbageEnd = -1;
        long lastRecord = -1;
        int records = 0;
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
        try (FileChannel file = FileChannel.open(
                dir.resolve(LogDescriptor.segmentFileName(0)),
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            long position = 0;
            while (position < sealedBytes) {
                if (garbageStart < 0 && position >= garbageAfterBytes) {
                    garbageStart = position;
                    makeRoom(file, chunk, garbage.length);
                    chunk.put(garbage);
                    position += garbage.length;
                    garbageEnd = position;
                    continue;
                }
                int payload = 1 + random.nextInt(MAX_PAYLOAD_BYTES);
                makeRoom(file, chunk, RecordDescriptor.recordLength(payload));
                lastRecord = position;
                position += putRecord(chunk, payload);
                records++;
            }
            drain(file, chunk);
            if (garbageStart < 0 || lastRecord < garbageEnd) {
                throw new IllegalArgumentException("no valid record after the garbage: " + records + " records");
            }
        }
        long sealedEnd = Files.size(dir.resolve(LogDescriptor.segmentFileName(0)));
        writeLastSegment(dir, sealedEnd);
        new RecoveryPoint(false, 0, List.of()).write(new FileChannelStorageIo(), dir);
        return new Layout(garbageStart, garbageEnd, lastRecord, sealedEnd, records);
    }

    private void writeLastSegment(Path dir, long sealedEnd) throws IOException {
        ByteBuffer last = ByteBuffer.allocate(LAST_SEGMENT_RECORDS * RecordDescriptor.recordLength(100));
        for (int i = 0; i < LAST_SEGMENT_RECORDS; i++) {
            putRecord(last, 100);
        }
        Files.write(dir.resolve(LogDescriptor.segmentFileName(sealedEnd)), last.array());
    }

    /** Writes out what the chunk holds if {@code needed} more bytes do not fit in it. */
    private static void makeRoom(FileChannel file, ByteBuffer chunk, int needed) throws IOException {
        if (chunk.remaining() < needed) {
            drain(file, chunk);
        }
    }

    private static void drain(FileChannel file, ByteBuffer chunk) throws IOException {
        chunk.flip();
        while (chunk.hasRemaining()) {
            file.write(chunk);
        }
        chunk.clear();
    }

    /** Puts one record with a random payload of {@code payloadBytes}; returns its length. */
    private int putRecord(ByteBuffer to, int payloadBytes) {
        int from = random.nextInt(POOL_BYTES - payloadBytes + 1);
        ByteBuffer payload = ByteBuffer.wrap(pool, from, payloadBytes);
        to.putInt(payloadBytes)
                .putInt(RecordDescriptor.checksum(payload))
                .putLong(nextId++)
                .putInt(0)
                .put(payload);
        return RecordDescriptor.recordLength(payloadBytes);
    }
}
