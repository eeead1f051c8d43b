package io.imago.protocol.command;

/**
 * {@code quit}: the broker closes the connection and sends no reply. The line carries no opaque, so
 * {@link #opaque()} is {@link RequestCommand#NO_OPAQUE}. Immutable.
 */
public record QuitCommand() implements RequestCommand {

    /** The only value there is. */
    public static final QuitCommand INSTANCE = new QuitCommand();

    @Override
    public int opaque() {
        return NO_OPAQUE;
    }
}
