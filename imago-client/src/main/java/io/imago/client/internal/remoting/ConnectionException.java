package io.imago.client.internal.remoting;

/**
 * The request could not be carried to or from the broker: the connection is down (reconnecting), it
 * failed to connect, it was lost while the request was in flight, or the write failed. A producer
 * treats this as a transport failure and may fail over to another broker.
 */
public final class ConnectionException extends RemotingException {
    private static final long serialVersionUID = 1L;

    public ConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
