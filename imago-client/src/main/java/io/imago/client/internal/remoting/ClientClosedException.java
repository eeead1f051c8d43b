package io.imago.client.internal.remoting;

/** The remoting client was closed before the request got its reply (or before it was sent). */
public final class ClientClosedException extends RemotingException {
    private static final long serialVersionUID = 1L;

    public ClientClosedException(String message) {
        super(message, null);
    }
}
