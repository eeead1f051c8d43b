package io.imago.store.txlog;

import io.imago.store.StoreException;

/**
 * The journal is offline: a write or an fsync failed (the cause), or it was closed. The operation that
 * sees this was not journalled durably and must not be acknowledged; every later operation fails the
 * same way. The journal comes back only by opening it again (recovery).
 */
public final class TxJournalOfflineException extends StoreException {

    public TxJournalOfflineException(String message, Throwable cause) {
        super(message, cause);
    }
}
