package io.imago.protocol.command;

/**
 * {@code version [<opaque>]}: the version query, which the client also sends as its heartbeat after
 * 10 s of idleness. A line without opaque decodes with {@link RequestCommand#NO_OPAQUE}. Immutable.
 */
public record VersionCommand(int opaque) implements RequestCommand {}
