package io.imago.store;

/** Base of the store's failures; each failure has its own subtype. */
public abstract class StoreException extends RuntimeException {

    protected StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
