package io.imago.client.internal.remoting;

/**
 * No reply arrived within the request's timeout (or no in-flight slot freed up within it). The broker
 * may still have processed the request; a reply arriving later is dropped.
 */
public final class RequestTimeoutException extends RemotingException {
    private static final long serialVersionUID = 1L;

    public RequestTimeoutException(String message) {
        super(message, null);
    }
}
