package io.imago.protocol.command;

import java.util.Objects;

/**
 * {@code stats [<item>] <opaque>}: ask for statistics. {@code item} is {@code ""} when absent (the
 * 1.4.6.2 client writes that as {@code stats  <opaque>}, two spaces). Immutable.
 */
public record StatsCommand(String item, int opaque) implements RequestCommand {

    /** Checks that the item is present (possibly empty). */
    public StatsCommand {
        Objects.requireNonNull(item, "item");
    }

    /** Whether no item was asked for, as the original client decides it (null, empty or blank). */
    public boolean hasNoItem() {
        return item.isBlank();
    }
}
