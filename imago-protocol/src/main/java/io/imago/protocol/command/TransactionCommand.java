package io.imago.protocol.command;

import java.util.Objects;

/**
 * {@code transaction <txKey> <sessionId> <type> [<timeoutSeconds>] [<uniqueQualifier>] <opaque>}.
 * {@code timeoutSeconds} is 0 when absent (the client writes it only when positive) and
 * {@code uniqueQualifier} is {@code ""} when absent (written only when not blank). Immutable.
 */
public record TransactionCommand(
        TransactionId txKey,
        String sessionId,
        TransactionType type,
        int timeoutSeconds,
        String uniqueQualifier,
        int opaque)
        implements RequestCommand {

    /** Checks that every reference is present. */
    public TransactionCommand {
        Objects.requireNonNull(txKey, "txKey");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(uniqueQualifier, "uniqueQualifier");
    }

    /** Whether the client would write the timeout token. */
    public boolean hasTimeout() {
        return timeoutSeconds > 0;
    }

    /** Whether the client would write the unique-qualifier token. */
    public boolean hasUniqueQualifier() {
        return !uniqueQualifier.isBlank();
    }
}
