package io.imago.client.internal.remoting;

import io.imago.exception.MetaClientException;

/**
 * A request did not get a reply from its broker. The subclasses say why: {@link RequestTimeoutException}
 * (no reply in time), {@link ConnectionException} (no usable connection: not connected, lost, write
 * failed), {@link ClientClosedException} (the client was closed).
 */
public abstract class RemotingException extends MetaClientException {
    private static final long serialVersionUID = 1L;

    RemotingException(String message, Throwable cause) {
        super(message, cause);
    }
}
