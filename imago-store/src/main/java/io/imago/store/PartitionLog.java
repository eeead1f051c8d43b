package io.imago.store;

import io.imago.protocol.RecordDescriptor;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: the directory {@code <dataPath>/<topic>-<partition>} of segment files
 * {@code %020d.meta} (see {@link LogDescriptor}), each a plain concatenation of MetaQ records
 * ({@link RecordDescriptor}); an offset is a byte position in the partition's logical log.
 *
 * <p>Appends copy the record into the {@link AppendQueue} and return a future; the partition's writer
 * ({@link LogWriter}), a task on the writer threads of its data directory ({@link LogThreads}), writes,
 * fsyncs (group commit) and completes the futures, in offset order, on the writer thread: keep
 * callbacks short (they hold a thread that serves other partitions too) or use the {@code *Async}
 * variants. Reads return zero-copy
 * {@link LogRegion}s of acknowledged bytes only ({@code maxOffset}). Recovery runs in
 * {@link #open}; retention, {@link #verify()} and reads may run on any thread.
 *
 * <p>Acknowledgement: in group commit ({@code unflushThreshold <= 0}) a completed future means the
 * record is fsynced; with {@code unflushThreshold > 0} it means written to the OS. After a failed
 * write or fsync the log is offline: every waiter and every later append fails with
 * {@link LogOfflineException}; reads still serve what was acknowledged. Thread-safe.
 */
public final class PartitionLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final Path dir;
    private final String name;
    private final LogConfig config;
    private final StorageIo io;
    private final Clock clock;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object checkpointLock = new Object();
    /** Serializes retention passes; guards {@code retired}. */
    private final ReentrantLock retentionLock = new ReentrantLock();

    private final LogThreads threads;
    /** The threads are this log's own ({@link LogThreads#forOneLog}): shut down at close. */
    private final boolean ownThreads;

    private SegmentSet segments;
    private AppendQueue queue;
    private LogWriter writer;
    private AcknowledgedEndMarker marker;
    private RecoveryReport recovery;
    private CorruptRanges corruptRanges;
    private RetiredSegments retired;
    /** The checkpoint's durable end (where recovery scans from); guarded by checkpointLock. */
    private long checkpointDurableEnd;
    /** The checkpoint's acknowledged end ({@link AcknowledgedEndMarker}); guarded by checkpointLock. */
    private long checkpointAcknowledgedEnd;
    /**
     * The checkpoint on disk says "clean" and is exact: true from an open after a clean stop until the
     * first write (which first marks it unclean) and again after a clean close; written under
     * checkpointLock.
     */
    private volatile boolean checkpointClean;
    /** The corrupt ranges the checkpoint on disk holds; guarded by checkpointLock. */
    private List<CorruptRange> checkpointRanges = List.of();

    private PartitionLog(Path dir, LogConfig config, StorageIo io, Clock clock, LogThreads threads, boolean own) {
        this.dir = dir;
        this.name = dir.getFileName().toString();
        this.config = config;
        this.io = io;
        this.clock = clock;
        this.threads = threads;
        this.ownThreads = own;
    }

    /**
     * Opens (creating if missing) the partition directory and recovers it, with threads of its own (one
     * writer thread, started when needed): for a log on its own, in tools and tests. A broker opens its
     * logs with {@link #open(Path, LogConfig, StorageIo, Clock, LogThreads)}.
     *
     * @throws LogRecoveryException if the segments are inconsistent (the message names the files)
     * @throws IOException          if the directory cannot be read or written
     */
    public static PartitionLog open(Path dir, LogConfig config, StorageIo io, Clock clock) throws IOException {
        LogThreads own = LogThreads.forOneLog(dir.getFileName().toString());
        try {
            return open(dir, config, io, clock, own, true);
        } catch (IOException | RuntimeException | Error e) {
            own.shutdown();
            throw e;
        }
    }

    /**
     * Opens (creating if missing) the partition directory and recovers it; its writes, fsyncs and
     * completions run on {@code threads}, shared with the other logs of the same data directory. Close
     * the log before the threads.
     *
     * @throws LogRecoveryException if the segments are inconsistent (the message names the files)
     * @throws IOException          if the directory cannot be read or written
     */
    public static PartitionLog open(Path dir, LogConfig config, StorageIo io, Clock clock, LogThreads threads)
            throws IOException {
        return open(dir, config, io, clock, Objects.requireNonNull(threads, "threads"), false);
    }

    private static PartitionLog open(
            Path dir, LogConfig config, StorageIo io, Clock clock, LogThreads threads, boolean own) throws IOException {
        PartitionLog log = new PartitionLog(
                dir,
                Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(io, "io"),
                Objects.requireNonNull(clock, "clock"),
                threads,
                own);
        log.start();
        return log;
    }

    private void start() throws IOException {
        DurableDirectories.create(io, dir, threads.syncedParents());
        LogRecovery.Outcome outcome = new LogRecovery(dir, io, clock, config.maxMessageBytes()).recover();
        List<Segment> list = outcome.segments();
        retired = new RetiredSegments(dir, io);
        try {
            list = list.subList(retired.adopt(list), list.size());
            recovery = withoutRetired(outcome.report(), list);
            segments = new SegmentSet(list, recovery.maxOffset());
            corruptRanges = new CorruptRanges(name, recovery.corruptRanges());
            if (recovery.cleanShutdown()) {
                // the clean checkpoint stays until the first write marks it unclean (markUnclean): a
                // partition that takes no put costs no checkpoint write at open or at close
                checkpointDurableEnd = recovery.maxOffset();
                checkpointAcknowledgedEnd = recovery.maxOffset();
                checkpointRanges = corruptRanges.list();
                checkpointClean = true;
            } else if (outcome.checkpointSaysClean()) {
                // a clean checkpoint that does not match the files: replace it before anything else
                writeCheckpoint(false, recovery.maxOffset());
            } else {
                // the checkpoint on disk (or its absence) already means "unclean": keep it, and let the
                // marker record the recovered end in the background, off the open path (see storage.md)
                checkpointDurableEnd = recovery.scanStartOffset();
                checkpointAcknowledgedEnd = Math.max(checkpointDurableEnd, outcome.acknowledgedEnd());
            }
        } catch (IOException | RuntimeException e) {
            retired.release();
            list.forEach(Segment::release);
            throw e;
        }
        queue = new AppendQueue(
                config,
                threads.chunkPool(config.writeBufferBytes(), config.groupCommitMaxBytes()),
                name,
                recovery.maxOffset(),
                segments.active().startOffset());
        marker = new AcknowledgedEndMarker(
                name, clock, config, this::writeAcknowledgedEnd, checkpointAcknowledgedEnd, threads.markers());
        writer = new LogWriter(
                dir,
                io,
                config,
                clock,
                queue,
                segments,
                start -> writeCheckpoint(false, start),
                this::markUnclean,
                marker::synced,
                threads.writers(),
                threads.syncs(),
                threads.fills());
        // recovery fsynced the recovered log: it is all acknowledged now (a no-op after a clean stop)
        marker.synced(recovery.maxOffset());
        // DEBUG: recovery logs what it found, and the broker one line per partition (thousands at a start)
        LOG.debug(
                "Opened partition {} at {}: offsets [{}, {}), {} segments, {}",
                name,
                dir,
                minOffset(),
                maxOffset(),
                segmentCount(),
                config.isGroupCommit() ? "group commit" : "threshold flush");
    }

    /** The report of recovery, for the segments served: retired ones ({@link RetiredSegments}) left out. */
    private static RecoveryReport withoutRetired(RecoveryReport report, List<Segment> served) {
        long min = served.get(0).startOffset();
        if (min == report.minOffset()) {
            return report;
        }
        return new RecoveryReport(
                report.cleanShutdown(),
                Math.max(report.scanStartOffset(), min),
                report.scannedBytes(),
                report.truncatedBytes(),
                report.corruptRanges().stream()
                        .filter(r -> r.startOffset() >= min)
                        .toList(),
                served.size(),
                min,
                report.maxOffset(),
                report.durationMs());
    }

    /** What recovery found and did when this log was opened. */
    public RecoveryReport recovery() {
        return recovery;
    }

    /**
     * Appends one record; the log builds its header and checksum and copies the payload before
     * returning. Never blocks on I/O.
     *
     * @return the record's start offset, once acknowledged (see the class comment); fails with
     *         {@link LogOfflineException} or {@link LogClosedException}
     * @throws IllegalArgumentException for a record with an all-zero header (id 0, flag 0, empty
     *         payload), which recovery could not tell from a zero-filled torn page
     */
    public CompletableFuture<Long> append(long messageId, int flag, ByteBuffer payload) {
        return append(messageId, flag, payload, Record.NO_CHECKSUM);
    }

    /**
     * Appends one record whose checksum the caller has already verified (a broker checks a put's
     * checksum against its body): it is stored as given, not computed again, so a put is checksummed
     * once. {@link Record#NO_CHECKSUM} has the log compute it, as {@link #append(long, int, ByteBuffer)}.
     *
     * @param checksum {@code CRC32(payload) & 0x7FFFFFFF} ({@code RecordDescriptor.checksum}), or
     *        {@link Record#NO_CHECKSUM}
     * @throws IllegalArgumentException for an all-zero header (see above) or a negative checksum other
     *         than {@link Record#NO_CHECKSUM}
     */
    public CompletableFuture<Long> append(long messageId, int flag, ByteBuffer payload, int checksum) {
        checkNotZeroFill(messageId, flag, payload);
        return queue.append(messageId, flag, payload, checksumOf(payload, checksum));
    }

    /** The given checksum, or the payload's when none is given. */
    private static int checksumOf(ByteBuffer payload, int given) {
        if (given == Record.NO_CHECKSUM) {
            return RecordDescriptor.checksum(payload);
        }
        if (given < 0) {
            throw new IllegalArgumentException(
                    "checksum must be >= 0 (CRC32 & 0x7FFFFFFF) or Record.NO_CHECKSUM: " + given);
        }
        return given;
    }

    /**
     * Appends records contiguously and in order, in one segment. A record's verified checksum
     * ({@link Record#checksum()}) is stored as given; the log computes the others.
     *
     * @return one start offset per record, once all are acknowledged
     */
    public CompletableFuture<long[]> appendBatch(List<Record> records) {
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(new long[0]);
        }
        int[] checksums = new int[records.size()];
        long total = 0;
        for (int i = 0; i < checksums.length; i++) {
            Record r = records.get(i);
            checkNotZeroFill(r.messageId(), r.flag(), r.payload());
            checksums[i] = checksumOf(r.payload(), r.checksum());
            total += RecordDescriptor.recordLength(r.payload().remaining());
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch of " + total + " bytes is larger than 2 GiB");
        }
        return queue.appendBatch(records, checksums, (int) total);
    }

    private static void checkNotZeroFill(long messageId, int flag, ByteBuffer payload) {
        if (messageId == 0 && flag == 0 && !payload.hasRemaining()) {
            throw new IllegalArgumentException("a record with message id 0, flag 0 and an empty payload is refused:"
                    + " on disk it is indistinguishable from zero fill");
        }
    }

    /**
     * Reads acknowledged bytes from {@code offset}: at most {@code maxSize} bytes inside one segment,
     * raw (the last record may be cut). A read that starts before a known corrupt range stops at it.
     *
     * @return a {@link LogRegion} to release after use, or {@link ReadResult.OffsetBelowMin} /
     *         {@link ReadResult.OffsetAtOrAfterMax}
     * @throws CorruptRecordException if {@code offset} lies in a known corrupt range
     * @throws IllegalArgumentException if {@code maxSize <= 0}
     */
    public ReadResult read(long offset, int maxSize) {
        if (maxSize <= 0) {
            throw new IllegalArgumentException("maxSize must be > 0: " + maxSize);
        }
        if (closed.get()) {
            throw new LogClosedException("partition " + name + " is closed");
        }
        while (true) {
            long max = segments.maxOffset();
            Segment[] snapshot = segments.snapshot();
            long min = snapshot[0].startOffset();
            if (offset < min) {
                return new ReadResult.OffsetBelowMin(offset, min);
            }
            if (offset >= max) {
                return new ReadResult.OffsetAtOrAfterMax(offset, max);
            }
            Segment segment = SegmentSet.floor(snapshot, offset);
            long end = Math.min(segment.startOffset() + segment.visibleBytes(), max);
            long length = Math.min(maxSize, end - offset);
            length = Math.min(length, corruptRanges.readLimit(offset) - offset);
            if (segment.tryRetain()) {
                return new LogRegion(segment, offset, (int) length);
            }
            if (closed.get()) {
                throw new LogClosedException("partition " + name + " is closed");
            }
            // the segment was deleted by retention meanwhile: look again
        }
    }

    /** Bytes {@link #findMessageIds} reads at a time (more for a larger record). */
    private static final int SCAN_CHUNK_BYTES = 256 * 1024;

    /**
     * The subset of {@code ids} whose records lie at or after {@code fromOffset}, up to the acknowledged
     * end ({@link #maxOffset()}), read through {@link #read}. Records before {@link #minOffset()} are
     * gone (retention) and not searched. The broker uses it to append a committing transaction's missing
     * messages exactly once after a crash. The stored checksums are not checked here: a known corrupt
     * range throws as {@link #read} does.
     *
     * @throws CorruptRecordException if the scan reaches a known corrupt range
     * @throws UncheckedIOException if reading the segment fails
     */
    public Set<Long> findMessageIds(long fromOffset, Set<Long> ids) {
        Set<Long> found = new HashSet<>();
        long offset = Math.max(fromOffset, minOffset());
        int chunk = SCAN_CHUNK_BYTES;
        while (!ids.isEmpty() && found.size() < ids.size()) {
            ReadResult result = read(offset, chunk);
            if (!(result instanceof LogRegion region)) {
                break; // at the acknowledged end (or retention passed us: nothing older to find)
            }
            ByteBuffer bytes;
            try {
                bytes = copy(region);
            } finally {
                region.release();
            }
            int consumed = 0;
            while (bytes.limit() - consumed >= RecordDescriptor.HEADER_LENGTH) {
                int length = RecordDescriptor.payloadLength(bytes, consumed);
                if (length < 0) {
                    throw new IllegalStateException("partition " + name + ": record at offset " + (offset + consumed)
                            + " has a negative length " + length);
                }
                int recordLength = RecordDescriptor.recordLength(length);
                if (bytes.limit() - consumed < recordLength) {
                    break;
                }
                long id = RecordDescriptor.messageId(bytes, consumed);
                if (ids.contains(id)) {
                    found.add(id);
                }
                consumed += recordLength;
            }
            if (consumed == 0) {
                int needed = bytes.limit() >= RecordDescriptor.HEADER_LENGTH
                        ? RecordDescriptor.recordLength(RecordDescriptor.payloadLength(bytes, 0))
                        : RecordDescriptor.HEADER_LENGTH;
                if (bytes.limit() < chunk || needed <= chunk) {
                    throw new IllegalStateException("partition " + name + ": no complete record at offset " + offset);
                }
                chunk = needed; // a record larger than the chunk: read it whole
                continue;
            }
            offset += consumed;
            chunk = SCAN_CHUNK_BYTES;
        }
        return Set.copyOf(found);
    }

    private static ByteBuffer copy(LogRegion region) {
        ByteBuffer bytes = ByteBuffer.allocate(region.length());
        try {
            while (bytes.hasRemaining()) {
                int n = region.fileChannel().read(bytes, region.filePosition() + bytes.position());
                if (n < 0) {
                    throw new IOException("end of file inside " + region);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.flip();
    }

    /** First offset of the log: the start of the oldest segment. */
    public long minOffset() {
        return segments.minOffset();
    }

    /**
     * End of the last acknowledged record (fsynced in group commit, written in threshold mode);
     * reads never go past it.
     */
    public long maxOffset() {
        return segments.maxOffset();
    }

    /**
     * Completes once acknowledged data lies beyond {@code offset} ({@code maxOffset() > offset}), at
     * once if it already does, and when the log closes: what a long-polling fetch waits on. Completed on
     * the writer thread, so dependent actions must only hand work off. A caller that gives up (a
     * timeout) completes or cancels the future; it is then forgotten.
     */
    public CompletableFuture<Void> awaitDataBeyond(long offset) {
        return segments.awaitBeyond(offset);
    }

    /**
     * How many {@link #awaitDataBeyond} waiters the log holds now: those still waiting plus abandoned
     * ones not yet dropped (they are dropped lazily, on a later registration or append). A snapshot
     * that costs a walk over the waiters: for tests and diagnostics, not for a hot path.
     */
    public int dataWaiterCount() {
        return segments.waiterCount();
    }

    /**
     * Spec section 1.4 {@code offset}: the start of the segment holding {@code offset}, or
     * {@code minOffset()} below it, or {@code maxOffset()} at or after it.
     */
    public long nearestOffset(long offset) {
        long max = segments.maxOffset();
        Segment[] snapshot = segments.snapshot();
        if (offset < snapshot[0].startOffset()) {
            return snapshot[0].startOffset();
        }
        if (offset >= max) {
            return max;
        }
        return SegmentSet.floor(snapshot, offset).startOffset();
    }

    /** Acknowledged bytes held: {@code maxOffset() - minOffset()}. */
    public long sizeBytes() {
        return maxOffset() - minOffset();
    }

    public int segmentCount() {
        return segments.snapshot().length;
    }

    /** Bytes appended but not yet taken by the writer (for backpressure). */
    public long queuedBytes() {
        return queue.queuedBytes();
    }

    /** False once closed or after a write or fsync failed. */
    public boolean isOnline() {
        return !closed.get() && queue.failure() == null;
    }

    /**
     * Completes once the log goes offline (a failed write or fsync, or a
     * {@link #close()} that gave up), with the exception later appends fail with. It completes on the
     * thread that took the log offline, before any waiting append is failed, so keep dependents short; a
     * dependent added afterwards runs at once. It never completes on a clean close. The log never comes
     * back online: only reopening it (a restart) does.
     */
    public CompletionStage<StoreException> whenOffline() {
        return queue.whenFailed().minimalCompletionStage();
    }

    /** Corrupt ranges known now (from recovery and {@link #verify()}), in offset order. */
    public List<CorruptRange> corruptRanges() {
        return corruptRanges.list();
    }

    public Path directory() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    /**
     * Threshold mode: asks the writer for an fsync if there are unflushed messages and the last fsync
     * is {@code unflushIntervalMs} old. A scheduler ({@link LogFlusher}) calls this. No-op in group
     * commit, where nothing acknowledged is unflushed.
     *
     * @return true if a flush was requested
     */
    public boolean flushIfDue() {
        if (config.isGroupCommit()
                || closed.get()
                || writer.unflushedMessages() == 0
                || clock.millis() - writer.lastFlushMs() < config.unflushIntervalMs()) {
            return false;
        }
        queue.requestFlush();
        return true;
    }

    /**
     * Scrubs the sealed segments record by record and records every corrupt range found (logged,
     * kept in {@link #corruptRanges()}, failing reads). The active segment is not checked.
     *
     * @return the corrupt ranges found by this pass
     */
    public List<CorruptRange> verify() throws IOException {
        List<CorruptRange> found = scanSealed(ReadThrottle.NONE);
        addCorruptRanges(found);
        return found;
    }

    /**
     * {@link #verify()} with its reads paced by {@code throttle}: the background scrub
     * ({@link LogScrubber}). Takes no lock of the writer's: each sealed segment is retained while it is
     * read, one at a time; a segment removed by retention meanwhile is skipped. Does nothing once the
     * log is closed.
     *
     * @return the corrupt ranges found by this pass that were not known before
     * @throws java.io.InterruptedIOException if {@code throttle} stops the pass
     */
    public List<CorruptRange> scrub(ReadThrottle throttle) throws IOException {
        if (closed.get()) {
            return List.of();
        }
        return addCorruptRanges(scanSealed(throttle));
    }

    private List<CorruptRange> scanSealed(ReadThrottle throttle) throws IOException {
        Segment[] snapshot = segments.snapshot();
        List<CorruptRange> found = new ArrayList<>();
        for (int i = 0; i + 1 < snapshot.length && !closed.get(); i++) {
            Segment segment = snapshot[i];
            if (!segment.tryRetain()) {
                continue;
            }
            try {
                found.addAll(
                        new SegmentScanner(segment.file(), segment.visibleBytes(), config.maxMessageBytes(), throttle)
                                .corruptRanges(0, segment.startOffset()));
            } finally {
                segment.release();
            }
        }
        return found;
    }

    private List<CorruptRange> addCorruptRanges(List<CorruptRange> found) {
        List<CorruptRange> added = corruptRanges.add(found);
        for (CorruptRange range : added) {
            LOG.warn("Partition {}: corrupt records in {} will fail reads", name, range);
        }
        return added;
    }

    /**
     * One retention pass: removes the oldest sealed segments that {@code retention} finds expired
     * (stopping at the first one that is not, so the log stays contiguous; the active segment always
     * stays), then deletes or archives their files. Regions still holding a removed segment stay
     * readable until released.
     *
     * <p>A segment leaves the log only once it is marked retired on disk (see {@link RetiredSegments}),
     * so it is never served again, after a restart neither. A failed delete or archive is not forgotten:
     * the segment stays retired and the next pass (in this process or after a restart) tries again,
     * before anything newer. Passes are serialized.
     *
     * @return the segment files removed, earlier failures retried by this pass included
     * @throws IOException the first failure to mark or dispose of a segment, after the rest of the pass
     */
    public List<Path> applyRetention(SegmentRetention retention) throws IOException {
        retentionLock.lock();
        try {
            if (closed.get()) {
                return List.of();
            }
            Segment[] snapshot = segments.snapshot();
            long now = clock.millis();
            int expired = 0;
            while (expired + 1 < snapshot.length
                    && retention.isExpired(io.lastModifiedMs(snapshot[expired].path()), now)) {
                expired++;
            }
            if (expired > 0) {
                retire(List.of(snapshot).subList(0, expired), snapshot[0].startOffset());
            }
            List<Path> paths = new ArrayList<>();
            IOException failure = retired.disposeAll(retention, paths);
            if (failure != null) {
                throw failure;
            }
            return paths;
        } finally {
            if (closed.get()) {
                retired.release(); // close did not wait for this pass (see finishClose)
            }
            retentionLock.unlock();
        }
    }

    /** Marks the segments retired (durably), then takes them out of the log: {@code minOffset} moves. */
    private void retire(List<Segment> expired, long firstStart) throws IOException {
        try {
            retired.mark(expired);
        } catch (IOException e) {
            LOG.warn(
                    "Partition {}: marking {} expired segments from {} as retired failed; they stay in the log",
                    name,
                    expired.size(),
                    expired.get(0),
                    e);
            throw e;
        }
        List<Segment> removed = segments.removeFirst(expired.size(), firstStart);
        retired.addAll(removed);
        if (!removed.isEmpty()) {
            corruptRanges.dropBelow(segments.minOffset());
            LOG.info(
                    "Partition {}: retention removed {} segments, offsets now start at {}",
                    name,
                    removed.size(),
                    segments.minOffset());
        }
    }

    private void writeCheckpoint(boolean clean, long durableEndOffset) throws IOException {
        synchronized (checkpointLock) {
            checkpointDurableEnd = durableEndOffset;
            checkpointAcknowledgedEnd = Math.max(checkpointAcknowledgedEnd, durableEndOffset);
            List<CorruptRange> ranges = corruptRanges.list();
            checkpointClean = false; // a failed write may have left either file
            new RecoveryPoint(clean, checkpointDurableEnd, checkpointAcknowledgedEnd, ranges).write(io, dir);
            checkpointRanges = ranges;
            checkpointClean = clean;
        }
    }

    /**
     * Called by the writer before each write: after an open that kept the clean checkpoint, the first
     * write replaces it with an unclean one (so that a crash from then on is never taken for a clean
     * stop). A volatile read otherwise.
     */
    private void markUnclean() throws IOException {
        if (checkpointClean) {
            synchronized (checkpointLock) {
                if (checkpointClean) {
                    writeCheckpoint(false, checkpointDurableEnd);
                }
            }
        }
    }

    /**
     * The marker's rewrite of the checkpoint with a new acknowledged end; refused once the log is
     * closed, so it never follows the clean-shutdown checkpoint.
     */
    private boolean writeAcknowledgedEnd(long acknowledgedEnd) throws IOException {
        synchronized (checkpointLock) {
            if (closed.get()) {
                return false;
            }
            long previous = checkpointAcknowledgedEnd;
            checkpointAcknowledgedEnd = Math.max(previous, acknowledgedEnd);
            List<CorruptRange> ranges = corruptRanges.list();
            try {
                checkpointClean = false;
                new RecoveryPoint(false, checkpointDurableEnd, checkpointAcknowledgedEnd, ranges).write(io, dir);
                checkpointRanges = ranges;
            } catch (IOException | RuntimeException e) {
                checkpointAcknowledgedEnd = previous;
                throw e;
            }
            return true;
        }
    }

    /**
     * Waits until the checkpoint's acknowledged end reaches {@code offset}; false after {@code timeoutMs}.
     * For tests and diagnostics.
     */
    boolean awaitAcknowledgedEndMarked(long offset, long timeoutMs) throws InterruptedException {
        return marker.awaitMarked(offset, timeoutMs);
    }

    /** True once the writer has ended (drained at close, or failed). For tests and diagnostics. */
    boolean writerHasEnded() {
        return writer.exit().isDone();
    }

    /** The acknowledged end the marker last wrote to the checkpoint. For tests and diagnostics. */
    long acknowledgedEndMarked() {
        return marker.markedEnd();
    }

    /**
     * Stops accepting appends, lets the writer drain what is queued with its usual durability, waits
     * for it, writes the clean-shutdown checkpoint (unless the log failed) and drops the log's hold
     * on the segment files. Idempotent; a concurrent second call waits for the first to finish.
     *
     * <p>The wait is bounded by {@code closeTimeoutMs}: if the writer (a hung write or fsync, or a
     * completion callback that blocks) is still busy then, close gives up: every append not
     * answered yet fails with {@link LogOfflineException} (it may or may not be on disk), what was
     * pending is logged at ERROR, no checkpoint is written (the next open checks the tail) and the
     * active segment's file is left to the stuck writer, which releases it when it ends. Nothing is
     * acknowledged after that.
     */
    @Override
    public synchronized void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        queue.close();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.closeTimeoutMs());
        boolean interrupted = awaitWriter(deadline);
        marker.stop();
        boolean markerStuck = true;
        while (true) {
            try {
                markerStuck = !marker.awaitStopped(deadline);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        boolean writerStuck = !writer.exit().isDone();
        if (writerStuck) {
            giveUp();
        }
        finishClose(writerStuck, markerStuck);
        if (ownThreads) {
            threads.shutdown(); // a stuck writer keeps its (daemon) thread until it returns
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the writer to end until {@code deadlineNanos}; true if interrupted meanwhile. */
    private boolean awaitWriter(long deadlineNanos) {
        boolean interrupted = false;
        long left;
        while (!writer.exit().isDone() && (left = deadlineNanos - System.nanoTime()) > 0) {
            try {
                writer.exit().get(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (TimeoutException | ExecutionException e) {
                // timed out: the loop ends; the exit future never fails
            }
        }
        return interrupted;
    }

    /** Close waited long enough: fails every unanswered append and says what was stuck. */
    private void giveUp() {
        long waitedMs = config.closeTimeoutMs();
        LogOfflineException offline = new LogOfflineException(
                "partition " + name + " was closed after waiting " + waitedMs
                        + " ms for its disk; this append is not acknowledged and may or may not be stored",
                new TimeoutException("close waited " + waitedMs + " ms"));
        int failed = 0;
        for (WriteChunk chunk : queue.fail(offline)) {
            failed += chunk.failAll(offline);
        }
        for (WriteChunk chunk : writer.abandon()) {
            failed += chunk.failAll(offline);
        }
        LOG.error(
                "Partition {}: close gave up after {} ms; still busy: {}; failed {} unanswered append(s) with"
                        + " LogOfflineException; no checkpoint is written, so the next open checks the tail",
                name,
                waitedMs,
                busy(),
                failed);
    }

    /** What close waited for: the writer, with the thread it is on and where (its innermost Imago frame). */
    private String busy() {
        Thread thread = writer.runner();
        if (thread == null) {
            return "the writer, waiting for a writer thread of " + threads.name() + " (all of them are busy)";
        }
        StackTraceElement[] stack = thread.getStackTrace();
        String where = Arrays.stream(stack)
                .filter(frame -> frame.getClassName().startsWith("io.imago."))
                .findFirst()
                .or(() -> Arrays.stream(stack).findFirst())
                .map(frame -> frame.getClassName() + "." + frame.getMethodName())
                .orElse("?");
        return "the writer on " + thread.getName() + " in " + where;
    }

    /** The clean checkpoint kept at open still describes the log: nothing was written, no range found. */
    private boolean cleanCheckpointIsExact() {
        synchronized (checkpointLock) {
            return checkpointClean
                    && checkpointDurableEnd == segments.maxOffset()
                    && checkpointRanges.equals(corruptRanges.list());
        }
    }

    /** @param markerStuck the marker's thread is still in a checkpoint write (a hung fsync) */
    private void finishClose(boolean writerStuck, boolean markerStuck) {
        boolean clean = !writerStuck && !markerStuck && writer.failure() == null && queue.failure() == null;
        if (clean && cleanCheckpointIsExact()) {
            LOG.debug("Partition {}: nothing was written since the clean open; the checkpoint stays", name);
        } else if (clean) {
            try {
                // issue 13 §1 (preallocation): a cleanly stopped log holds no zero fill, so its
                // directory is exactly MetaQ's format; a failed trim leaves the close unclean
                Segment active = segments.active();
                if (active.trimToWritten() > 0) {
                    active.file().force();
                }
                writeCheckpoint(true, segments.maxOffset());
            } catch (IOException e) {
                clean = false;
                LOG.warn(
                        "Partition {}: trimming the active segment or writing the clean-shutdown checkpoint failed;"
                                + " the next open will scan",
                        name,
                        e);
            }
        }
        segments.wakeAll();
        Segment[] held = segments.snapshot();
        // a stuck writer still uses the active segment (closing its file under a hung fsync could hang
        // too) and may still roll: what it uses is released when it ends
        int release = writerStuck ? held.length - 1 : held.length;
        for (int i = 0; i < release; i++) {
            held[i].release();
        }
        if (writerStuck) {
            writer.runOnExit(() -> {
                Segment[] left = segments.snapshot();
                for (int i = release; i < left.length; i++) {
                    left[i].release();
                }
            });
        }
        // a retention pass in progress (its I/O may hang too) releases them itself when it ends
        if (retentionLock.tryLock()) {
            try {
                retired.release();
            } finally {
                retentionLock.unlock();
            }
        }
        if (clean) {
            LOG.debug("Closed partition {} at offset {}", name, segments.maxOffset()); // thousands at a stop
        } else {
            LOG.info("Closed partition {} at offset {} (unclean)", name, segments.maxOffset());
        }
    }

    @Override
    public String toString() {
        return "PartitionLog{" + name + '}';
    }
}
