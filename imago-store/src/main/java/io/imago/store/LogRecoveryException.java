package io.imago.store;

/**
 * Recovery at open found a state it must not repair on its own, for example sealed segments that are
 * not contiguous; the message names the files. The partition does not open.
 */
public final class LogRecoveryException extends StoreException {

    public LogRecoveryException(String message) {
        super(message, null);
    }
}
