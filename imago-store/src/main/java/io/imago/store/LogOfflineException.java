package io.imago.store;

/**
 * The partition is offline because a write or an fsync failed (or its completion thread stopped, or
 * {@code close()} gave up waiting for a hung disk): the append that sees this was not acknowledged and
 * may or may not be on disk. Every append queued when the failure happened, and every later one, fails
 * with this exception; nothing is acknowledged after the failure. The cause is the original error. The
 * partition comes back only by closing it and opening it again (recovery).
 */
public final class LogOfflineException extends StoreException {

    public LogOfflineException(String message, Throwable cause) {
        super(message, cause);
    }
}
