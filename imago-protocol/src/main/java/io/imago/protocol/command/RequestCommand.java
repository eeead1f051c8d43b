package io.imago.protocol.command;

/**
 * A request a client sends to a broker (spec section 1.4). Every request carries an opaque, the
 * signed 32-bit id the reply repeats; requests whose wire form has no opaque report
 * {@link #NO_OPAQUE}. Implementations are immutable; those with a body own a reference-counted
 * buffer (see {@link PutCommand} and {@link SyncCommand}).
 */
public sealed interface RequestCommand
        permits PutCommand,
                GetCommand,
                OffsetCommand,
                StatsCommand,
                VersionCommand,
                QuitCommand,
                TransactionCommand,
                SyncCommand,
                PutBatchCommand,
                TxAdminCommand {

    /** The opaque MetaQ's decoder uses when a {@code version} or {@code stats} line omits it. */
    int NO_OPAQUE = Integer.MAX_VALUE;

    /** The request id the reply must repeat. */
    int opaque();
}
