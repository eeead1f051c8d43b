package io.imago.store.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The filesystem seam under the log: every file the store creates, opens, renames or deletes goes
 * through it, so tests can make writes or fsync fail, make fsync slow, or lose power
 * ({@code FaultInjectingStorageIo} in the test jar). {@link FileChannelStorageIo} is the real one.
 * Implementations must be thread-safe.
 */
public interface StorageIo {

    /** Creates the directory and its parents if missing. */
    void createDirectories(Path dir) throws IOException;

    /** The regular files directly inside {@code dir}, in no particular order. */
    List<Path> list(Path dir) throws IOException;

    boolean exists(Path file);

    /** Creates a new empty file for reading and writing; fails if it exists. */
    StorageFile create(Path file) throws IOException;

    /** Opens an existing file for reading and writing. */
    StorageFile open(Path file) throws IOException;

    /** Deletes the file; fails if it does not exist. */
    void delete(Path file) throws IOException;

    /** Renames {@code from} to {@code to} atomically, replacing {@code to} if it exists. */
    void move(Path from, Path to) throws IOException;

    /** The file's last-modified time in epoch milliseconds. */
    long lastModifiedMs(Path file) throws IOException;

    /** Makes the directory's entries (creations, renames, deletions) durable. */
    void syncDirectory(Path dir) throws IOException;
}
