package io.imago.client.internal.storage;

import static io.imago.client.internal.storage.RecoverStoreDescriptor.CRC_OFFSET;
import static io.imago.client.internal.storage.RecoverStoreDescriptor.FILE_HEADER_SIZE;
import static io.imago.client.internal.storage.RecoverStoreDescriptor.LENGTH_OFFSET;
import static io.imago.client.internal.storage.RecoverStoreDescriptor.MAGIC_OFFSET;
import static io.imago.client.internal.storage.RecoverStoreDescriptor.RECORD_HEADER_SIZE;
import static io.imago.client.internal.storage.RecoverStoreDescriptor.RECORD_MAGIC;
import static io.imago.client.internal.storage.RecoverStoreDescriptor.SEQUENCE_OFFSET;
import static io.imago.client.internal.storage.RecoverStoreDescriptor.TYPE_MESSAGE;
import static io.imago.client.internal.storage.RecoverStoreDescriptor.TYPE_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * Reads and checks the records of a recover store file: each record's magic, length, CRC and inner
 * layout. A record that fails any check starts a corrupt region, which ends at the next offset where
 * a valid record starts (found by its magic), or at the end of the file (a torn or corrupt tail).
 * Stateless apart from the channel and file it reads; used under the store's lock.
 */
final class RecoverFileScanner {
    private static final int SEARCH_CHUNK = 64 * 1024;

    private final FileChannel channel;
    private final Path file;

    RecoverFileScanner(FileChannel channel, Path file) {
        this.channel = channel;
        this.file = file;
    }

    /** Where a live MESSAGE record lies. */
    record Slot(long position, int size) {}

    /** A record that passed every check. */
    record ValidRecord(byte type, long sequence, long position, int size, ByteBuffer body) {}

    /**
     * What a scan found: the live messages in file order, the highest sequence seen, the corrupt
     * regions, and the end of the last valid record (where appends continue; a tail beyond it holds
     * no valid record).
     */
    record ScanResult(LinkedHashMap<Long, Slot> live, long maxSequence, List<CorruptRegion> corrupt, long validEnd) {}

    /** Scans the records from the end of the file header to {@code size}. */
    ScanResult scan(long size) throws IOException {
        LinkedHashMap<Long, Slot> live = new LinkedHashMap<>();
        List<CorruptRegion> corrupt = new ArrayList<>();
        long maxSequence = 0;
        long validEnd = FILE_HEADER_SIZE;
        long pos = FILE_HEADER_SIZE;
        while (pos < size) {
            Attempt a = read(pos, size);
            if (a.record().isPresent()) {
                ValidRecord r = a.record().get();
                maxSequence = Math.max(maxSequence, r.sequence());
                if (r.type() == TYPE_MESSAGE) {
                    live.put(r.sequence(), new Slot(r.position(), r.size()));
                } else {
                    live.remove(r.sequence());
                }
                pos += r.size();
                validEnd = pos;
                continue;
            }
            long next = nextValidRecord(pos, size);
            corrupt.add(new CorruptRegion(
                    file, pos, next - pos, next == size ? a.failure() + " (to end of file)" : a.failure()));
            pos = next;
        }
        return new ScanResult(live, maxSequence, corrupt, validEnd);
    }

    /** The outcome of reading one record: the record, or why there is none. */
    record Attempt(Optional<ValidRecord> record, String failure) {
        static Attempt failed(String why) {
            return new Attempt(Optional.empty(), why);
        }
    }

    /** Reads and checks the record at {@code pos} in a file of {@code size} bytes. */
    Attempt read(long pos, long size) throws IOException {
        if (size - pos < RECORD_HEADER_SIZE) {
            return Attempt.failed("torn record header");
        }
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_SIZE);
        if (!DurableFiles.readFully(channel, header, pos)) {
            return Attempt.failed("torn record header");
        }
        if (header.getInt(MAGIC_OFFSET) != RECORD_MAGIC) {
            return Attempt.failed("no record magic");
        }
        int length = header.getInt(LENGTH_OFFSET);
        if (length < RecoverStoreDescriptor.BODY_FIXED_SIZE
                || length > RecoverStoreDescriptor.MAX_BODY_SIZE
                || length > size - pos - RECORD_HEADER_SIZE) {
            return Attempt.failed("record length " + length + " out of range");
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        if (!DurableFiles.readFully(channel, body, pos + RECORD_HEADER_SIZE)) {
            return Attempt.failed("torn record body");
        }
        body.flip();
        if (RecoverStoreDescriptor.crc(length, body) != header.getInt(CRC_OFFSET)) {
            return Attempt.failed("checksum mismatch");
        }
        byte type = body.get(TYPE_OFFSET);
        int min = RecoverStoreDescriptor.minBodyLength(type);
        if (min < 0 || length < min || (type != TYPE_MESSAGE && length != min)) {
            return Attempt.failed("unknown record type " + type + " or bad length " + length);
        }
        if (type == TYPE_MESSAGE) {
            try {
                RecoverStoreDescriptor.decodeMessage(body);
            } catch (IllegalArgumentException e) {
                return Attempt.failed("malformed message: " + e.getMessage());
            }
        }
        long sequence = body.getLong(SEQUENCE_OFFSET);
        return new Attempt(Optional.of(new ValidRecord(type, sequence, pos, RECORD_HEADER_SIZE + length, body)), "");
    }

    /** The first offset after {@code bad} where a valid record starts, or {@code size} if none does. */
    private long nextValidRecord(long bad, long size) throws IOException {
        long candidate = bad;
        while (true) {
            candidate = findMagic(candidate + 1, size);
            if (candidate == size || read(candidate, size).record().isPresent()) {
                return candidate;
            }
        }
    }

    /** The offset of the next record magic at or after {@code from}, or {@code size}. */
    private long findMagic(long from, long size) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(SEARCH_CHUNK);
        long base = from;
        while (size - base >= 4) {
            chunk.clear().limit((int) Math.min(SEARCH_CHUNK, size - base));
            DurableFiles.readFully(channel, chunk, base);
            chunk.flip();
            for (int i = 0; i + 4 <= chunk.limit(); i++) {
                if (chunk.getInt(i) == RECORD_MAGIC) {
                    return base + i;
                }
            }
            base += chunk.limit() - 3;
        }
        return size;
    }
}
