package io.imago.exception;

/**
 * A send failed before its message left the client: no broker received it, so none can have stored
 * it, and sending the same message again cannot store it twice. Every other send failure without a
 * reply (a plain {@link MetaClientException}: a timeout, a connection lost with the message in flight)
 * means the message <em>may</em> have been stored; a retry may then store it twice. Reasons: the
 * send's timeout passed while the message waited in the client (for room, an in-flight slot, a
 * connection or its batch's turn), the connection to the partition's broker is down, an earlier
 * message of the same partition failed and the producer stopped that partition's pipeline to keep
 * the order, the topic has no partition, or the producer was shut down. Imago's addition to MetaQ's
 * API.
 */
public class MessageNotSentException extends MetaClientException {
    private static final long serialVersionUID = 1L;

    public MessageNotSentException(String message) {
        super(message);
    }

    public MessageNotSentException(String message, Throwable cause) {
        super(message, cause);
    }
}
