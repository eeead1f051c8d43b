package io.imago.store.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * One open file of the store: positional writes and reads, fsync, truncation and zero-copy transfer.
 * Positional reads and transfers are thread-safe; writes, truncation and close are made by one
 * thread at a time (the partition's writer, or recovery before the writer starts).
 */
public interface StorageFile extends Closeable {

    Path path();

    /** Writes every remaining byte of {@code sources}, in order, starting at file {@code position}. */
    void write(ByteBuffer[] sources, long position) throws IOException;

    /** Writes every remaining byte of {@code source} at file {@code position}. */
    default void write(ByteBuffer source, long position) throws IOException {
        write(new ByteBuffer[] {source}, position);
    }

    /**
     * Forces the content of the file, and the metadata needed to read it back (its size), to the
     * device ({@code fdatasync}); the modification time may lag.
     */
    void force() throws IOException;

    long size() throws IOException;

    void truncate(long size) throws IOException;

    /** Reads up to {@code destination.remaining()} bytes at {@code position}; -1 at end of file. */
    int read(ByteBuffer destination, long position) throws IOException;

    /** Transfers up to {@code count} bytes at {@code position} to {@code target} without a heap copy. */
    long transferTo(long position, long count, WritableByteChannel target) throws IOException;

    /**
     * The underlying channel, for a zero-copy sender that needs the file itself (for example a
     * {@code sendfile}-based transport). Use it only to read; never close it.
     */
    FileChannel channel();

    /** Closes the file; idempotent. */
    @Override
    void close() throws IOException;
}
