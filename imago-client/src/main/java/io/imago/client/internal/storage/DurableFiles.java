package io.imago.client.internal.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file replacement: the new content goes to a temporary file in the same directory, is
 * forced to disk, then renamed over the target, and the directory entry is forced too. A reader
 * (or a restart after a crash at any point) sees the old file or the new one, never a mix.
 * Stateless; callers serialise writers of one target.
 */
public final class DurableFiles {
    private static final boolean POSIX_DIRECTORIES = java.io.File.separatorChar == '/';

    private DurableFiles() {}

    /** Replaces {@code target} with {@code content} atomically and durably. */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, target.getFileName().toString() + ".", ".tmp");
        try {
            try (FileChannel ch =
                    FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, ByteBuffer.wrap(content), 0);
                ch.force(true);
            }
            moveReplacing(tmp, target);
            forceDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Renames {@code source} over {@code target} atomically (the file system must support it). */
    public static void moveReplacing(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + target + " cannot rename atomically", e);
        }
    }

    /**
     * Forces a directory's entries (a created or renamed file) to disk. Only POSIX systems can open
     * a directory for this; elsewhere a rename is made durable by the file system itself.
     */
    public static void forceDirectory(Path dir) throws IOException {
        if (!POSIX_DIRECTORIES) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Writes all of {@code buf} at {@code position}. */
    public static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
    }

    /** Reads exactly {@code buf.remaining()} bytes at {@code position}; false if the file ends first. */
    public static boolean readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                return false;
            }
            pos += n;
        }
        return true;
    }
}
