package io.imago.store.txlog;

/** The state of a live transaction in the journal. */
public enum TxState {
    /** Has messages (or nothing yet); no decision. */
    ACTIVE,
    /** XA prepare is journalled and forced: only the transaction manager or an operator decides it. */
    PREPARED,
    /** The commit record is written; the appends to the partitions are not confirmed yet. */
    COMMITTING,
    HEURISTIC_COMMITTED,
    HEURISTIC_ROLLED_BACK,
    HEURISTIC_MIXED;

    /** Whether this is an operator's heuristic outcome. */
    public boolean isHeuristic() {
        return this == HEURISTIC_COMMITTED || this == HEURISTIC_ROLLED_BACK || this == HEURISTIC_MIXED;
    }
}
