package io.imago.protocol.command;

import io.netty.buffer.ByteBufHolder;

/**
 * A reply a broker sends to a client: {@link ResultCommand} ({@code result}) or {@link ValueCommand}
 * ({@code value}, the successful {@code get}). Both own their body buffer; whoever holds the reply
 * releases it exactly once (Netty's encoders do so after writing).
 */
public sealed interface ResponseCommand extends ByteBufHolder permits ResultCommand, ValueCommand {

    /** The opaque of the request this replies to. */
    int opaque();
}
