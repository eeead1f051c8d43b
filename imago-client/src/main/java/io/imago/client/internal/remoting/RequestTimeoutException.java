package io.imago.client.internal.remoting;

/**
 * No reply arrived within the request's timeout, or the timeout passed before the request was written
 * (waiting for an in-flight slot, a connection, room or its batch's turn). In the first case the broker
 * may still have processed the request (a reply arriving later is dropped); in the second it cannot
 * have ({@link #maybeDelivered()} is false).
 */
public final class RequestTimeoutException extends RemotingException {
    private static final long serialVersionUID = 1L;

    /** A request that was written and got no reply in time: the broker may have acted on it. */
    public RequestTimeoutException(String message) {
        this(message, true);
    }

    /** @param maybeDelivered whether the request was written before its timeout passed */
    public RequestTimeoutException(String message, boolean maybeDelivered) {
        super(message, null, maybeDelivered);
    }
}
