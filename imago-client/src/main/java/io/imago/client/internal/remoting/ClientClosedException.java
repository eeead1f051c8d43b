package io.imago.client.internal.remoting;

/** The remoting client was closed before the request got its reply (or before it was sent). */
public final class ClientClosedException extends RemotingException {
    private static final long serialVersionUID = 1L;

    /** The client closed with the request possibly written: the broker may have acted on it. */
    public ClientClosedException(String message) {
        this(message, true);
    }

    /** @param maybeDelivered whether the request may have been written before the close */
    public ClientClosedException(String message, boolean maybeDelivered) {
        super(message, null, maybeDelivered);
    }
}
