package io.imago.store.fs;

import io.imago.store.LogDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A {@link StorageIo} over the real filesystem that can fail or slow down on demand and can lose power.
 *
 * <ul>
 *   <li>Write faults ({@link #failNextWrite()}, {@link #failEveryWrite(boolean)}) and fsync faults
 *       ({@link #failNextFsync()}, {@link #failEveryFsync(boolean)}) throw {@link IOException}; they
 *       hit only files matching {@link #faultTarget(Predicate)} (default: segment files).</li>
 *   <li>{@link #delayFsync(long)} and {@link #holdFsyncs()} make fsync slow.</li>
 *   <li>{@link #failDeletes(Predicate)} makes deleting the matching files throw {@link IOException};
 *       {@link #holdDeletes(Predicate)} makes it wait at a gate (a hung delete).</li>
 *   <li>{@link #simulatePowerLoss()} loses every byte written through this instance since the last
 *       fsync of its file: the file is truncated back to its last fsynced length, and bytes written
 *       since that fsync into space the file already held durably (zero fill written and fsynced ahead
 *       of the writer, or any rewrite) get their previous content back; it removes every file and
 *       directory created through it whose directory entry was not made durable, and makes every
 *       later mutation fail, as if the machine stopped; {@link #simulateProcessCrash()} only does the
 *       latter. Re-open the log with a fresh instance on the same directory. (Before issue 13 only the
 *       length was restored, which let unfsynced writes into preallocated space survive.)</li>
 * </ul>
 * Directory entries: a file made by {@link #create} or a directory made by {@link #createDirectories}
 * survives power loss only if its parent directory was synced ({@link #syncDirectory}) after it was
 * made; a directory that is lost takes everything inside it. Renames and deletions are not modelled:
 * they count as durable at once. A file or directory that already existed counts as durable, and a
 * file opened that already existed counts as fsynced up to its size at open. Thread-safe.
 */
public final class FaultInjectingStorageIo implements StorageIo {
    private final StorageIo delegate;
    private final ReentrantReadWriteLock power = new ReentrantReadWriteLock();
    private final Map<Path, Long> durableLengths = new ConcurrentHashMap<>();
    /**
     * Per file, the previous content of each range written since its last fsync inside its durable
     * length, oldest first: what a power loss puts back.
     */
    private final Map<Path, List<Undo>> undo = new ConcurrentHashMap<>();
    /** Orders the writes kept in {@link #undo}. */
    private final AtomicLong undoSequence = new AtomicLong();
    /** Files and directories created through this instance whose parent was not synced since. */
    private final Set<Path> unsyncedEntries = ConcurrentHashMap.newKeySet();

    private final AtomicInteger failNextWrites = new AtomicInteger();
    private final AtomicInteger failNextFsyncs = new AtomicInteger();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong fsyncs = new AtomicLong();
    private final AtomicInteger openFiles = new AtomicInteger();
    private volatile boolean failEveryWrite;
    private volatile boolean failEveryFsync;
    private volatile long fsyncDelayMs;
    private volatile FsyncGate gate;
    private volatile boolean dead;
    private volatile Predicate<Path> failDeletes = p -> false;
    private volatile Predicate<Path> holdDeletes = p -> false;
    private volatile Gate deleteGate;
    private volatile Predicate<Path> holdOpens = p -> false;
    private volatile Gate openGate;
    private volatile Predicate<Path> faultTarget =
            p -> p.getFileName().toString().endsWith(LogDescriptor.SEGMENT_SUFFIX);

    public FaultInjectingStorageIo() {
        this(new FileChannelStorageIo());
    }

    public FaultInjectingStorageIo(StorageIo delegate) {
        this.delegate = delegate;
    }

    /** Which files the write and fsync faults hit. */
    public FaultInjectingStorageIo faultTarget(Predicate<Path> target) {
        this.faultTarget = target;
        return this;
    }

    public void failNextWrite() {
        failNextWrites.incrementAndGet();
    }

    public void failEveryWrite(boolean fail) {
        failEveryWrite = fail;
    }

    public void failNextFsync() {
        failNextFsyncs.incrementAndGet();
    }

    public void failEveryFsync(boolean fail) {
        failEveryFsync = fail;
    }

    /** Every later delete of a file matching {@code which} throws; {@code p -> false} heals it. */
    public void failDeletes(Predicate<Path> which) {
        failDeletes = which;
    }

    /**
     * Every later delete of a file matching {@code which} waits until the returned gate is opened, as a
     * delete on a hung disk would.
     */
    public Gate holdDeletes(Predicate<Path> which) {
        Gate g = new Gate();
        deleteGate = g;
        holdDeletes = which;
        return g;
    }

    /**
     * Makes every {@link #create} and {@link #open} of a file that {@code which} accepts wait at the
     * returned gate until it is opened: a partition whose open or creation hangs on its disk (an open
     * after a clean stop, or of a new partition, may not fsync anything a held fsync would stop).
     */
    public Gate holdOpens(Predicate<Path> which) {
        Gate g = new Gate();
        openGate = g;
        holdOpens = which;
        return g;
    }

    private void passOpenGate(Path file) throws IOException {
        Gate g = openGate;
        if (g != null && holdOpens.test(file)) {
            g.pass();
        }
    }

    /** Every later fsync of a target file sleeps this long first. */
    public void delayFsync(long millis) {
        fsyncDelayMs = millis;
    }

    /** Every later fsync of a target file waits until the returned gate is opened. */
    public FsyncGate holdFsyncs() {
        FsyncGate g = new FsyncGate();
        gate = g;
        return g;
    }

    /** Writes (calls) made to target files. */
    public long writeCount() {
        return writes.get();
    }

    /**
     * How many bytes of {@code file} would survive a power loss now as its length: its last fsynced
     * length (-1 if the file was never opened or created through this instance).
     */
    public long durableLength(Path file) {
        return durableLengths.getOrDefault(file, -1L);
    }

    /** Files opened or created through this instance and not closed yet. */
    public int openFileCount() {
        return openFiles.get();
    }

    /** Fsyncs completed on target files. */
    public long fsyncCount() {
        return fsyncs.get();
    }

    /** Every later mutation fails, as if the process died; nothing written is lost. */
    public void simulateProcessCrash() {
        dead = true;
    }

    /**
     * Drops every byte and directory entry not yet made durable: each file or directory created through
     * this instance whose entry was not synced is removed (with its content), each file written through
     * it is truncated back to its last fsynced length; every later mutation fails. Waits for mutations
     * in progress (so open any {@link FsyncGate} first).
     */
    public void simulatePowerLoss() throws IOException {
        power.writeLock().lock();
        try {
            dead = true;
            List<Path> lost = new ArrayList<>(unsyncedEntries);
            lost.sort(Comparator.comparingInt(Path::getNameCount));
            for (Path entry : lost) {
                deleteTree(entry);
            }
            for (Map.Entry<Path, Long> entry : durableLengths.entrySet()) {
                if (!delegate.exists(entry.getKey())) {
                    continue;
                }
                try (StorageFile file = delegate.open(entry.getKey())) {
                    if (file.size() > entry.getValue()) {
                        file.truncate(entry.getValue());
                    }
                    revert(file, entry.getValue());
                }
            }
            undo.clear();
        } finally {
            power.writeLock().unlock();
        }
    }

    /** Puts back the previous content of every range written since the file's last fsync, newest first. */
    private void revert(StorageFile file, long durableLength) throws IOException {
        List<Undo> ranges = undo.computeIfAbsent(file.path(), p -> new ArrayList<>());
        synchronized (ranges) {
            for (int i = ranges.size() - 1; i >= 0; i--) {
                Undo range = ranges.get(i);
                int n = (int) Math.max(0, Math.min(range.previous().length, durableLength - range.position()));
                if (n > 0) {
                    file.write(ByteBuffer.wrap(range.previous(), 0, n), range.position());
                }
            }
        }
        file.force();
    }

    /** The previous content of {@code [position, position + previous.length)}, in write order. */
    private record Undo(long sequence, long position, byte[] previous) {}

    private static Path key(Path path) {
        return path.toAbsolutePath().normalize();
    }

    /** Removes {@code root} and, if it is a directory, everything in it (the real filesystem's view). */
    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                    .toList();
        }
        for (Path p : paths) {
            Files.delete(p);
        }
    }

    private void mutation(String what, Path path) throws IOException {
        if (dead) {
            throw new IOException("simulated crash: cannot " + what + " " + path);
        }
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        power.readLock().lock();
        try {
            mutation("create directory", dir);
            List<Path> missing = new ArrayList<>();
            for (Path p = key(dir); p != null && !delegate.exists(p); p = p.getParent()) {
                missing.add(p);
            }
            delegate.createDirectories(dir);
            unsyncedEntries.addAll(missing);
        } finally {
            power.readLock().unlock();
        }
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        return delegate.list(dir);
    }

    @Override
    public boolean exists(Path file) {
        return delegate.exists(file);
    }

    @Override
    public StorageFile create(Path file) throws IOException {
        passOpenGate(file);
        power.readLock().lock();
        try {
            mutation("create", file);
            StorageFile created = delegate.create(file);
            durableLengths.put(file, 0L);
            unsyncedEntries.add(key(file));
            return new FaultyFile(created);
        } finally {
            power.readLock().unlock();
        }
    }

    @Override
    public StorageFile open(Path file) throws IOException {
        passOpenGate(file);
        StorageFile opened = delegate.open(file);
        durableLengths.putIfAbsent(file, opened.size());
        return new FaultyFile(opened);
    }

    @Override
    public void delete(Path file) throws IOException {
        Gate g = deleteGate;
        if (g != null && holdDeletes.test(file)) {
            g.pass(); // outside the power lock, as a held fsync, so that power can be lost meanwhile
        }
        power.readLock().lock();
        try {
            mutation("delete", file);
            if (failDeletes.test(file)) {
                throw new IOException("injected delete failure on " + file);
            }
            delegate.delete(file);
            durableLengths.remove(file);
            unsyncedEntries.remove(key(file));
        } finally {
            power.readLock().unlock();
        }
    }

    @Override
    public void move(Path from, Path to) throws IOException {
        power.readLock().lock();
        try {
            mutation("move", from);
            delegate.move(from, to);
            unsyncedEntries.remove(key(from)); // renames are not modelled: the new name counts as durable
            Long durable = durableLengths.remove(from);
            if (durable != null) {
                durableLengths.put(to, durable);
            }
        } finally {
            power.readLock().unlock();
        }
    }

    @Override
    public long lastModifiedMs(Path file) throws IOException {
        return delegate.lastModifiedMs(file);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        power.readLock().lock();
        try {
            mutation("sync directory", dir);
            delegate.syncDirectory(dir);
            Path synced = key(dir);
            unsyncedEntries.removeIf(entry -> synced.equals(entry.getParent()));
        } finally {
            power.readLock().unlock();
        }
    }

    /** Opens held fsyncs; {@link #awaitHeld} waits until an fsync is waiting at the gate. */
    public static final class FsyncGate extends Gate {}

    /** Opens held operations; {@link #awaitHeld} waits until one is waiting at the gate. */
    public static class Gate {
        private final CountDownLatch opened = new CountDownLatch(1);
        private final CountDownLatch held = new CountDownLatch(1);

        public boolean awaitHeld(long timeout, TimeUnit unit) throws InterruptedException {
            return held.await(timeout, unit);
        }

        public void open() {
            opened.countDown();
        }

        void pass() throws IOException {
            held.countDown();
            try {
                if (!opened.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("gate was never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted at the gate", e);
            }
        }
    }

    /** A file whose mutations go through the faults. */
    private final class FaultyFile implements StorageFile {
        private final StorageFile file;
        private final boolean target;

        private final java.util.concurrent.atomic.AtomicBoolean closed =
                new java.util.concurrent.atomic.AtomicBoolean();

        FaultyFile(StorageFile file) {
            this.file = file;
            this.target = faultTarget.test(file.path());
            openFiles.incrementAndGet();
        }

        @Override
        public Path path() {
            return file.path();
        }

        @Override
        public void write(ByteBuffer[] sources, long position) throws IOException {
            power.readLock().lock();
            try {
                mutation("write", path());
                if (target) {
                    writes.incrementAndGet();
                    if (failEveryWrite || failNextWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw new IOException("injected write failure on " + path());
                    }
                }
                rememberPrevious(sources, position);
                file.write(sources, position);
            } finally {
                power.readLock().unlock();
            }
        }

        /** Keeps what the write replaces inside the durable length, for a power loss to put back. */
        private void rememberPrevious(ByteBuffer[] sources, long position) throws IOException {
            long length = 0;
            for (ByteBuffer source : sources) {
                length += source.remaining();
            }
            long durable = durableLengths.getOrDefault(path(), 0L);
            int n = (int) Math.max(0, Math.min(length, durable - position));
            if (n == 0) {
                return; // beyond the durable length: a power loss truncates it away
            }
            ByteBuffer previous = ByteBuffer.allocate(n);
            while (previous.hasRemaining() && file.read(previous, position + previous.position()) >= 0) {
                // read on
            }
            List<Undo> ranges = undo.computeIfAbsent(path(), p -> new ArrayList<>());
            synchronized (ranges) {
                ranges.add(new Undo(undoSequence.incrementAndGet(), position, previous.array()));
            }
        }

        @Override
        public void force() throws IOException {
            if (target) {
                slowDown();
            }
            power.readLock().lock();
            try {
                mutation("fsync", path());
                if (target && (failEveryFsync || failNextFsyncs.getAndUpdate(n -> Math.max(0, n - 1)) > 0)) {
                    throw new IOException("injected fsync failure on " + path());
                }
                long size = file.size();
                long writtenBefore = undoSequence.get();
                file.force();
                durableLengths.merge(path(), size, Math::max);
                List<Undo> ranges = undo.computeIfAbsent(path(), p -> new ArrayList<>());
                synchronized (ranges) {
                    // what was written before this fsync began is durable (a concurrent fsync may have said so)
                    ranges.removeIf(range -> range.sequence() <= writtenBefore);
                }
                if (target) {
                    fsyncs.incrementAndGet();
                }
            } finally {
                power.readLock().unlock();
            }
        }

        private void slowDown() throws IOException {
            FsyncGate g = gate;
            if (g != null) {
                g.pass();
            }
            long delay = fsyncDelayMs;
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted during a delayed fsync", e);
                }
            }
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public void truncate(long size) throws IOException {
            power.readLock().lock();
            try {
                mutation("truncate", path());
                file.truncate(size);
                durableLengths.computeIfPresent(path(), (p, d) -> Math.min(d, size));
            } finally {
                power.readLock().unlock();
            }
        }

        @Override
        public int read(ByteBuffer destination, long position) throws IOException {
            return file.read(destination, position);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return file.transferTo(position, count, target);
        }

        @Override
        public FileChannel channel() {
            return file.channel();
        }

        @Override
        public void close() throws IOException {
            if (closed.compareAndSet(false, true)) {
                openFiles.decrementAndGet();
            }
            file.close();
        }
    }
}
