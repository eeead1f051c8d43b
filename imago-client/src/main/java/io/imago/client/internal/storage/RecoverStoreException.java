package io.imago.client.internal.storage;

import io.imago.exception.MetaClientException;

/** A recover store could not be opened, written or compacted (an I/O error, a foreign file, closed). */
public class RecoverStoreException extends MetaClientException {
    private static final long serialVersionUID = 1L;

    public RecoverStoreException(String message) {
        super(message);
    }

    public RecoverStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
