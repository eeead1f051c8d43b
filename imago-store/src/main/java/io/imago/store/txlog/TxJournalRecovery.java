package io.imago.store.txlog;

import static io.imago.store.txlog.TxLogDescriptor.HEADER_BYTES;
import static io.imago.store.txlog.TxLogDescriptor.MAX_RECORD_BYTES;

import io.imago.store.fs.StorageFile;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the live transactions from a journal directory: the newest checkpoint that reads back (an
 * older one if the newest is bad), then every redo record after its position, through the same state
 * machine as the appends. Only the tail of the last redo file may be torn: it is truncated (and the
 * bytes logged). Any other bad record, or a missing file, fails with {@link TxJournalCorruptException}.
 * Runs once, before the journal's threads start; not thread-safe.
 */
final class TxJournalRecovery {
    private static final Logger log = LoggerFactory.getLogger(TxJournalRecovery.class);

    private TxJournalRecovery() {}

    /** What recovery found and did. */
    record Recovered(
            TxTable table,
            long nextRedoFile,
            long nextCheckpoint,
            List<Checkpoints.Checkpoint> checkpoints,
            Map<Long, Long> redoSizes,
            long recordsReplayed,
            long truncatedBytes) {}

    static Recovered recover(StorageIo io, Path dir) throws IOException {
        TreeMap<Long, Path> redo = new TreeMap<>();
        TreeMap<Long, Path> checkpointFiles = new TreeMap<>();
        for (Path file : io.list(dir)) {
            String name = file.getFileName().toString();
            if (name.endsWith(TxLogDescriptor.TMP_SUFFIX)) {
                log.info("Deleting {}: a checkpoint that was being written when the journal stopped", file);
                io.delete(file);
                continue;
            }
            OptionalLong r = TxLogDescriptor.redoNumber(file);
            OptionalLong c = TxLogDescriptor.checkpointNumber(file);
            if (r.isPresent()) {
                redo.put(r.getAsLong(), file);
            } else if (c.isPresent()) {
                checkpointFiles.put(c.getAsLong(), file);
            }
        }
        List<Checkpoints.Checkpoint> valid = new ArrayList<>();
        Checkpoints.Checkpoint start = null;
        for (Map.Entry<Long, Path> e : checkpointFiles.descendingMap().entrySet()) {
            Checkpoints.Checkpoint cp = readCheckpoint(io, e.getValue(), e.getKey(), redo);
            if (cp != null) {
                valid.add(0, cp);
                if (start == null) {
                    start = cp;
                }
            }
        }
        if (start == null && !checkpointFiles.isEmpty()) {
            Path newest = checkpointFiles.lastEntry().getValue();
            throw new TxJournalCorruptException(
                    newest, 0, "no checkpoint of " + checkpointFiles.values() + " is usable");
        }
        long firstFile = start == null ? 0 : start.redoFile();
        long firstOffset = start == null ? 0 : start.redoOffset();
        if (start == null && !redo.isEmpty() && redo.firstKey() != 0) {
            throw new TxJournalCorruptException(
                    dir.resolve(TxLogDescriptor.redoName(0)),
                    0,
                    "missing, and no checkpoint: the journal's start is lost");
        }
        TxTable table = start == null ? new TxTable() : start.table();
        Map<Long, Long> sizes = new TreeMap<>();
        long records = 0;
        long truncated = 0;
        long expected = firstFile;
        for (Map.Entry<Long, Path> e : redo.tailMap(firstFile, true).entrySet()) {
            if (e.getKey() != expected) {
                throw new TxJournalCorruptException(
                        dir.resolve(TxLogDescriptor.redoName(expected)), 0, "missing between redo files");
            }
            expected++;
            boolean last = e.getKey().equals(redo.lastKey());
            long from = e.getKey() == firstFile ? firstOffset : 0;
            Replay replay = replay(io, e.getValue(), from, last, table);
            records += replay.records();
            truncated += replay.truncatedBytes();
            sizes.put(e.getKey(), replay.end());
        }
        for (Map.Entry<Long, Path> e : redo.headMap(firstFile, false).entrySet()) {
            sizes.put(e.getKey(), sizeOf(io, e.getValue())); // not needed any more; deleted at the next checkpoint
        }
        long nextRedo = redo.isEmpty() ? 0 : redo.lastKey() + 1;
        long nextCheckpoint = checkpointFiles.isEmpty() ? 0 : checkpointFiles.lastKey() + 1;
        log.info(
                "Transaction journal {}: {} from {} replayed {} records of {} redo files; {} live transactions{}",
                dir,
                start == null ? "no checkpoint" : "checkpoint." + start.number(),
                TxLogDescriptor.redoName(firstFile) + "@" + firstOffset,
                records,
                redo.tailMap(firstFile, true).size(),
                table.size(),
                truncated > 0 ? "; torn tail of " + truncated + " bytes truncated" : "");
        return new Recovered(table, nextRedo, nextCheckpoint, valid, sizes, records, truncated);
    }

    /** The checkpoint if it reads back and its redo position exists; null (logged) otherwise. */
    private static Checkpoints.Checkpoint readCheckpoint(StorageIo io, Path file, long number, Map<Long, Path> redo)
            throws IOException {
        try {
            Checkpoints.Checkpoint cp = Checkpoints.read(io, file, number);
            Path redoFile = redo.get(cp.redoFile());
            long size = redoFile == null ? -1 : sizeOf(io, redoFile);
            if (size < cp.redoOffset()) {
                log.warn(
                        "Checkpoint {} is not usable: it replays from {}@{} but that file {}; trying an older one",
                        file,
                        TxLogDescriptor.redoName(cp.redoFile()),
                        cp.redoOffset(),
                        redoFile == null ? "is missing" : "has only " + size + " bytes");
                return null;
            }
            return cp;
        } catch (TxJournalCorruptException e) {
            log.warn("Checkpoint {} is corrupt ({}); trying an older one", file, e.getMessage());
            return null;
        }
    }

    private static long sizeOf(StorageIo io, Path file) throws IOException {
        try (StorageFile f = io.open(file)) {
            return f.size();
        }
    }

    /** One redo file's replay: records applied, where the valid records end, bytes truncated. */
    record Replay(long records, long end, long truncatedBytes) {}

    /** Applies every record of {@code file} from {@code from}; truncates a torn tail if {@code last}. */
    static Replay replay(StorageIo io, Path file, long from, boolean last, TxTable table) throws IOException {
        ByteBuffer all = readFully(io, file);
        int size = all.limit();
        int position = (int) from;
        long records = 0;
        while (position < size) {
            String problem = problemAt(all, position);
            if (problem != null) {
                if (last && isTornTail(all, position)) {
                    long torn = (long) size - position;
                    log.warn(
                            "Truncating the torn tail of {}: {} bytes from position {} ({})",
                            file,
                            torn,
                            position,
                            problem);
                    try (StorageFile f = io.open(file)) {
                        f.truncate(position);
                        f.force();
                    }
                    return new Replay(records, position, torn);
                }
                throw new TxJournalCorruptException(file, position, problem);
            }
            int length = all.getInt(position);
            ByteBuffer typeAndBody = all.slice(position + HEADER_BYTES, length);
            try {
                table.apply(TxRecord.decode(typeAndBody));
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new TxJournalCorruptException(file, position, "record does not replay: " + e.getMessage());
            }
            records++;
            position += HEADER_BYTES + length;
        }
        return new Replay(records, size, 0);
    }

    /** Why the record at {@code position} cannot be read, or null if its length and CRC are right. */
    private static String problemAt(ByteBuffer all, int position) {
        int left = all.limit() - position;
        if (left < HEADER_BYTES) {
            return "incomplete header (" + left + " bytes)";
        }
        int length = all.getInt(position);
        if (length < 1 || length > MAX_RECORD_BYTES) {
            return "bad record length " + length;
        }
        if (length > left - HEADER_BYTES) {
            return "record of " + length + " bytes but " + (left - HEADER_BYTES) + " bytes follow";
        }
        int crc = all.getInt(position + 4);
        if (Encoder.crc(all.slice(position + HEADER_BYTES, length)) != crc) {
            return "CRC mismatch";
        }
        return null;
    }

    /**
     * Whether a bad record at {@code position} can be the torn end of the last write: nothing but zeros
     * follows, or the record runs to (or past) the end of the file. A bad record with more data after
     * it is corruption, not a torn write.
     */
    private static boolean isTornTail(ByteBuffer all, int position) {
        int left = all.limit() - position;
        if (left < HEADER_BYTES) {
            return true;
        }
        boolean zeros = true;
        for (int i = position; i < all.limit() && zeros; i++) {
            zeros = all.get(i) == 0;
        }
        if (zeros) {
            return true;
        }
        int length = all.getInt(position);
        return length >= 1 && (long) length >= left - HEADER_BYTES;
    }

    static ByteBuffer readFully(StorageIo io, Path file) throws IOException {
        try (StorageFile f = io.open(file)) {
            long size = f.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new TxJournalCorruptException(file, 0, "file of " + size + " bytes is too large");
            }
            ByteBuffer all = ByteBuffer.allocate((int) size);
            while (all.hasRemaining()) {
                if (f.read(all, all.position()) < 0) {
                    break;
                }
            }
            all.flip();
            return all;
        }
    }
}
