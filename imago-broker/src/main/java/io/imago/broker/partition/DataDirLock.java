package io.imago.broker.partition;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a broker's data directory, so that a second broker started on the same
 * directory refuses to start instead of corrupting the first one's logs. The lock is an OS file
 * lock on {@code <dataPath>/.lock}: it is released by the kernel when the process dies, so a
 * {@code kill -9} never leaves a stale lock behind. The file holds the owner's pid for the error
 * message.
 *
 * <p>Not thread-safe; owned by the broker's lifecycle.
 */
public final class DataDirLock implements AutoCloseable {
    public static final String LOCK_FILE = ".lock";

    private final Path dir;
    private FileChannel channel;
    private FileLock lock;

    private DataDirLock(Path dir) {
        this.dir = dir;
    }

    /** Takes the lock or throws {@link DataDirLockedException} naming the directory and the owner. */
    public static DataDirLock acquire(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        DataDirLock l = new DataDirLock(dataDir);
        l.take();
        return l;
    }

    private void take() throws IOException {
        Path file = dir.resolve(LOCK_FILE);
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new DataDirLockedException("Data directory " + dir.toAbsolutePath()
                        + " is in use by another broker (pid " + readOwner(file)
                        + "); stop it or choose another dataPath");
            }
            String pid = Long.toString(ManagementFactory.getRuntimeMXBean().getPid());
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid.getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static String readOwner(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return s.isEmpty() ? "unknown" : s;
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() throws IOException {
        if (channel == null) {
            return;
        }
        try {
            if (lock != null) {
                lock.release();
            }
        } finally {
            channel.close();
            channel = null;
        }
    }

    /** A second broker tried to use a data directory that a live broker holds. */
    public static final class DataDirLockedException extends IOException {
        public DataDirLockedException(String message) {
            super(message);
        }
    }
}
