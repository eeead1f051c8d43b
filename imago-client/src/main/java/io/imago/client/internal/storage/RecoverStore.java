package io.imago.client.internal.storage;

import static io.imago.client.internal.storage.RecoverStoreDescriptor.FILE_HEADER_SIZE;

import io.imago.Message;
import io.imago.client.MetaClientConfig;
import io.imago.client.internal.storage.RecoverFileScanner.ScanResult;
import io.imago.client.internal.storage.RecoverFileScanner.Slot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local recover store of one consumer group in one topic: the messages its listener kept
 * failing on, waiting to be redelivered in the background. One append-only file per
 * {@code topic@group}, {@code <directory>/<topic>@<group>.recover}, laid out as
 * {@link RecoverStoreDescriptor} draws: every append and every removal is a record with a length and
 * a CRC, forced to disk before the call returns.
 *
 * <p>Invariants: the in-memory index maps the sequence of every pending message to its record; a
 * removal appends a REMOVED record for the sequence; bytes past the index (removed messages, REMOVED
 * records, corrupt regions) are dead and reclaimed by compaction, which runs when nothing is pending
 * (the file is cut back to its header) or when dead bytes outweigh live ones and exceed
 * {@code compactMinDeadBytes} (the live records are copied to a new file renamed over the old).
 *
 * <p>Corruption never blocks the other entries: {@link #open()} checks every record, skips each
 * corrupt region (a bit flip, a torn append), reports it to the {@link CorruptionListener}, logs it,
 * counts it ({@link #corruptRegionCount()}), then rewrites the file without it; a record found
 * corrupt later, while iterating, is reported and skipped the same way.
 *
 * <p>Lifecycle: the constructor only assigns; {@link #open()} creates or recovers the file;
 * {@link #close()} is idempotent. Thread-safe: appends, removals, reads and compaction are serialised
 * by one lock; iterators see entries appended after their creation only if their sequence is not yet
 * passed.
 */
public final class RecoverStore implements Iterable<RecoverStore.Entry>, AutoCloseable {
    /** Dead bytes below which a partly used file is not compacted. */
    public static final long DEFAULT_COMPACT_MIN_DEAD_BYTES = 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(RecoverStore.class);

    /** A pending message and the sequence that names it in the file. */
    public record Entry(long sequence, Message message) {}

    private final Path file;
    private final long compactMinDeadBytes;
    private final CorruptionListener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong corruptRegions = new AtomicLong();
    private LinkedHashMap<Long, Slot> index = new LinkedHashMap<>();
    private FileChannel channel;
    private long writePosition;
    private long liveBytes;
    private long nextSequence = 1;
    private boolean closed;

    public RecoverStore(Path directory, String topic, String group, CorruptionListener listener) {
        this(directory, topic, group, DEFAULT_COMPACT_MIN_DEAD_BYTES, listener);
    }

    public RecoverStore(
            Path directory, String topic, String group, long compactMinDeadBytes, CorruptionListener listener) {
        this.file = directory.resolve(fileName(topic, group));
        this.compactMinDeadBytes = compactMinDeadBytes;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** The store of {@code topic@group} in the configured recover directory. */
    public static RecoverStore of(MetaClientConfig config, String topic, String group, CorruptionListener listener) {
        return new RecoverStore(Path.of(config.getRecoverDirectory()), topic, group, listener);
    }

    /** {@code <topic>@<group>.recover}; IllegalArgumentException for a name that is not a plain file name. */
    public static String fileName(String topic, String group) {
        for (String part : new String[] {topic, group}) {
            if (part == null || part.isBlank() || part.contains("/") || part.contains("\\") || part.equals("..")) {
                throw new IllegalArgumentException("'" + part + "' cannot name a recover store file");
            }
        }
        return topic + "@" + group + RecoverStoreDescriptor.FILE_SUFFIX;
    }

    public Path file() {
        return file;
    }

    /** Creates the file, or checks and indexes an existing one (skipping and reporting corrupt regions). */
    public void open() throws RecoverStoreException {
        lock.lock();
        try {
            if (channel != null || closed) {
                throw new RecoverStoreException("recover store " + file + " is already open or closed");
            }
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(compactFile());
            if (!Files.exists(file) || Files.size(file) == 0) {
                DurableFiles.writeAtomically(file, RecoverStoreDescriptor.fileHeader());
            }
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            recover();
            log.info(
                    "Recover store {} opened: {} pending, {} corrupt regions skipped",
                    file,
                    index.size(),
                    corruptRegions.get());
        } catch (RecoverStoreException e) {
            closeChannelAfter(e);
            throw e;
        } catch (IOException e) {
            closeChannelAfter(e);
            throw new RecoverStoreException("cannot open recover store " + file + ": " + e, e);
        } finally {
            lock.unlock();
        }
    }

    /** Checks every record, indexes the pending ones, reports corrupt regions and drops them from the file. */
    private void recover() throws IOException, RecoverStoreException {
        ByteBuffer header = ByteBuffer.allocate(FILE_HEADER_SIZE);
        if (!DurableFiles.readFully(channel, header, 0) || !RecoverStoreDescriptor.isValidHeader(header)) {
            throw new RecoverStoreException(file + " is not an Imago recover store (bad header); move it away");
        }
        ScanResult scan = new RecoverFileScanner(channel, file).scan(channel.size());
        index = scan.live();
        nextSequence = scan.maxSequence() + 1;
        writePosition = scan.validEnd();
        liveBytes = index.values().stream().mapToLong(Slot::size).sum();
        scan.corrupt().forEach(this::report);
        if (!scan.corrupt().isEmpty()) {
            rewrite();
        }
    }

    /** Appends {@code message} and forces it to disk. */
    public Entry append(Message message) throws RecoverStoreException {
        lock.lock();
        try {
            checkOpen();
            long sequence = nextSequence;
            ByteBuffer record = RecoverStoreDescriptor.encodeMessage(sequence, message);
            int size = record.remaining();
            writeRecord(record);
            nextSequence++;
            index.put(sequence, new Slot(writePosition - size, size));
            liveBytes += size;
            return new Entry(sequence, message);
        } finally {
            lock.unlock();
        }
    }

    /** Removes a redelivered entry (durably); false if it was not pending. May compact the file. */
    public boolean remove(Entry entry) throws RecoverStoreException {
        return remove(entry.sequence());
    }

    public boolean remove(long sequence) throws RecoverStoreException {
        lock.lock();
        try {
            checkOpen();
            Slot slot = index.get(sequence);
            if (slot == null) {
                return false;
            }
            writeRecord(RecoverStoreDescriptor.encodeRemoved(sequence));
            index.remove(sequence);
            liveBytes -= slot.size();
            maybeCompact();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The pending entries in append order, each read and checked when the iterator reaches it. A
     * record found corrupt is reported and skipped; an I/O error is thrown as UncheckedIOException.
     */
    @Override
    public Iterator<Entry> iterator() {
        long[] sequences;
        lock.lock();
        try {
            sequences = index.keySet().stream().mapToLong(Long::longValue).toArray();
        } finally {
            lock.unlock();
        }
        return new PendingIterator(sequences);
    }

    /** The number of pending entries. */
    public int size() {
        lock.lock();
        try {
            return index.size();
        } finally {
            lock.unlock();
        }
    }

    /** Corrupt regions skipped since this store was created. */
    public long corruptRegionCount() {
        return corruptRegions.get();
    }

    /** The length of the file, header included. */
    public long fileBytes() {
        lock.lock();
        try {
            return writePosition;
        } finally {
            lock.unlock();
        }
    }

    /** Reclaims every dead byte now. */
    public void compact() throws RecoverStoreException {
        lock.lock();
        try {
            checkOpen();
            try {
                rewrite();
            } catch (IOException e) {
                throw new RecoverStoreException("cannot compact recover store " + file + ": " + e, e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes the file; idempotent. Every append and removal is already on disk. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close recover store " + file, e);
        } finally {
            lock.unlock();
        }
    }

    private void writeRecord(ByteBuffer record) throws RecoverStoreException {
        long at = writePosition;
        try {
            DurableFiles.writeFully(channel, record, at);
            channel.force(false);
            writePosition = at + record.limit();
        } catch (IOException e) {
            cutBack(at, e);
            throw new RecoverStoreException("cannot write to recover store " + file + ": " + e, e);
        }
    }

    /** Removes a partly written record so the next append does not follow garbage. */
    private void cutBack(long at, IOException cause) {
        try {
            channel.truncate(at);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private void maybeCompact() throws RecoverStoreException {
        long dead = writePosition - FILE_HEADER_SIZE - liveBytes;
        if ((index.isEmpty() && writePosition > FILE_HEADER_SIZE)
                || (dead >= compactMinDeadBytes && dead > liveBytes)) {
            try {
                rewrite();
            } catch (IOException e) {
                throw new RecoverStoreException("cannot compact recover store " + file + ": " + e, e);
            }
        }
    }

    /** Leaves only the header and the live records in the file. */
    private void rewrite() throws IOException {
        if (index.isEmpty()) {
            channel.truncate(FILE_HEADER_SIZE);
            channel.force(true);
            writePosition = FILE_HEADER_SIZE;
            return;
        }
        Path tmp = compactFile();
        LinkedHashMap<Long, Slot> moved = new LinkedHashMap<>();
        long end;
        try (FileChannel out = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            DurableFiles.writeFully(out, ByteBuffer.wrap(RecoverStoreDescriptor.fileHeader()), 0);
            end = FILE_HEADER_SIZE;
            for (Map.Entry<Long, Slot> e : index.entrySet()) {
                Slot s = e.getValue();
                copy(s, out, end);
                moved.put(e.getKey(), new Slot(end, s.size()));
                end += s.size();
            }
            out.force(true);
        }
        DurableFiles.moveReplacing(tmp, file);
        DurableFiles.forceDirectory(file.getParent());
        channel.close();
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        index = moved;
        writePosition = end;
    }

    private void copy(Slot s, FileChannel out, long at) throws IOException {
        long done = 0;
        while (done < s.size()) {
            done += channel.transferTo(s.position() + done, s.size() - done, out.position(at + done));
        }
    }

    /** Reads the entry of {@code sequence}; empty if it was removed or found corrupt (then reported). */
    private Optional<Entry> read(long sequence) throws IOException {
        lock.lock();
        try {
            checkOpenUnchecked();
            Slot slot = index.get(sequence);
            if (slot == null) {
                return Optional.empty();
            }
            RecoverFileScanner.Attempt a = new RecoverFileScanner(channel, file).read(slot.position(), writePosition);
            if (a.record().isEmpty() || a.record().get().sequence() != sequence) {
                index.remove(sequence);
                liveBytes -= slot.size();
                report(new CorruptRegion(
                        file, slot.position(), slot.size(), a.record().isEmpty() ? a.failure() : "sequence changed"));
                return Optional.empty();
            }
            return Optional.of(new Entry(
                    sequence,
                    RecoverStoreDescriptor.decodeMessage(a.record().get().body())));
        } finally {
            lock.unlock();
        }
    }

    private void report(CorruptRegion region) {
        corruptRegions.incrementAndGet();
        log.warn(
                "Recover store {}: skipped {} corrupt bytes at {} ({})",
                region.file(),
                region.length(),
                region.position(),
                region.reason());
        try {
            listener.onCorruptRegion(region);
        } catch (RuntimeException e) {
            log.warn("Corruption listener of {} failed", file, e);
        }
    }

    private Path compactFile() {
        return file.resolveSibling(file.getFileName() + RecoverStoreDescriptor.COMPACT_SUFFIX);
    }

    private void checkOpen() throws RecoverStoreException {
        if (closed || channel == null) {
            throw new RecoverStoreException("recover store " + file + (closed ? " is closed" : " is not open"));
        }
    }

    private void checkOpenUnchecked() {
        if (closed || channel == null) {
            throw new IllegalStateException("recover store " + file + (closed ? " is closed" : " is not open"));
        }
    }

    private void closeChannelAfter(Exception failure) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            channel = null;
        }
    }

    /** Walks a snapshot of sequences, reading each entry under the lock when reached. */
    private final class PendingIterator implements Iterator<Entry> {
        private final long[] sequences;
        private int next;
        private Optional<Entry> ahead = Optional.empty();

        PendingIterator(long[] sequences) {
            this.sequences = sequences;
        }

        @Override
        public boolean hasNext() {
            while (ahead.isEmpty() && next < sequences.length) {
                try {
                    ahead = read(sequences[next++]);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read recover store " + file, e);
                }
            }
            return ahead.isPresent();
        }

        @Override
        public Entry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Entry e = ahead.get();
            ahead = Optional.empty();
            return e;
        }
    }
}
