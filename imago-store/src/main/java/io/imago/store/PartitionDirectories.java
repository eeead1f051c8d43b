package io.imago.store;

import io.imago.protocol.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where a partition lives under a data directory, {@code <dataPath>/<topic>-<partition>}, resolved so
 * that it can never be anywhere else: the directory name must be one path element directly inside the
 * data directory, and a directory that already exists must really be there (a symbolic link that leads
 * out of the data directory is refused). This is the store's own line of defence; names are validated
 * before they get here ({@code io.imago.protocol.Names}), but a path is checked where it is made.
 * Stateless and thread-safe.
 */
public final class PartitionDirectories {
    private PartitionDirectories() {}

    /**
     * The directory of {@code tp} under {@code dataPath}.
     *
     * @throws UnsafePathException if {@code <topic>-<partition>} is not one path element, would resolve
     *     outside {@code dataPath}, or exists with a real path outside it
     * @throws IOException if the real path of an existing directory cannot be read
     */
    public static Path resolve(Path dataPath, TopicPartition tp) throws IOException {
        Path base = dataPath.toAbsolutePath().normalize();
        String name = tp.directoryName();
        Path dir;
        try {
            dir = base.resolve(name).normalize();
        } catch (InvalidPathException e) {
            throw new UnsafePathException(
                    "partition directory '" + Names.printable(name) + "' is not a valid path: " + e.getReason());
        }
        if (!base.equals(dir.getParent()) || !name.equals(dir.getFileName().toString())) {
            throw new UnsafePathException("partition directory '" + Names.printable(name) + "' is not a directory name "
                    + "inside the data directory " + base);
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Path real = dir.toRealPath();
            Path realBase = base.toRealPath();
            if (!realBase.equals(real.getParent())) {
                throw new UnsafePathException("partition directory " + dir + " leads to " + real
                        + ", outside the data directory " + realBase);
            }
        }
        return dir;
    }
}
