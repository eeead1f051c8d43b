package io.imago.client.internal.remoting;

import io.imago.exception.MetaClientException;

/**
 * A request did not get a reply from its broker. The subclasses say why: {@link RequestTimeoutException}
 * (no reply in time), {@link ConnectionException} (no usable connection: not connected, lost, write
 * failed), {@link ClientClosedException} (the client was closed). Each says whether the request may
 * have reached the broker ({@link #maybeDelivered()}): a producer reports one that cannot have as
 * {@link io.imago.exception.MessageNotSentException}.
 */
public abstract class RemotingException extends MetaClientException {
    private static final long serialVersionUID = 1L;

    private final boolean maybeDelivered;

    RemotingException(String message, Throwable cause, boolean maybeDelivered) {
        super(message, cause);
        this.maybeDelivered = maybeDelivered;
    }

    /**
     * Whether the request was written (or may have been) before it failed, so the broker may have acted
     * on it (a put may be stored); false when it never left the client.
     */
    public boolean maybeDelivered() {
        return maybeDelivered;
    }
}
