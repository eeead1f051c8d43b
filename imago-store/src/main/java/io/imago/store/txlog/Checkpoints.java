package io.imago.store.txlog;

import static io.imago.store.txlog.TxLogDescriptor.CHECKPOINT_HEADER_BYTES;
import static io.imago.store.txlog.TxLogDescriptor.CHECKPOINT_MAGIC;
import static io.imago.store.txlog.TxLogDescriptor.TMP_SUFFIX;

import io.imago.store.fs.StorageFile;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Writes and reads checkpoint files (layout in {@link TxLogDescriptor}). Stateless; thread-safe. */
final class Checkpoints {
    private Checkpoints() {}

    /** A checkpoint as read back: where to replay from and the live transactions at that point. */
    record Checkpoint(long number, long createdMs, long redoFile, long redoOffset, TxTable table) {}

    /**
     * Writes {@code checkpoint.<number>} durably: to a temporary file, fsynced, renamed, the directory
     * synced.
     *
     * @param tableBytes the live transactions, as {@link TxTable#encode} wrote them
     */
    static void write(
            StorageIo io, Path dir, long number, long createdMs, long redoFile, long redoOffset, Encoder tableBytes)
            throws IOException {
        Encoder body = new Encoder(24 + tableBytes.length());
        body.putLong(createdMs).putLong(redoFile).putLong(redoOffset);
        body.putBytes(ByteBuffer.wrap(tableBytes.array(), 0, tableBytes.length()));
        ByteBuffer header = ByteBuffer.allocate(CHECKPOINT_HEADER_BYTES);
        header.putInt(CHECKPOINT_MAGIC).putInt(body.length()).putInt(Encoder.crc(body.array(), 0, body.length()));
        header.flip();
        Path target = dir.resolve(TxLogDescriptor.checkpointName(number));
        Path tmp = dir.resolve(target.getFileName() + TMP_SUFFIX);
        if (io.exists(tmp)) {
            io.delete(tmp);
        }
        try (StorageFile file = io.create(tmp)) {
            file.write(new ByteBuffer[] {header, ByteBuffer.wrap(body.array(), 0, body.length())}, 0);
            file.force();
        }
        io.move(tmp, target);
        io.syncDirectory(dir);
    }

    /**
     * Reads and checks a checkpoint file.
     *
     * @throws TxJournalCorruptException if its magic, length or CRC is wrong or its body does not parse
     */
    static Checkpoint read(StorageIo io, Path file, long number) throws IOException {
        ByteBuffer all = TxJournalRecovery.readFully(io, file);
        if (all.remaining() < CHECKPOINT_HEADER_BYTES) {
            throw new TxJournalCorruptException(
                    file, 0, "checkpoint shorter than its header (" + all.remaining() + " bytes)");
        }
        int magic = all.getInt();
        int length = all.getInt();
        int crc = all.getInt();
        if (magic != CHECKPOINT_MAGIC) {
            throw new TxJournalCorruptException(file, 0, "not a checkpoint (magic " + Integer.toHexString(magic) + ")");
        }
        if (length != all.remaining()) {
            throw new TxJournalCorruptException(
                    file, 4, "checkpoint body length " + length + " but " + all.remaining() + " bytes follow");
        }
        if (Encoder.crc(all) != crc) {
            throw new TxJournalCorruptException(file, CHECKPOINT_HEADER_BYTES, "checkpoint CRC mismatch");
        }
        try {
            long created = all.getLong();
            long redoFile = all.getLong();
            long redoOffset = all.getLong();
            TxTable table = TxTable.decode(all);
            if (all.hasRemaining()) {
                throw new IllegalArgumentException(all.remaining() + " bytes after the transactions");
            }
            return new Checkpoint(number, created, redoFile, redoOffset, table);
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            throw new TxJournalCorruptException(file, CHECKPOINT_HEADER_BYTES, "checkpoint body does not parse: " + e);
        }
    }
}
