package io.imago.store.txlog;

import io.imago.store.fs.StorageFile;
import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable transaction journal of a broker: every transactional message, prepare, commit decision
 * and outcome, in redo files, with periodic checkpoints so a restart replays only what follows the last
 * one. File layouts are drawn in {@link TxLogDescriptor}.
 *
 * <p>The model: an append validates the record against the live transactions ({@link TxTable}), applies
 * it and encodes it into an in-memory buffer, all under one short lock, so the journal's order is the
 * order of the state changes. The writer thread {@code imago-txlog-writer} takes everything buffered
 * at once, writes it with positional writes, completes the waiters that need only a write, then — if
 * any waiter asked for force — fsyncs once for all of them and completes those (group commit). No
 * fsync or write runs under the lock. With {@code flushAtCommit} 2 the writer also fsyncs written bytes
 * once a second. A write or fsync failure fails every pending future and takes the journal offline:
 * nothing is acknowledged after it. Checkpoints run on {@code imago-txlog-checkpoint} every
 * {@code checkpointIntervalMs} and on demand; each deletes the redo files and checkpoints no kept
 * checkpoint needs, so the journal stays bounded.
 *
 * <p>Errors: {@link #put} and {@link #completed} throw; the methods that return a future never throw
 * for a journal failure or a state the transaction does not allow — their future fails instead, with
 * {@link TxJournalOfflineException} (offline or closed) or {@link IllegalStateException} (for example a
 * commit of a transaction already rolled back; nothing is journalled then). Thread-safe.
 */
public final class TxJournal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TxJournal.class);
    private static final long TIMED_FLUSH_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long CLOSE_WAIT_SECONDS = 30;

    private final Path dir;
    private final TxJournalConfig config;
    private final StorageIo io;
    private final Clock clock;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    // guarded by lock
    private final TxTable table;
    private final Encoder scratch = new Encoder(4096);
    private List<Chunk> pending = new ArrayList<>();
    private List<Waiter> waiters = new ArrayList<>();
    private long encodeFile;
    private long encodeOffset;
    private final TreeMap<Long, Long> redoSizes = new TreeMap<>();
    private Throwable failure;
    private boolean closing;
    private boolean stopWriter;
    private final long[] counts = new long[8]; // by record type
    private long fsyncs;
    private long checkpointsWritten;
    private long lastCheckpointMs;

    // the writer's own
    private StorageFile current;
    private long currentFile;
    private boolean dirty;
    private long lastForceNanos = System.nanoTime();

    private final Object checkpointLock = new Object();
    // guarded by checkpointLock
    private final List<Checkpoints.Checkpoint> kept;
    private long nextCheckpoint;
    private long lastCheckpointFile = -1;
    private long lastCheckpointOffset = -1;

    private final Thread writer;
    private final ScheduledExecutorService checkpointer;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private ScheduledFuture<?> scheduled;

    /** Bytes of one redo file, waiting for the writer. */
    private static final class Chunk {
        final long file;
        final long offset;
        final Encoder bytes = new Encoder(4096);

        Chunk(long file, long offset) {
            this.file = file;
            this.offset = offset;
        }
    }

    /** A future completed once the records buffered before it are written (and fsynced if force). */
    private record Waiter(CompletableFuture<Void> future, boolean force) {}

    private TxJournal(Path dir, TxJournalConfig config, StorageIo io, Clock clock, TxJournalRecovery.Recovered r) {
        this.dir = dir;
        this.config = config;
        this.io = io;
        this.clock = clock;
        this.table = r.table();
        this.redoSizes.putAll(r.redoSizes());
        this.encodeFile = r.nextRedoFile();
        this.kept = new ArrayList<>(r.checkpoints());
        this.nextCheckpoint = r.nextCheckpoint();
        if (!kept.isEmpty()) {
            lastCheckpointMs = kept.get(kept.size() - 1).createdMs();
        }
        this.writer = new Thread(this::writeLoop, "imago-txlog-writer");
        this.writer.setDaemon(true);
        this.checkpointer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "imago-txlog-checkpoint");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens (creating if missing) the journal in {@code dir} and recovers it; see
     * {@link TxJournalRecovery}. After open, {@link #live()} holds every transaction that was not
     * finished, ACTIVE ones included (the broker decides them).
     *
     * @throws TxJournalCorruptException if a record other than the torn tail of the last redo file is bad
     */
    public static TxJournal open(Path dir, TxJournalConfig config, StorageIo io, Clock clock) throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        io.createDirectories(dir);
        if (dir.toAbsolutePath().getParent() != null) {
            io.syncDirectory(dir.toAbsolutePath().getParent());
        }
        TxJournalRecovery.Recovered recovered = TxJournalRecovery.recover(io, dir);
        TxJournal journal = new TxJournal(dir, config, io, clock, recovered);
        journal.start();
        return journal;
    }

    private void start() throws IOException {
        current = io.create(dir.resolve(TxLogDescriptor.redoName(encodeFile)));
        currentFile = encodeFile;
        io.syncDirectory(dir);
        redoSizes.put(encodeFile, 0L);
        writer.start();
        long interval = config.checkpointIntervalMs();
        scheduled = checkpointer.scheduleWithFixedDelay(
                this::scheduledCheckpoint, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** Every live transaction by key, in the order they started; an immutable snapshot. */
    public Map<String, JournalTx> live() {
        lock.lock();
        try {
            return table.snapshot();
        } finally {
            lock.unlock();
        }
    }

    public Optional<JournalTx> get(String key) {
        lock.lock();
        try {
            return Optional.ofNullable(table.get(key));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Journals one message of an ACTIVE transaction, creating it on its first message; written by the
     * writer thread soon, never forced on its own. Returns at once.
     *
     * @throws IllegalStateException if the transaction is not ACTIVE
     * @throws TxJournalOfflineException if the journal is offline or closed
     */
    public void put(String key, TxMessage message) {
        appendUnawaited(new TxRecord.Put(key, now(), Objects.requireNonNull(message, "message")));
    }

    /**
     * XA prepare, always forced: the future completes once this record and every earlier one are
     * fsynced. State becomes PREPARED (a transaction without messages is created).
     */
    public CompletableFuture<Void> prepare(String key) {
        return appendAsync(new TxRecord.Prepare(key, now()), true);
    }

    /**
     * The commit decision, with where each partition's batch lands. The future completes once the record
     * is fsynced (flushAtCommit 1) or written to the OS (0 and 2). State becomes COMMITTING (a transaction
     * without record is created). A second commit of a COMMITTING transaction keeps the lower start of
     * each partition.
     */
    public CompletableFuture<Void> commit(String key, List<PartitionStart> starts) {
        return appendAsync(new TxRecord.Commit(key, now(), starts), config.flushAtCommit() == 1);
    }

    /**
     * Every batch of a COMMITTING transaction is appended: it leaves {@link #live()}. Written, never forced.
     *
     * @throws IllegalStateException if the transaction is not COMMITTING
     * @throws TxJournalOfflineException if the journal is offline or closed
     */
    public void completed(String key) {
        appendUnawaited(new TxRecord.Completed(key, now()));
    }

    /**
     * Rollback of an ACTIVE or PREPARED transaction: it leaves {@link #live()}. The future completes per
     * flushAtCommit as for {@link #commit}; at once if the journal does not know the transaction.
     */
    public CompletableFuture<Void> rollback(String key) {
        return appendAsync(new TxRecord.Rollback(key, now()), config.flushAtCommit() == 1);
    }

    /**
     * An operator's decision on a PREPARED transaction: its state becomes {@code outcome} (a HEURISTIC_*
     * state), always forced. HEURISTIC_COMMITTED is also accepted for a COMMITTING transaction (the
     * broker's heuristic commit journals the commit decision, appends, then this instead of
     * {@link #completed}). It stays in {@link #live()} until {@link #forget}.
     */
    public CompletableFuture<Void> heuristic(String key, TxState outcome) {
        if (!outcome.isHeuristic()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a heuristic outcome: " + outcome));
        }
        return appendAsync(new TxRecord.Heuristic(key, now(), outcome), true);
    }

    /** Forgets a heuristically completed transaction: it leaves {@link #live()}. Future per flushAtCommit. */
    public CompletableFuture<Void> forget(String key) {
        return appendAsync(new TxRecord.Forget(key, now()), config.flushAtCommit() == 1);
    }

    private long now() {
        return clock.millis();
    }

    private CompletableFuture<Void> appendAsync(TxRecord record, boolean force) {
        try {
            return append(record, force);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Validates, applies and buffers {@code record}; completes when written (and fsynced if force). */
    private CompletableFuture<Void> append(TxRecord record, boolean force) {
        Objects.requireNonNull(record.key(), "key");
        lock.lock();
        try {
            checkOnline();
            if (table.isNoOp(record)) {
                return CompletableFuture.completedFuture(null);
            }
            table.apply(record);
            buffer(record);
            CompletableFuture<Void> future = new CompletableFuture<>();
            waiters.add(new Waiter(future, force));
            work.signal();
            return future;
        } finally {
            lock.unlock();
        }
    }

    /** Validates, applies and buffers {@code record}, for the writer to write soon. */
    private void appendUnawaited(TxRecord record) {
        Objects.requireNonNull(record.key(), "key");
        lock.lock();
        try {
            checkOnline();
            table.apply(record);
            buffer(record);
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Encodes {@code record} into the pending chunk of the redo file it belongs to; caller holds lock. */
    private void buffer(TxRecord record) {
        scratch.clear();
        int size = TxRecord.encode(record, scratch);
        if (encodeOffset > 0 && encodeOffset + size > config.maxFileBytes()) {
            encodeFile++;
            encodeOffset = 0;
        }
        Chunk chunk = pending.isEmpty() ? null : pending.get(pending.size() - 1);
        if (chunk == null || chunk.file != encodeFile) {
            chunk = new Chunk(encodeFile, encodeOffset);
            pending.add(chunk);
        }
        chunk.bytes.putBytes(ByteBuffer.wrap(scratch.array(), 0, size));
        encodeOffset += size;
        redoSizes.put(encodeFile, encodeOffset);
        counts[record.type()]++;
    }

    private void checkOnline() {
        if (failure != null) {
            throw new TxJournalOfflineException(
                    "transaction journal " + dir + " is offline after an I/O failure", failure);
        }
        if (closing) {
            throw new TxJournalOfflineException("transaction journal " + dir + " is closed", null);
        }
    }

    // ---- the writer thread

    private void writeLoop() {
        try {
            while (true) {
                List<Chunk> chunks;
                List<Waiter> batch;
                boolean timedFlush;
                lock.lock();
                try {
                    while (pending.isEmpty() && waiters.isEmpty() && !stopWriter && !isTimedFlushDue()) {
                        if (config.flushAtCommit() == 2 && dirty) {
                            work.awaitNanos(Math.max(1, TIMED_FLUSH_NANOS - (System.nanoTime() - lastForceNanos)));
                        } else {
                            work.await();
                        }
                    }
                    if (pending.isEmpty() && waiters.isEmpty() && stopWriter) {
                        return;
                    }
                    chunks = pending;
                    batch = waiters;
                    pending = new ArrayList<>();
                    waiters = new ArrayList<>();
                    timedFlush = isTimedFlushDue();
                } finally {
                    lock.unlock();
                }
                writeBatch(chunks, batch, timedFlush);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            goOffline(e, List.of());
        } catch (Throwable t) {
            goOffline(t, List.of());
        } finally {
            closeCurrent();
        }
    }

    private boolean isTimedFlushDue() {
        return config.flushAtCommit() == 2 && dirty && System.nanoTime() - lastForceNanos >= TIMED_FLUSH_NANOS;
    }

    private void writeBatch(List<Chunk> chunks, List<Waiter> batch, boolean timedFlush) {
        boolean offline;
        lock.lock();
        try {
            offline = failure != null;
        } finally {
            lock.unlock();
        }
        if (offline) {
            failAll(batch);
            return;
        }
        try {
            for (Chunk chunk : chunks) {
                if (chunk.file != currentFile) {
                    roll(chunk.file);
                }
                current.write(ByteBuffer.wrap(chunk.bytes.array(), 0, chunk.bytes.length()), chunk.offset);
                dirty = true;
            }
            boolean force = timedFlush;
            for (Waiter w : batch) {
                if (w.force()) {
                    force = true;
                } else {
                    w.future().complete(null);
                }
            }
            if (force && dirty) {
                forceCurrent();
            }
            for (Waiter w : batch) {
                if (w.force()) {
                    w.future().complete(null);
                }
            }
        } catch (Throwable t) {
            goOffline(t, batch);
        }
    }

    /** Moves the writer to redo file {@code file}: the old one forced first, so no file after a torn one. */
    private void roll(long file) throws IOException {
        if (dirty) {
            forceCurrent();
        }
        current.close();
        current = io.create(dir.resolve(TxLogDescriptor.redoName(file)));
        currentFile = file;
        io.syncDirectory(dir);
    }

    private void forceCurrent() throws IOException {
        current.force();
        dirty = false;
        lastForceNanos = System.nanoTime();
        lock.lock();
        try {
            fsyncs++;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the journal offline: the batch and every pending future fail; later calls fail. */
    private void goOffline(Throwable cause, List<Waiter> batch) {
        List<Waiter> queued;
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
                log.error(
                        "Transaction journal {} is offline: a write or fsync failed; nothing is acknowledged after it",
                        dir,
                        cause);
            }
            queued = waiters;
            waiters = new ArrayList<>();
            pending = new ArrayList<>();
        } finally {
            lock.unlock();
        }
        failAll(batch);
        failAll(queued);
    }

    private void failAll(List<Waiter> batch) {
        Throwable cause;
        lock.lock();
        try {
            cause = failure;
        } finally {
            lock.unlock();
        }
        for (Waiter w : batch) {
            w.future()
                    .completeExceptionally(new TxJournalOfflineException(
                            "transaction journal " + dir + " is offline after an I/O failure; not journalled durably",
                            cause));
        }
    }

    private void closeCurrent() {
        try {
            if (current != null) {
                current.close();
            }
        } catch (IOException e) {
            log.warn("Closing {} failed", current.path(), e);
        }
    }

    // ---- checkpoints

    private void scheduledCheckpoint() {
        try {
            boolean changed;
            lock.lock();
            try {
                if (failure != null || closing) {
                    return;
                }
                changed = encodeFile != lastCheckpointFileSeen() || encodeOffset != lastCheckpointOffsetSeen();
            } finally {
                lock.unlock();
            }
            if (changed) {
                checkpoint();
            }
        } catch (TxJournalOfflineException e) {
            log.debug("No checkpoint: {}", e.getMessage());
        } catch (Throwable t) {
            log.warn("Checkpoint of the transaction journal {} failed; the next one retries", dir, t);
        }
    }

    private long lastCheckpointFileSeen() {
        synchronized (checkpointLock) {
            return lastCheckpointFile;
        }
    }

    private long lastCheckpointOffsetSeen() {
        synchronized (checkpointLock) {
            return lastCheckpointOffset;
        }
    }

    /**
     * Writes a checkpoint now: a snapshot of {@link #live()} and the redo position after it, once every
     * record before that position is fsynced. Keeps {@code maxCheckpoints} and deletes the redo files no
     * kept checkpoint needs. Returns once the checkpoint is durable.
     *
     * @throws TxJournalOfflineException if the journal is offline or closed
     */
    public void checkpoint() throws IOException {
        synchronized (checkpointLock) {
            Encoder snapshot = new Encoder(4096);
            long file;
            long offset;
            CompletableFuture<Void> synced = new CompletableFuture<>();
            lock.lock();
            try {
                checkOnline();
                table.encode(snapshot);
                file = encodeFile;
                offset = encodeOffset;
                waiters.add(new Waiter(synced, true));
                work.signal();
            } finally {
                lock.unlock();
            }
            await(synced);
            long created = clock.millis();
            long number = nextCheckpoint++;
            Checkpoints.write(io, dir, number, created, file, offset, snapshot);
            kept.add(new Checkpoints.Checkpoint(number, created, file, offset, null));
            lastCheckpointFile = file;
            lastCheckpointOffset = offset;
            lock.lock();
            try {
                checkpointsWritten++;
                lastCheckpointMs = created;
            } finally {
                lock.unlock();
            }
            log.debug("Checkpoint {} of {}: replay from {}@{}", number, dir, TxLogDescriptor.redoName(file), offset);
            prune();
        }
    }

    private static void await(CompletableFuture<Void> future) throws IOException {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the checkpoint waited for the redo files' fsync");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        }
    }

    /** Deletes checkpoints beyond {@code maxCheckpoints} and redo files before the oldest kept one. */
    private void prune() throws IOException {
        while (kept.size() > config.maxCheckpoints()) {
            Checkpoints.Checkpoint oldest = kept.remove(0);
            io.delete(dir.resolve(TxLogDescriptor.checkpointName(oldest.number())));
        }
        long needed = kept.get(0).redoFile();
        List<Long> obsolete;
        lock.lock();
        try {
            obsolete = new ArrayList<>(redoSizes.headMap(needed, false).keySet());
        } finally {
            lock.unlock();
        }
        for (long n : obsolete) {
            Path file = dir.resolve(TxLogDescriptor.redoName(n));
            if (io.exists(file)) {
                io.delete(file);
            }
            lock.lock();
            try {
                redoSizes.remove(n);
            } finally {
                lock.unlock();
            }
        }
        io.syncDirectory(dir);
    }

    /** Counters since open and the current size. */
    public TxJournalStats stats() {
        lock.lock();
        try {
            long records = 0;
            for (long c : counts) {
                records += c;
            }
            long bytes = 0;
            for (long b : redoSizes.values()) {
                bytes += b;
            }
            return new TxJournalStats(
                    records,
                    counts[TxLogDescriptor.PUT],
                    counts[TxLogDescriptor.PREPARE],
                    counts[TxLogDescriptor.COMMIT],
                    counts[TxLogDescriptor.COMPLETED],
                    counts[TxLogDescriptor.ROLLBACK],
                    counts[TxLogDescriptor.HEURISTIC],
                    counts[TxLogDescriptor.FORGET],
                    fsyncs,
                    table.size(),
                    redoSizes.size(),
                    bytes,
                    checkpointsWritten,
                    lastCheckpointMs,
                    failure != null);
        } finally {
            lock.unlock();
        }
    }

    /** The directory of this journal. */
    public Path directory() {
        return dir;
    }

    /**
     * Writes everything buffered, fsyncs, and stops the threads. Idempotent; later calls to the
     * journal fail with {@link TxJournalOfflineException}.
     */
    @Override
    public void close() {
        CompletableFuture<Void> flushed = new CompletableFuture<>();
        lock.lock();
        try {
            if (closing) {
                flushed = null;
            } else {
                closing = true;
                waiters.add(new Waiter(flushed, true));
                work.signal();
            }
        } finally {
            lock.unlock();
        }
        if (flushed == null) {
            closed.join();
            return;
        }
        try {
            scheduled.cancel(false);
            checkpointer.shutdown();
            awaitQuietly(flushed);
            lock.lock();
            try {
                stopWriter = true;
                work.signal();
            } finally {
                lock.unlock();
            }
            if (!checkpointer.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                log.warn("The checkpoint thread of {} did not stop in {} s", dir, CLOSE_WAIT_SECONDS);
            }
            writer.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
            if (writer.isAlive()) {
                log.warn("The writer thread of {} did not stop in {} s (a hung disk?)", dir, CLOSE_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closed.complete(null);
        }
    }

    private void awaitQuietly(CompletableFuture<Void> future) throws InterruptedException {
        try {
            future.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            log.warn(
                    "Closing {}: the last records were not fsynced ({})",
                    dir,
                    e.getCause().getMessage());
        } catch (TimeoutException e) {
            log.warn("Closing {}: the final fsync did not finish in {} s", dir, CLOSE_WAIT_SECONDS);
        }
    }
}
