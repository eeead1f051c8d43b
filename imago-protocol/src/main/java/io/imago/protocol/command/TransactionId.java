package io.imago.protocol.command;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A transaction key as MetaQ 1.4.6.2 writes it in {@code put} and {@code transaction} lines (spec
 * section 1.4): {@code TX:<sessionId>:<counter>} for a local transaction,
 * {@code XID:<formatId>:<hexGtid>:<hexBqual>:<uniqueQualifier>} for an XA branch, or {@code null} for
 * "no transaction id" (used by {@code RECOVER}). {@link #parse(String)} and {@link #key()} round-trip
 * every key the original accepts. Implementations are immutable and thread-safe.
 */
public sealed interface TransactionId permits TransactionId.Local, TransactionId.Xa, TransactionId.Null {

    /** The key of "no transaction id". */
    String NULL_KEY = "null";
    /** Prefix of a local key. */
    String LOCAL_PREFIX = "TX:";
    /** Prefix of an XA key. */
    String XA_PREFIX = "XID:";

    /** The key as written on the wire. */
    String key();

    /**
     * Parses a wire key.
     *
     * @throws IllegalArgumentException when the key has none of the three forms
     */
    static TransactionId parse(String key) {
        if (NULL_KEY.equals(key)) {
            return Null.INSTANCE;
        }
        if (key.startsWith(XA_PREFIX)) {
            return Xa.parseKey(key);
        }
        if (key.startsWith(LOCAL_PREFIX)) {
            return Local.parseKey(key);
        }
        throw new IllegalArgumentException("illegal transaction key '" + key + "'");
    }

    /** A local transaction: the client's session id and its per-session counter. */
    record Local(String sessionId, int counter) implements TransactionId {

        /** Checks that the session id is present and holds no separator. */
        public Local {
            Objects.requireNonNull(sessionId, "sessionId");
            if (sessionId.indexOf(':') >= 0) {
                throw new IllegalArgumentException("session id contains ':': " + sessionId);
            }
        }

        @Override
        public String key() {
            return LOCAL_PREFIX + sessionId + ":" + counter;
        }

        private static Local parseKey(String key) {
            // String.split drops trailing empty parts, as the original's Pattern.split does.
            String[] parts = key.split(":");
            if (parts.length != 3) {
                throw new IllegalArgumentException("illegal local transaction key '" + key + "'");
            }
            try {
                return new Local(parts[1], Integer.parseInt(parts[2]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("illegal local transaction counter in '" + key + "'", e);
            }
        }

        @Override
        public String toString() {
            return key();
        }
    }

    /** An XA branch: format id, global transaction id, branch qualifier and the producer's qualifier. */
    record Xa(int formatId, byte[] globalTransactionId, byte[] branchQualifier, String uniqueQualifier)
            implements TransactionId {

        /** Copies the arrays so the value stays immutable. */
        public Xa {
            globalTransactionId = globalTransactionId.clone();
            branchQualifier = branchQualifier.clone();
            Objects.requireNonNull(uniqueQualifier, "uniqueQualifier");
        }

        /** A copy of the global transaction id. */
        @Override
        public byte[] globalTransactionId() {
            return globalTransactionId.clone();
        }

        /** A copy of the branch qualifier. */
        @Override
        public byte[] branchQualifier() {
            return branchQualifier.clone();
        }

        @Override
        public String key() {
            HexFormat hex = HexFormat.of();
            return XA_PREFIX + formatId + ":" + hex.formatHex(globalTransactionId) + ":"
                    + hex.formatHex(branchQualifier) + ":" + uniqueQualifier;
        }

        private static Xa parseKey(String key) {
            String[] parts = key.split(":", -1);
            if (parts.length != 5) {
                throw new IllegalArgumentException("illegal XA transaction key '" + key + "'");
            }
            try {
                HexFormat hex = HexFormat.of();
                return new Xa(Integer.parseInt(parts[1]), hex.parseHex(parts[2]), hex.parseHex(parts[3]), parts[4]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("illegal XA transaction key '" + key + "'", e);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Xa other
                    && formatId == other.formatId
                    && Arrays.equals(globalTransactionId, other.globalTransactionId)
                    && Arrays.equals(branchQualifier, other.branchQualifier)
                    && uniqueQualifier.equals(other.uniqueQualifier);
        }

        @Override
        public int hashCode() {
            return Objects.hash(
                    formatId, Arrays.hashCode(globalTransactionId), Arrays.hashCode(branchQualifier), uniqueQualifier);
        }

        @Override
        public String toString() {
            return key();
        }
    }

    /** "No transaction id", written {@code null}. */
    record Null() implements TransactionId {

        /** The only value there is. */
        public static final Null INSTANCE = new Null();

        @Override
        public String key() {
            return NULL_KEY;
        }

        @Override
        public String toString() {
            return key();
        }
    }
}
