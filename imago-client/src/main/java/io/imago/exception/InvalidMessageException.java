package io.imago.exception;

/**
 * A fetched message failed its checks (CRC, length, flag): MetaQ's exception of the same name, thrown by
 * {@link io.imago.consumer.MessageIterator#next()}. The message is not returned.
 */
public class InvalidMessageException extends MetaClientException {
    private static final long serialVersionUID = 1L;

    public InvalidMessageException() {
        super();
    }

    public InvalidMessageException(Throwable cause) {
        super(cause);
    }

    public InvalidMessageException(String message) {
        super(message);
    }

    public InvalidMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
