package io.imago.protocol.command;

/**
 * The {@code type} token of a {@code transaction} request, spelled on the wire exactly as the
 * constant's name. Immutable.
 */
public enum TransactionType {
    /** Start a local or XA transaction (idempotent). */
    BEGIN,
    /** XA phase one; the reply body is the vote. */
    PREPARE,
    /** Commit without a prior prepare. */
    COMMIT_ONE_PHASE,
    /** Commit a prepared XA transaction. */
    COMMIT_TWO_PHASE,
    /** Discard the transaction. */
    ROLLBACK,
    /** List prepared XA transactions; the body is a CRLF-separated list of keys. */
    RECOVER,
    /** Forget a heuristically completed XA transaction. */
    FORGET,
    /** XA end; fire-and-forget, the broker sends no reply. */
    END;

    /**
     * The constant for a wire token.
     *
     * @throws IllegalArgumentException when the token names no type
     */
    public static TransactionType parse(String token) {
        for (TransactionType type : values()) {
            if (type.name().equals(token)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown transaction type '" + token + "'");
    }
}
