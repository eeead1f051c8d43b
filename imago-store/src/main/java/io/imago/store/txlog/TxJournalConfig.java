package io.imago.store.txlog;

/**
 * The journal's settings; immutable, validated at construction.
 *
 * @param flushAtCommit 0: commit and rollback are written to the OS, never forced (a process crash
 *     keeps them, a power loss may not); 1: each is fsynced before its future completes; 2: written to
 *     the OS and forced by a timer once a second (a power loss loses at most about a second)
 * @param checkpointIntervalMs how often the journal writes a checkpoint by itself
 * @param maxCheckpoints checkpoint files kept (at least 1)
 * @param maxFileBytes a redo file rolls once its next record would take it past this size
 */
public record TxJournalConfig(int flushAtCommit, long checkpointIntervalMs, int maxCheckpoints, long maxFileBytes) {

    public static final int DEFAULT_FLUSH_AT_COMMIT = 1;
    public static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;
    public static final int DEFAULT_MAX_CHECKPOINTS = 3;
    public static final long DEFAULT_MAX_FILE_BYTES = 64L * 1024 * 1024;

    public TxJournalConfig {
        if (flushAtCommit < 0 || flushAtCommit > 2) {
            throw new IllegalArgumentException("flushAtCommit must be 0, 1 or 2, was " + flushAtCommit);
        }
        if (checkpointIntervalMs <= 0) {
            throw new IllegalArgumentException("checkpointIntervalMs must be > 0, was " + checkpointIntervalMs);
        }
        if (maxCheckpoints < 1) {
            throw new IllegalArgumentException("maxCheckpoints must be >= 1, was " + maxCheckpoints);
        }
        if (maxFileBytes < 1024) {
            throw new IllegalArgumentException("maxFileBytes must be >= 1024, was " + maxFileBytes);
        }
    }

    /** The defaults: flush at commit 1, a checkpoint a minute, 3 kept, 64 MiB redo files. */
    public static TxJournalConfig defaults() {
        return new TxJournalConfig(
                DEFAULT_FLUSH_AT_COMMIT,
                DEFAULT_CHECKPOINT_INTERVAL_MS,
                DEFAULT_MAX_CHECKPOINTS,
                DEFAULT_MAX_FILE_BYTES);
    }
}
