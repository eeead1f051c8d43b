package io.imago.client.internal.remoting;

/**
 * The request could not be carried to or from the broker: the connection is down (reconnecting), it
 * failed to connect, it was lost while the request was in flight, or the write failed. A producer
 * treats this as a transport failure and may fail over to another broker.
 */
public final class ConnectionException extends RemotingException {
    private static final long serialVersionUID = 1L;

    /** A request that was never written: the broker cannot have seen it. */
    public ConnectionException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * @param maybeDelivered whether the request was written before the connection failed, so the
     *        broker may have acted on it (a put may be stored): such a request must not be retried
     *        elsewhere, or the message could be stored twice
     */
    public ConnectionException(String message, Throwable cause, boolean maybeDelivered) {
        super(message, cause, maybeDelivered);
    }
}
