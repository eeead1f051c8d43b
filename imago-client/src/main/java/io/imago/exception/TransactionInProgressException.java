package io.imago.exception;

/**
 * A transaction cannot begin on this thread because one is already in progress on it (a local one, or
 * an XA branch the thread's {@code XAResource} is associated with), as MetaQ's exception of the same
 * name.
 */
public class TransactionInProgressException extends MetaClientException {
    private static final long serialVersionUID = 1L;

    public TransactionInProgressException(String message) {
        super(message);
    }
}
