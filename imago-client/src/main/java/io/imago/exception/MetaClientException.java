package io.imago.exception;

/** A client operation failed: no partition to send to, a broker error, a timeout, a closed client. */
public class MetaClientException extends Exception {
    private static final long serialVersionUID = 1L;

    public MetaClientException() {
        super();
    }

    public MetaClientException(Throwable cause) {
        super(cause);
    }

    public MetaClientException(String message) {
        super(message);
    }

    public MetaClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
