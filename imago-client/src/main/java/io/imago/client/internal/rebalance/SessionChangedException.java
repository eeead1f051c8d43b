package io.imago.client.internal.rebalance;

/**
 * The client is in a ZooKeeper session other than the one this consumer registered in: nothing was
 * written, and the registration is repaired (then a new round) in the new session.
 */
final class SessionChangedException extends Exception {
    private static final long serialVersionUID = 1L;

    SessionChangedException(long registered, long current) {
        super("registered in ZooKeeper session 0x" + Long.toHexString(registered) + ", now in 0x"
                + Long.toHexString(current));
    }
}
