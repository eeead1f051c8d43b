package io.imago.protocol.command;

import java.util.Objects;

/**
 * Imago extension for operators: {@code txadmin <op> [<txKey>] <opaque>}, announced by the
 * {@code txadmin} token of the {@code version} reply ({@link io.imago.protocol.Capabilities}).
 * {@code list} (no key) answers {@code result 200} with one CRLF-separated line per transaction the
 * broker holds, {@code <txKey> <state> <ageMs> <messages>}; {@code commit} and {@code rollback} decide a
 * prepared XA transaction heuristically, {@code forget} drops a heuristically completed one; they answer
 * {@code result 200 0} or {@code result 500 <reason>}. Immutable.
 *
 * @param key the transaction key, {@code ""} for {@code list}
 */
public record TxAdminCommand(Op op, String key, int opaque) implements RequestCommand {

    /** The operation, spelled on the wire in lower case. */
    public enum Op {
        LIST,
        COMMIT,
        ROLLBACK,
        FORGET;

        /** The wire token. */
        public String token() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * The operation of a wire token.
         *
         * @throws IllegalArgumentException when the token names none
         */
        public static Op parse(String token) {
            for (Op op : values()) {
                if (op.token().equals(token)) {
                    return op;
                }
            }
            throw new IllegalArgumentException("unknown txadmin operation '" + token + "'");
        }
    }

    /** Checks that a key is given exactly when the operation takes one, and holds no separator. */
    public TxAdminCommand {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(key, "key");
        if ((op == Op.LIST) != key.isEmpty()) {
            throw new IllegalArgumentException(
                    op == Op.LIST ? "txadmin list takes no key" : "txadmin " + op.token() + " needs a key");
        }
        if (key.indexOf(' ') >= 0 || key.indexOf('\r') >= 0 || key.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("transaction key holds a separator");
        }
    }
}
