package io.imago.protocol;

/**
 * A topic or consumer group name breaks {@link Names}' rule. The message names the kind, the name
 * (escaped by {@link Names#printable}) and what is wrong with it. Immutable.
 */
public final class InvalidNameException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final Names.Kind kind;

    InvalidNameException(Names.Kind kind, String name, String problem) {
        super(Names.message(kind, name, problem));
        this.kind = kind;
    }

    /** Whether a topic or a group name was refused. */
    public Names.Kind kind() {
        return kind;
    }
}
