package io.imago.store;

/** An append or read on a partition log that has been closed. */
public final class LogClosedException extends StoreException {

    public LogClosedException(String message) {
        super(message, null);
    }
}
