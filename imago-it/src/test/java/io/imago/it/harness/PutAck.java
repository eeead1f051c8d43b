package io.imago.it.harness;

/**
 * The body of a successful put reply, {@code <messageId> <partition> <offset>} (spec §1.4), where
 * offset is the byte position at which the record starts ({@code -1} inside a transaction).
 * Immutable.
 */
public record PutAck(long messageId, int partition, long offset) {

    /** Parses a {@code result 200} put reply; fails with the reply in the message otherwise. */
    public static PutAck of(Reply reply) {
        if (!reply.isResult(200)) {
            throw new AssertionError("expected a successful put reply but got " + reply);
        }
        String[] t = reply.text().split(" ");
        if (t.length != 3) {
            throw new AssertionError("put reply body is not '<id> <partition> <offset>': " + reply);
        }
        return new PutAck(Long.parseLong(t[0]), Integer.parseInt(t[1]), Long.parseLong(t[2]));
    }
}
