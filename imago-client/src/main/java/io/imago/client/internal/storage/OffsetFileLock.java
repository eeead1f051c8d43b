package io.imago.client.internal.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Mutual exclusion of the writers of one offsets file: a lock per file shared by every store of
 * this JVM (the OS file lock alone cannot exclude threads of one process), then an exclusive OS lock
 * on the sibling {@code <file>.lock} against other processes on the host. The lock file is left in
 * place (deleting it would let two processes lock different inodes). Thread-safe.
 */
public final class OffsetFileLock {
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private OffsetFileLock() {}

    /** Work done while holding both locks. */
    @FunctionalInterface
    public interface LockedWork<T> {
        T run() throws IOException;
    }

    /** Runs {@code work} while holding the JVM-wide and the OS lock of {@code file}. */
    public static <T> T withLock(Path file, LockedWork<T> work) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        jvmLock.lock();
        try {
            Files.createDirectories(key.getParent());
            Path lockFile = key.resolveSibling(key.getFileName() + ".lock");
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock osLock = ch.lock();
                try {
                    return work.run();
                } finally {
                    osLock.release();
                }
            }
        } finally {
            jvmLock.unlock();
        }
    }
}
