package io.imago.store;

import io.imago.store.fs.StorageIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * Creates a partition directory so that it survives power loss. A directory's entry lives in its
 * parent, and a new entry is durable only once the parent is fsynced: without it, records fsynced
 * into a new partition, and acknowledged, can vanish with the directory. So the parent of every
 * directory created here is synced, top down, and the parent of the partition directory is synced
 * even when the directory already exists (a crash may have come between its creation and that sync).
 * The entries inside the partition directory are synced by whoever creates them (recovery, the roll,
 * the checkpoint).
 *
 * <p>Syncing the parent of a directory that already existed is needed once per process, not once per
 * partition: after one sync every entry the parent holds is durable. The caller passes the set of
 * parents synced so far in this process (one per data directory, {@link LogThreads}), so a broker
 * opening ten thousand partitions of one data directory syncs it once. Thread-safe.
 */
final class DurableDirectories {
    private DurableDirectories() {}

    /**
     * Creates {@code dir} and its missing parents if needed, and makes their entries durable.
     *
     * @param syncedParents directories fsynced by this process since it started (read and added to)
     */
    static void create(StorageIo io, Path dir, Set<Path> syncedParents) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = target; p != null && !io.exists(p); p = p.getParent()) {
            missing.push(p);
        }
        io.createDirectories(target);
        for (Path created : missing) {
            if (!created.equals(target)) {
                io.syncDirectory(created.getParent());
            }
        }
        Path parent = target.getParent();
        if (parent != null && (!missing.isEmpty() || !syncedParents.contains(parent))) {
            io.syncDirectory(parent);
            syncedParents.add(parent);
        }
    }
}
