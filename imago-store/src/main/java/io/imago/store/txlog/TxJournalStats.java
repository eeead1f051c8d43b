package io.imago.store.txlog;

/**
 * Counters of one journal since it was opened, and its current size; an immutable snapshot.
 *
 * @param records records appended (every type)
 * @param puts put records
 * @param prepares prepare records
 * @param commits commit records
 * @param completions completed records
 * @param rollbacks rollback records
 * @param heuristics heuristic records
 * @param forgets forget records
 * @param fsyncs fsyncs of redo files
 * @param liveTransactions transactions in {@code live()} now
 * @param redoFiles redo files on disk
 * @param redoBytes bytes in the redo files on disk (written so far)
 * @param checkpoints checkpoints written since open
 * @param lastCheckpointMs wall-clock time of the newest checkpoint (0 if none)
 * @param offline whether the journal went offline after an I/O failure
 */
public record TxJournalStats(
        long records,
        long puts,
        long prepares,
        long commits,
        long completions,
        long rollbacks,
        long heuristics,
        long forgets,
        long fsyncs,
        int liveTransactions,
        int redoFiles,
        long redoBytes,
        long checkpoints,
        long lastCheckpointMs,
        boolean offline) {}
