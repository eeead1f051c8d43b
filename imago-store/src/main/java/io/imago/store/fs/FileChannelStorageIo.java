package io.imago.store.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The real filesystem through {@link FileChannel}. Stateless and thread-safe. */
public final class FileChannelStorageIo implements StorageIo {

    @Override
    public void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.filter(Files::isRegularFile).forEach(files::add);
        }
        return files;
    }

    @Override
    public boolean exists(Path file) {
        return Files.exists(file);
    }

    @Override
    public StorageFile create(Path file) throws IOException {
        return new ChannelFile(
                file,
                FileChannel.open(
                        file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    @Override
    public StorageFile open(Path file) throws IOException {
        return new ChannelFile(file, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    @Override
    public void delete(Path file) throws IOException {
        Files.delete(file);
    }

    @Override
    public void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public long lastModifiedMs(Path file) throws IOException {
        return Files.getLastModifiedTime(file).toMillis();
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        // Linux and macOS let a directory be opened for reading and fsynced; that makes entries durable.
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** A file behind one {@link FileChannel}. */
    private static final class ChannelFile implements StorageFile {
        private final Path path;
        private final FileChannel channel;

        ChannelFile(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public void write(ByteBuffer[] sources, long position) throws IOException {
            long remaining = 0;
            for (ByteBuffer source : sources) {
                remaining += source.remaining();
            }
            if (sources.length == 1) {
                long at = position;
                while (sources[0].hasRemaining()) {
                    at += channel.write(sources[0], at);
                }
                return;
            }
            // Gathering writes use the channel position; only one thread writes a file at a time.
            channel.position(position);
            while (remaining > 0) {
                remaining -= channel.write(sources);
            }
        }

        @Override
        public void force() throws IOException {
            // fdatasync: content and the size needed to read it back; the mtime is not worth a journal commit
            channel.force(false);
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void truncate(long size) throws IOException {
            channel.truncate(size);
        }

        @Override
        public int read(ByteBuffer destination, long position) throws IOException {
            return channel.read(destination, position);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return channel.transferTo(position, count, target);
        }

        @Override
        public FileChannel channel() {
            return channel;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }
}
